/* Decoding for SEARCH: RFC 2047 encoded words, transfer encodings (RFC 2045
 * 6.7, 6.8) as streams, a few single-byte charsets to UTF-8, and a
 * case-insensitive matcher that runs over a stream. */
#include "msgparse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- charsets ---- */

enum charset mime_charset_of(const char *name)
{
	static const struct { const char *name; enum charset cs; } known[] = {
		{ "iso-8859-1", CS_LATIN1 }, { "iso8859-1", CS_LATIN1 },
		{ "iso_8859-1", CS_LATIN1 }, { "latin1", CS_LATIN1 },
		{ "iso-8859-15", CS_LATIN9 }, { "iso8859-15", CS_LATIN9 },
		{ "iso_8859-15", CS_LATIN9 }, { "latin9", CS_LATIN9 },
		{ "windows-1252", CS_CP1252 }, { "cp1252", CS_CP1252 },
	};

	for (size_t i = 0; name && i < sizeof known / sizeof known[0]; i++)
		if (strcasecmp(name, known[i].name) == 0)
			return known[i].cs;
	return CS_RAW;		/* UTF-8, US-ASCII, and those we leave alone */
}

/* Code points of 0x80-0x9F in windows-1252 (0: as in Latin-1). */
static const uint16_t cp1252[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

/* Where ISO-8859-15 differs from ISO-8859-1. */
static unsigned latin9(unsigned char c)
{
	switch (c) {
	case 0xA4: return 0x20AC;
	case 0xA6: return 0x0160;
	case 0xA8: return 0x0161;
	case 0xB4: return 0x017D;
	case 0xB8: return 0x017E;
	case 0xBC: return 0x0152;
	case 0xBD: return 0x0153;
	case 0xBE: return 0x0178;
	default: return c;
	}
}

size_t mime_charset_to_utf8(enum charset cs, unsigned char c, char out[3])
{
	unsigned u = c;

	if (cs == CS_RAW || c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (cs == CS_LATIN9)
		u = latin9(c);
	else if (cs == CS_CP1252 && c < 0xA0 && cp1252[c - 0x80])
		u = cp1252[c - 0x80];
	if (u < 0x800) {
		out[0] = (char)(0xC0 | (u >> 6));
		out[1] = (char)(0x80 | (u & 0x3F));
		return 2;
	}
	out[0] = (char)(0xE0 | (u >> 12));
	out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
	out[2] = (char)(0x80 | (u & 0x3F));
	return 3;
}

/* ---- transfer encodings ---- */

enum cte mime_cte_of(const char *encoding)
{
	if (encoding && strcasecmp(encoding, "BASE64") == 0)
		return CTE_BASE64;
	if (encoding && strcasecmp(encoding, "QUOTED-PRINTABLE") == 0)
		return CTE_QP;
	return CTE_IDENTITY;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#define DEC_OUT 1024

struct dec_out {
	char buf[DEC_OUT];
	size_t n;
};

static void put_byte(struct cte_decoder *d, struct dec_out *o, unsigned char c)
{
	if (o->n + 3 > sizeof o->buf) {
		d->sink(d->arg, o->buf, o->n);
		o->n = 0;
	}
	o->n += mime_charset_to_utf8(d->cs, c, o->buf + o->n);
}

void cte_decoder_init(struct cte_decoder *d, enum cte cte, enum charset cs,
		  sink_fn sink, void *arg)
{
	memset(d, 0, sizeof *d);
	d->cte = cte;
	d->cs = cs;
	d->sink = sink;
	d->arg = arg;
}

static void base64_byte(struct cte_decoder *d, struct dec_out *o, unsigned char c)
{
	int v = b64_value(c);

	if (c == '=') {
		d->nbits = 0;		/* padding: the quantum is over */
		return;
	}
	if (v < 0)
		return;			/* line breaks and noise */
	d->bits = (d->bits << 6 | (unsigned)v) & 0xFFFFFF;
	d->nbits += 6;
	if (d->nbits >= 8) {
		d->nbits -= 8;
		put_byte(d, o, (unsigned char)(d->bits >> d->nbits));
	}
}

/* One byte of quoted-printable; states: 0 text, 1 after '=', 2 after '='
 * and a hex digit, 3 after "=\r". */
static void qp_byte(struct cte_decoder *d, struct dec_out *o, unsigned char c)
{
	switch (d->qp) {
	case 1:
		if (hex_value(c) >= 0) {
			d->qp_hex = (char)c;
			d->qp = 2;
		} else {
			d->qp = c == '\r' ? 3 : 0;
			if (c != '\r' && c != '\n') {	/* not a soft break */
				put_byte(d, o, '=');
				qp_byte(d, o, c);
			}
		}
		return;
	case 2:
		d->qp = 0;
		if (hex_value(c) >= 0) {
			put_byte(d, o, (unsigned char)(hex_value((unsigned char)d->qp_hex) << 4 |
						       hex_value(c)));
			return;
		}
		put_byte(d, o, '=');
		put_byte(d, o, (unsigned char)d->qp_hex);
		break;
	case 3:
		d->qp = 0;
		if (c == '\n')
			return;
		put_byte(d, o, '=');
		put_byte(d, o, '\r');
		break;
	}
	if (c == '=')
		d->qp = 1;
	else
		put_byte(d, o, c);
}

void cte_decoder_feed(struct cte_decoder *d, const char *p, size_t n)
{
	struct dec_out o;

	o.n = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (d->cte == CTE_BASE64)
			base64_byte(d, &o, c);
		else if (d->cte == CTE_QP)
			qp_byte(d, &o, c);
		else
			put_byte(d, &o, c);
	}
	if (o.n)
		d->sink(d->arg, o.buf, o.n);
}

void cte_decoder_finish(struct cte_decoder *d)
{
	static const char *const held[] = { "", "=", NULL, "=\r" };
	struct dec_out o;

	o.n = 0;
	if (d->cte == CTE_QP && d->qp == 2) {
		put_byte(d, &o, '=');
		put_byte(d, &o, (unsigned char)d->qp_hex);
	} else if (d->cte == CTE_QP) {
		for (const char *s = held[d->qp]; *s; s++)
			put_byte(d, &o, (unsigned char)*s);
	}
	d->qp = 0;
	if (o.n)
		d->sink(d->arg, o.buf, o.n);
}

/* ---- RFC 2047 ---- */

struct wbuf {
	char *p;
	size_t n, cap;
};

static void wput(struct wbuf *w, const char *s, size_t n)
{
	if (n > w->cap - w->n)
		n = w->cap - w->n;
	memcpy(w->p + w->n, s, n);
	w->n += n;
}

static void wput_cs(struct wbuf *w, enum charset cs, unsigned char c)
{
	char u[3];

	wput(w, u, mime_charset_to_utf8(cs, c, u));
}

/* Decode the text of one encoded word. */
static void ew_text(struct wbuf *w, enum charset cs, char enc, const char *t,
		    size_t n)
{
	unsigned bits = 0, nbits = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		int v;

		if (enc == 'B') {
			if ((v = b64_value(c)) < 0)
				continue;
			bits = (bits << 6 | (unsigned)v) & 0xFFFFFF;
			nbits += 6;
			if (nbits >= 8) {
				nbits -= 8;
				wput_cs(w, cs, (unsigned char)(bits >> nbits));
			}
		} else if (c == '_') {
			wput_cs(w, cs, ' ');
		} else if (c == '=' && i + 2 < n && hex_value((unsigned char)t[i + 1]) >= 0 &&
			   hex_value((unsigned char)t[i + 2]) >= 0) {
			wput_cs(w, cs, (unsigned char)(hex_value((unsigned char)t[i + 1]) << 4 |
						       hex_value((unsigned char)t[i + 2])));
			i += 2;
		} else {
			wput_cs(w, cs, c);
		}
	}
}

/* "=?charset[*lang]?B|Q?text?=" at s (RFC 2047 2, RFC 2231 5); returns its
 * length, 0 when s does not start one. */
static size_t encoded_word(struct wbuf *w, const char *s, size_t n)
{
	const char *q1, *q2, *end, *star;
	char charset[64];
	size_t cn;
	char enc;

	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	q1 = memchr(s + 2, '?', n - 2);
	if (!q1 || q1 + 3 >= s + n || q1[2] != '?')
		return 0;
	enc = (char)(q1[1] & ~0x20);
	if (enc != 'B' && enc != 'Q')
		return 0;
	q2 = q1 + 3;
	for (end = q2; end + 1 < s + n && !(end[0] == '?' && end[1] == '='); end++)
		if (*end == ' ' || *end == '\t')
			return 0;
	if (end + 1 >= s + n)
		return 0;
	cn = (size_t)(q1 - (s + 2));
	if (cn == 0 || cn >= sizeof charset)
		return 0;
	memcpy(charset, s + 2, cn);
	charset[cn] = '\0';
	if ((star = strchr(charset, '*')) != NULL)
		charset[star - charset] = '\0';
	ew_text(w, mime_charset_of(charset), enc, q2, (size_t)(end - q2));
	return (size_t)(end + 2 - s);
}

size_t mime_rfc2047_decode(const char *s, size_t n, char *dst, size_t cap)
{
	struct wbuf w = { dst, 0, cap };
	size_t mark = 0;
	bool after_word = false;	/* only white space since an encoded word */

	for (size_t i = 0; i < n;) {
		size_t k;
		size_t at = w.n;

		if (s[i] == '=' && (k = encoded_word(&w, s + i, n - i)) > 0) {
			if (after_word) {	/* the space between two words goes */
				memmove(w.p + mark, w.p + at, w.n - at);
				w.n -= at - mark;
			}
			after_word = true;
			mark = w.n;
			i += k;
			continue;
		}
		wput(&w, s + i, 1);
		if (!is_wsp(s[i]))
			after_word = false;
		i++;
	}
	return w.n;
}

/* ---- matching ---- */

/* ASCII letters, and Latin-1 capitals (U+00C0-U+00DE but U+00D7) in UTF-8. */
static unsigned char fold(unsigned char c, unsigned char prev)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c + 32);
	if (prev == 0xC3 && c >= 0x80 && c <= 0x9E && c != 0x97)
		return (unsigned char)(c + 0x20);
	return c;
}

