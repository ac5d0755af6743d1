/* MIME parameter lists (RFC 2045 5.1) with RFC 2231 continuations joined,
 * and the small string helpers the parsers share. */
#include "msgparse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parameters ---- */

char *mime_strndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void mime_upcase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

void mime_plist_free(struct plist *pl)
{
	for (unsigned i = 0; i < pl->n; i++) {
		free(pl->v[i].name);
		free(pl->v[i].value);
	}
	free(pl->v);
	pl->v = NULL;
	pl->n = 0;
}

const char *mime_param_get(const struct mime_param *v, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(v[i].name, name) == 0)
			return v[i].value;
	return NULL;
}

int mime_plist_add(struct plist *pl, const char *name, size_t nn,
		     const char *val, size_t vn)
{
	struct mime_param *v;

	if (pl->n >= MIME_PARAMS_MAX)
		return 0;			/* the rest are dropped */
	v = realloc(pl->v, (pl->n + 1) * sizeof *v);
	if (!v)
		return -1;
	pl->v = v;
	v[pl->n].name = mime_strndup(name, nn);
	v[pl->n].value = mime_strndup(val, vn);
	if (!v[pl->n].name || !v[pl->n].value) {
		free(v[pl->n].name);
		free(v[pl->n].value);
		return -1;
	}
	mime_upcase(v[pl->n].name);
	pl->n++;
	return 0;
}

/* Past the next ';' that is not inside a quoted string. */
static void skip_to_semicolon(struct hlex *x)
{
	bool q = false;

	for (; x->p < x->e; x->p++) {
		if (q && *x->p == '\\' && x->p + 1 < x->e)
			x->p++;
		else if (*x->p == '"')
			q = !q;
		else if (!q && *x->p == ';')
			return;
	}
}

/* An unquoted value: leniently everything up to ';' or a comment, so that
 * a file name with spaces survives. */
static size_t bare_value(struct hlex *x, const char **s)
{
	const char *p = x->p;
	size_t n;

	while (p < x->e && *p != ';' && *p != '(' && (unsigned char)*p >= 0x20)
		p++;
	*s = x->p;
	n = (size_t)(p - x->p);
	while (n > 0 && is_wsp((*s)[n - 1]))
		n--;
	x->p = p;
	return n;
}

static int param_one(struct hlex *x, struct plist *pl, char *tmp)
{
	const char *ns, *vs;
	size_t nn, vn;

	hlex_cfws(x);
	nn = hlex_token(x, "=", &ns);
	hlex_cfws(x);
	if (nn == 0 || hlex_end(x) || *x->p != '=')
		return 0;
	x->p++;
	hlex_cfws(x);
	if (!hlex_end(x) && *x->p == '"') {
		vn = hlex_quoted(x, tmp, MIME_FIELD_MAX);
		vs = tmp;
	} else {
		vn = bare_value(x, &vs);
	}
	return mime_plist_add(pl, ns, nn, vs, vn);
}

static int rfc2231_join(struct plist *pl);

int mime_parse_params(struct hlex *x, struct plist *pl)
{
	char *tmp = malloc(MIME_FIELD_MAX);

	if (!tmp)
		return -1;
	for (;;) {
		skip_to_semicolon(x);
		if (hlex_end(x))
			break;
		x->p++;
		if (param_one(x, pl, tmp) != 0) {
			free(tmp);
			return -1;
		}
	}
	free(tmp);
	return rfc2231_join(pl);
}

/* ---- RFC 2231 continuations: name*0, name*1*, ... become one ---- */

struct seg {
	size_t baselen;
	int idx;		/* -1: not a continuation */
	bool ext;		/* charset'lang'%XX encoded */
};

static struct seg seg_of(const char *name)
{
	struct seg s = { strlen(name), -1, false };
	const char *star = strchr(name, '*');
	const char *p;
	int idx = 0;

