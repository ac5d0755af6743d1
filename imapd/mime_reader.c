/* Reading a message: raw lines in chunks, header fields unfolded, RFC 822
 * tokens and MIME parameter lists. */
#include "mime_int.h"
#include "mbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the reader ---- */

void mrd_init(struct mrd *r, int fd, uint64_t start, uint64_t end)
{
	r->fd = fd;
	r->pos = start;
	r->end = end > start ? end : start;
	r->off = r->len = 0;
	r->err = false;
}

struct mrd *mrd_open(int fd, uint64_t start, uint64_t end)
{
	struct mrd *r = malloc(sizeof *r);

	if (r)
		mrd_init(r, fd, start, end);
	return r;
}

void mrd_close(struct mrd *r)
{
	free(r);
}

/* Bytes available at buf + off, reading the next chunk when needed. */
static size_t mrd_fill(struct mrd *r)
{
	ssize_t got;
	size_t want;

	if (r->off < r->len)
		return r->len - r->off;
	r->pos += r->len;
	r->off = r->len = 0;
	if (r->pos >= r->end || r->err)
		return 0;
	want = r->end - r->pos < RD_CHUNK ? (size_t)(r->end - r->pos) : RD_CHUNK;
	got = pread(r->fd, r->buf, want, (off_t)r->pos);
	if (got <= 0) {
		r->err = true;
		return 0;
	}
	r->len = (size_t)got;
	return r->len;
}

size_t mrd_chunk(struct mrd *r, const char **p)
{
	size_t n = mrd_fill(r);

	*p = r->buf + r->off;
	r->off += n;
	return n;
}

bool mrd_line(struct mrd *r, char *head, size_t cap, struct rline *l)
{
	enum linecls_result cls = LC_UNDECIDED;
	struct linecls c;
	char last = 0;
	size_t n;

	memset(l, 0, sizeof *l);
	if (mrd_fill(r) == 0)
		return false;
	l->start = r->pos + r->off;
	linecls_reset(&c);
	while ((n = mrd_fill(r)) > 0) {
		const char *p = r->buf + r->off;
		const char *lf = memchr(p, '\n', n);
		size_t seg = lf ? (size_t)(lf - p) : n;

		for (size_t i = 0; cls == LC_UNDECIDED && i < seg; i++)
			cls = linecls_feed(&c, (unsigned char)p[i]);
		if (l->nhead < cap) {
			size_t k = cap - l->nhead < seg ? cap - l->nhead : seg;

			memcpy(head + l->nhead, p, k);
			l->nhead += k;
		}
		if (seg > 0)
			last = p[seg - 1];
		l->len += seg;
		r->off += seg;
		if (lf) {
			r->off++;
			l->lf = true;
			break;
		}
	}
	l->cr = l->len > 0 && last == '\r';
	l->quoted = cls == LC_QUOTED;
	return true;
}

size_t rline_text(const struct rline *l, const char *head, const char **p)
{
	size_t n = l->nhead;

	*p = head;
	if (l->quoted && n > 0) {
		(*p)++;
		n--;
	}
	if (l->cr && l->nhead == l->len && n > 0)
		n--;
	return n;
}

uint64_t msg_header_end(const struct msgsrc *m)
{
	uint64_t h = m->start + m->hdr_len;
	struct rline ln;
	struct mrd *r;
	char c;

	if (h < m->end)
		return h;		/* the scan found the blank line */
	/* It found none: a header alone, or CRLF line ends, whose "\r" line
	 * the scan does not take for a blank one. */
	if ((r = mrd_open(m->fd, m->start, m->end)) == NULL)
		return m->end;
	while (mrd_line(r, &c, 1, &ln))
		if (ln.len - ln.cr == 0) {
			h = ln.start + ln.len + ln.lf;
			break;
		}
	mrd_close(r);
	return h < m->end ? h : m->end;
}

/* ---- header fields ---- */

bool mime_name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

bool mime_field_name(const char *p, size_t n, size_t *namelen, size_t *colon)
{
	const char *c = memchr(p, ':', n);
	size_t k;

	if (!c || c == p)
		return false;
	k = (size_t)(c - p);
	*colon = k;
	while (k > 0 && is_wsp(p[k - 1]))	/* obsolete "Name :" */
		k--;
	if (k == 0)
		return false;
	for (size_t i = 0; i < k; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	*namelen = k;
	return true;
}

void hdracc_init(struct hdracc *a, char *buf, size_t cap, hdr_want_fn want,
		 hdr_field_fn field, void *arg)
{
	memset(a, 0, sizeof *a);
	a->buf = buf;
	a->cap = cap;
	a->want = want;
	a->field = field;
	a->arg = arg;
}

static void acc_append(struct hdracc *a, const char *p, size_t n)
{
	if (n > a->cap - a->len)
		n = a->cap - a->len;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void hdracc_flush(struct hdracc *a)
{
	const char *v = a->buf + a->namelen;
	size_t n = a->len - a->namelen;

	if (!a->open)
		return;
	a->open = false;
	while (n > 0 && (is_wsp(*v) || *v == '\r')) {
		v++;
		n--;
	}
	while (n > 0 && (is_wsp(v[n - 1]) || v[n - 1] == '\r'))
		n--;
	a->field(a->arg, a->buf, a->namelen, v, n);
}

void hdracc_line(struct hdracc *a, const char *p, size_t n)
{
	size_t nl, colon;

	if (n > 0 && is_wsp(p[0])) {
		if (a->open)
			acc_append(a, p, n);
		return;
	}
	hdracc_flush(a);
	if (!mime_field_name(p, n, &nl, &colon) || !a->want(a->arg, p, nl))
		return;
	a->open = true;
	a->len = 0;
	acc_append(a, p, nl);
	a->namelen = a->len;
	acc_append(a, p + colon + 1, n - colon - 1);
}

/* ---- RFC 822 tokens ---- */

void hlex_cfws_comment(struct hlex *x, const char **cs, size_t *cn)
{
	while (x->p < x->e) {
		const char *start;
		unsigned depth = 1;

		if (is_wsp(*x->p) || *x->p == '\r' || *x->p == '\n') {
			x->p++;
			continue;
		}
		if (*x->p != '(')
			break;
		start = ++x->p;
		while (x->p < x->e && depth > 0) {	/* nesting is counted, not recursed */
			if (*x->p == '\\' && x->p + 1 < x->e)
				x->p++;
			else if (*x->p == '(')
				depth++;
			else if (*x->p == ')')
				depth--;
			x->p++;
		}
		if (cs) {
			*cs = start;
			*cn = (size_t)(x->p - start) - (depth == 0);
		}
	}
}

void hlex_cfws(struct hlex *x)
{
	hlex_cfws_comment(x, NULL, NULL);
}

size_t hlex_token(struct hlex *x, const char *stops, const char **s)
{
	const char *p = x->p;

	while (p < x->e) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || c == ';' || c == '"' || c == '(' ||
		    strchr(stops, c))
			break;
		p++;
	}
	*s = x->p;
	x->p = p;
	return (size_t)(p - *s);
}

size_t hlex_quoted(struct hlex *x, char *dst, size_t cap)
{
	size_t n = 0;

	x->p++;				/* the opening quote */
	while (x->p < x->e && *x->p != '"') {
		if (*x->p == '\\' && x->p + 1 < x->e)
			x->p++;
		if (n < cap)
			dst[n++] = *x->p;
		x->p++;
	}
	if (x->p < x->e)
		x->p++;			/* the closing quote */
	return n;
}

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