int text_matcher_init(struct text_matcher *m, const char *needle, size_t n)
{
	unsigned char prev = 0;
	size_t k = 0;

	memset(m, 0, sizeof *m);
	m->n = n;
	m->pat = malloc(n + 1);
	m->fail = malloc((n + 1) * sizeof *m->fail);
	if (!m->pat || !m->fail) {
		text_matcher_free(m);
		return -1;
	}
	m->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (needle[i] == '\r')
			continue;	/* line breaks compare as LF on both sides */
		m->pat[m->n++] = fold((unsigned char)needle[i], prev);
		prev = (unsigned char)needle[i];
	}
	n = m->n;
	m->fail[0] = 0;
	for (size_t i = 1; i < n; i++) {	/* Knuth-Morris-Pratt */
		while (k > 0 && m->pat[i] != m->pat[k])
			k = m->fail[k - 1];
		if (m->pat[i] == m->pat[k])
			k++;
		m->fail[i] = k;
	}
	m->found = n == 0;
	return 0;
}

void text_matcher_reset(struct text_matcher *m)
{
	m->state = 0;
	m->prev = 0;
	m->found = m->n == 0;
}

void text_matcher_feed(struct text_matcher *m, const char *p, size_t n)
{
	size_t st = m->state;
	unsigned char prev = m->prev;

	for (size_t i = 0; i < n && !m->found; i++) {
		unsigned char c = fold((unsigned char)p[i], prev);

		if (c == '\r')
			continue;
		prev = (unsigned char)p[i];
		while (st > 0 && m->pat[st] != c)
			st = m->fail[st - 1];
		if (m->pat[st] == c && ++st == m->n)
			m->found = true;
	}
	m->state = st;
	m->prev = prev;
}

void text_matcher_free(struct text_matcher *m)
{
	free(m->pat);
	free(m->fail);
	m->pat = NULL;
	m->fail = NULL;
}

bool text_matcher_in(const char *hay, size_t hn, struct text_matcher *m)
{
	text_matcher_reset(m);
	text_matcher_feed(m, hay, hn);
	return m->found;
}
