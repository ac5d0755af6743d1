/* The Content-* fields of a part (RFC 2045, 2183, 3282), interpreted once
 * its header has been read: type and parameters, with the defaults of
 * RFC 2045 5.2 and RFC 2046 5.1.5, encoding, disposition and languages. */
#include "msgparse.h"

#include <stdlib.h>
#include <string.h>

static bool is_digest_child(const struct mime_part *p)
{
	const struct mime_part *up = p->parent;

	return up && up->kind == MIME_MULTIPART && strcmp(up->subtype, "DIGEST") == 0;
}

static int set_type(struct mime_part *p, const char *t, size_t tn, const char *s,
		    size_t sn)
{
	p->type = mime_strndup(t, tn);
	p->subtype = mime_strndup(s, sn);
	if (!p->type || !p->subtype)
		return -1;
	mime_upcase(p->type);
	mime_upcase(p->subtype);
	return 0;
}

/* RFC 2045 5.2: no (valid) Content-Type means text/plain; us-ascii, and
 * RFC 2046 5.1.5: message/rfc822 inside multipart/digest. */
static int default_type(struct mime_part *p)
{
	struct plist pl = { NULL, 0 };

	if (is_digest_child(p))
		return set_type(p, "MESSAGE", 7, "RFC822", 6);
	if (mime_plist_add(&pl, "CHARSET", 7, "US-ASCII", 8) != 0)
		return -1;
	p->params = pl.v;
	p->nparams = pl.n;
	return set_type(p, "TEXT", 4, "PLAIN", 5);
}

static int parse_type(struct mime_part *p, const char *raw)
{
	struct hlex x;
	struct plist pl = { NULL, 0 };
	const char *t, *s;
	size_t tn, sn;

	if (!raw)
		return default_type(p);
	x.p = raw;
	x.e = x.p + strlen(x.p);
	hlex_cfws(&x);
	tn = hlex_token(&x, "/", &t);
	hlex_cfws(&x);
	if (tn == 0 || hlex_end(&x) || *x.p != '/')
		return default_type(p);
	x.p++;
	hlex_cfws(&x);
	sn = hlex_token(&x, "/", &s);
	if (sn == 0)
		return default_type(p);
	if (mime_parse_params(&x, &pl) != 0)
		return -1;
	p->params = pl.v;
	p->nparams = pl.n;
	return set_type(p, t, tn, s, sn);
}

static int parse_disposition(struct mime_part *p, const char *raw)
{
	struct hlex x;
	struct plist pl = { NULL, 0 };
	const char *t;
	size_t tn;

	if (!raw)
		return 0;
	x.p = raw;
	x.e = x.p + strlen(x.p);
	hlex_cfws(&x);
	if ((tn = hlex_token(&x, "", &t)) == 0)
		return 0;
	if ((p->disposition = mime_strndup(t, tn)) == NULL)
		return -1;
	mime_upcase(p->disposition);
	if (mime_parse_params(&x, &pl) != 0)
		return -1;
	p->dparams = pl.v;
	p->ndparams = pl.n;
	return 0;
}

/* Content-Language: a list of tags (RFC 3282). */
static int parse_language(struct mime_part *p, const char *raw)
{
	struct hlex x;

	if (!raw)
		return 0;
	x.p = raw;
	x.e = x.p + strlen(x.p);
	while (!hlex_end(&x) && p->nlanguage < MIME_LANGS_MAX) {
		const char *t;
		size_t tn;
		char **v;

		hlex_cfws(&x);
		tn = hlex_token(&x, ",", &t);
		hlex_cfws(&x);
		if (!hlex_end(&x))
			x.p++;		/* the ',' or a stray character */
		if (tn == 0)
			continue;
		v = realloc(p->language, (p->nlanguage + 1) * sizeof *v);
		if (!v)
			return -1;
		p->language = v;
		if ((v[p->nlanguage] = mime_strndup(t, tn)) == NULL)
			return -1;
		p->nlanguage++;
	}
	return 0;
}

static int parse_encoding(struct mime_part *p, const char *raw)
{
	struct hlex x;
	const char *t = "7BIT";
	size_t tn = 0;

	if (raw) {
		x.p = raw;
		x.e = x.p + strlen(x.p);
		hlex_cfws(&x);
		tn = hlex_token(&x, "", &t);
	}
	if (tn == 0) {			/* RFC 2045 6.1: the default */
		t = "7BIT";
		tn = 4;
	}
	if ((p->encoding = mime_strndup(t, tn)) == NULL)
		return -1;
	mime_upcase(p->encoding);
	return 0;
}

int mime_fields_interpret(struct mime_part *p, const char *type, const char *cte,
			  const char *disp, const char *lang)
{
	if (parse_type(p, type) || parse_encoding(p, cte) ||
	    parse_disposition(p, disp) || parse_language(p, lang))
		return -1;
	return 0;
}