	if (!star || !isdigit((unsigned char)star[1]))
		return s;
	for (p = star + 1; isdigit((unsigned char)*p) && idx < 1000; p++)
		idx = idx * 10 + (*p - '0');
	if (*p == '*') {
		s.ext = true;
		p++;
	}
	if (*p != '\0' || (star[1] == '0' && p - star > 2 + s.ext))
		return s;		/* not of the form name*N[*] */
	s.baselen = (size_t)(star - name);
	s.idx = idx;
	return s;
}

static bool same_base(const char *a, const char *b, size_t baselen)
{
	return strncmp(a, b, baselen) == 0 && seg_of(b).baselen == baselen;
}

/* The parameter that is segment `want` of base name (`name`, baselen). */
static int find_seg(const struct plist *pl, const char *name, size_t baselen,
		    int want)
{
	for (unsigned i = 0; i < pl->n; i++) {
		struct seg s = seg_of(pl->v[i].name);

		if (s.idx == want && same_base(name, pl->v[i].name, baselen))
			return (int)i;
	}
	return -1;
}

/* Position of the first segment of any number of a base name. */
static unsigned first_seg(const struct plist *pl, const char *name, size_t baselen)
{
	unsigned i;

	for (i = 0; i < pl->n; i++)
		if (seg_of(pl->v[i].name).idx >= 0 && same_base(name, pl->v[i].name, baselen))
			break;
	return i;
}

static size_t put_segment(char *buf, const char *v, bool pct)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = 0;

	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;

		if (pct && (c <= 0x20 || c >= 0x7f || strchr("*'%()<>@,;:\\\"/[]?=", c))) {
			buf[len++] = '%';
			buf[len++] = hex[c >> 4];
			buf[len++] = hex[c & 15];
		} else {
			buf[len++] = (char)c;
		}
	}
	return len;
}

/* Join segments 0, 1, ... of a base name (until one is missing) into one
 * parameter: "NAME" when none is encoded, else "NAME*" with the plain
 * segments percent-encoded so that the whole reads as one RFC 2231 value. */
static int join_segments(const struct plist *pl, const char *name,
			 size_t baselen, struct plist *out)
{
	size_t cap = 3, len = 0;
	bool ext = false;
	char *buf, key[MIME_FIELD_MAX + 1];
	int want, i, rc;

	for (want = 0; (i = find_seg(pl, name, baselen, want)) >= 0; want++) {
		ext |= seg_of(pl->v[i].name).ext;
		cap += 3 * strlen(pl->v[i].value);
	}
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (want = 0; (i = find_seg(pl, name, baselen, want)) >= 0; want++) {
		bool plain = !seg_of(pl->v[i].name).ext;

		if (want == 0 && ext && plain) {
			memcpy(buf, "''", 2);	/* no charset, no language */
			len = 2;
		}
		len += put_segment(buf + len, pl->v[i].value, ext && plain);
	}
	memcpy(key, name, baselen);
	key[baselen] = '*';
	rc = mime_plist_add(out, key, baselen + ext, buf, len);
	free(buf);
	return rc;
}

static int rfc2231_join(struct plist *pl)
{
	struct plist out = { NULL, 0 };

	for (unsigned i = 0; i < pl->n; i++) {
		const char *name = pl->v[i].name;
		struct seg s = seg_of(name);
		int rc;

		if (s.idx >= 0 && find_seg(pl, name, s.baselen, 0) >= 0) {
			if (first_seg(pl, name, s.baselen) != i)
				continue;	/* joined at an earlier segment */
			rc = join_segments(pl, name, s.baselen, &out);
		} else {
			rc = mime_plist_add(&out, name, strlen(name), pl->v[i].value,
				       strlen(pl->v[i].value));
		}
		if (rc != 0) {
			mime_plist_free(&out);
			return -1;
		}
	}
	mime_plist_free(pl);
	*pl = out;
	return 0;
}
