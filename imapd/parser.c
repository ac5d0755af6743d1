#include "parser.h"
#include "cmdread.h"
#include "imapout.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tok_init(struct tok *t, const struct cmd *c)
{
	memset(t, 0, sizeof *t);
	t->c = c;
	t->cap = c->len + 1;
	t->scratch = malloc(t->cap);
	return t->scratch ? 0 : -1;
}

void tok_free(struct tok *t)
{
	free(t->scratch);
	t->scratch = NULL;
}

static const struct seg *cur(const struct tok *t)
{
	return &t->c->seg[t->seg];
}

static const char *at(const struct tok *t)
{
	return t->c->data + cur(t)->off + t->pos;
}

static size_t left(const struct tok *t)
{
	return cur(t)->len - t->pos;
}

bool tok_end(const struct tok *t)
{
	return t->seg + 1 >= t->c->nseg && left(t) == 0;
}

int tok_peek(const struct tok *t)
{
	return left(t) ? (unsigned char)*at(t) : -1;
}

bool tok_char(struct tok *t, char c)
{
	if (tok_peek(t) != (unsigned char)c)
		return false;
	t->pos++;
	return true;
}

bool tok_sp(struct tok *t)
{
	return tok_char(t, ' ');
}

/* RFC 3501 9: atom-specials are "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]". */
static bool atom_char(int c)
{
	return c != ']' && imap_astring_char((unsigned char)c);
}

static bool astring_char(int c)
{
	return imap_astring_char((unsigned char)c);
}

static bool list_char(int c)
{
	return atom_char(c) || c == '%' || c == '*' || c == ']';
}

static bool span(struct tok *t, bool (*ok)(int), struct str *out)
{
	size_t n = 0;
	const char *p = at(t);

	while (n < left(t) && ok((unsigned char)p[n]))
		n++;
	if (n == 0)
		return false;
	out->p = p;
	out->n = n;
	t->pos += n;
	return true;
}

bool tok_atom(struct tok *t, struct str *out)
{
	return span(t, atom_char, out);
}

static bool tag_char(int c)
{
	return astring_char(c) && c != '+';
}

bool tok_tag(struct tok *t, struct str *out)
{
	return span(t, tag_char, out);
}

bool tok_word(struct tok *t, const char *w)
{
	struct tok save = *t;
	struct str s;

	if (tok_atom(t, &s) && str_ieq(&s, w))
		return true;
	*t = save;
	return false;
}

/* "{n}" or "{n+}" closing the current text segment: the literal follows. */
static bool literal(struct tok *t, struct str *out)
{
	const char *p = at(t);
	size_t n = left(t);
	const struct seg *lit;

	if (n < 3 || p[0] != '{' || p[n - 1] != '}' || t->seg + 2 >= t->c->nseg)
		return false;
	for (size_t i = 1; i < n - 1; i++)
		if (!isdigit((unsigned char)p[i]) && !(p[i] == '+' && i == n - 2))
			return false;
	lit = &t->c->seg[t->seg + 1];
	if (!lit->literal)
		return false;
	out->p = t->c->data + lit->off;
	out->n = lit->len;
	t->big = lit->big;
	t->seg += 2;		/* the text after the literal */
	t->pos = 0;
	return true;
}

/* Quoted strings: 7-bit TEXT-CHARs, with \" and \\ (RFC 3501 9). */
static bool quoted(struct tok *t, struct str *out)
{
	const char *p = at(t);
	size_t n = left(t), o = 0;
	char *dst = t->scratch + t->used;

	if (n == 0 || p[0] != '"')
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"') {
			out->p = dst;
			out->n = o;
			t->used += o;
			t->pos += i + 1;
			return true;
		}
		if (c == '\\') {
			if (++i >= n || (p[i] != '"' && p[i] != '\\'))
				return false;
			c = (unsigned char)p[i];
		} else if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) {
			return false;
		}
		dst[o++] = (char)c;
	}
	return false;
}

bool tok_string(struct tok *t, struct str *out)
{
	t->big = false;
	return quoted(t, out) || literal(t, out);
}

bool tok_astring(struct tok *t, struct str *out)
{
	return tok_string(t, out) || span(t, astring_char, out);
}

bool tok_nstring(struct tok *t, struct str *out, bool *nil)
{
	*nil = tok_word(t, "NIL");
	return *nil || tok_string(t, out);
}

bool tok_list_mailbox(struct tok *t, struct str *out)
{
	return tok_string(t, out) || span(t, list_char, out);
}

bool tok_flag(struct tok *t, struct str *out, bool star_ok)
{
	const char *p = at(t);
	struct str a;

	if (tok_peek(t) != '\\')
		return tok_atom(t, out);
	t->pos++;
	if (star_ok && tok_char(t, '*')) {
		out->p = p;
		out->n = 2;
		return true;
	}
	if (!tok_atom(t, &a))
		return false;
	out->p = p;
	out->n = a.n + 1;
	return true;
}

bool tok_number64(struct tok *t, uint64_t *n)
{
	const char *p = at(t);
	size_t i = 0;
	uint64_t v = 0;

	while (i < left(t) && isdigit((unsigned char)p[i])) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i++] - '0');
	}
	if (i == 0)
		return false;
	t->pos += i;
	*n = v;
	return true;
}

bool tok_number(struct tok *t, uint32_t *n)
{
	struct tok save = *t;
	uint64_t v;

	if (!tok_number64(t, &v) || v > UINT32_MAX) {
		*t = save;
		return false;
	}
	*n = (uint32_t)v;
	return true;
}

bool tok_nz_number(struct tok *t, uint32_t *n)
{
	return tok_number(t, n) && *n != 0;
}

static bool seq_number(struct tok *t, uint32_t *n)
{
	if (tok_char(t, '*')) {
		*n = SEQ_STAR;
		return true;
	}
	return tok_nz_number(t, n);
}

bool tok_seqset(struct tok *t, struct seqset *set)
{
	set->n = 0;
	do {
		uint32_t lo, hi;

		if (set->n >= IMAP_SEQSET_MAX || !seq_number(t, &lo))
			return false;
		hi = lo;
		if (tok_char(t, ':') && !seq_number(t, &hi))
			return false;
		set->lo[set->n] = lo;
		set->hi[set->n] = hi;
		set->n++;
	} while (tok_char(t, ','));
	return true;
}

void seqset_range(const struct seqset *set, unsigned r, uint32_t star,
		  uint32_t *lo, uint32_t *hi)
{
	uint32_t a = set->lo[r] == SEQ_STAR ? star : set->lo[r];
	uint32_t b = set->hi[r] == SEQ_STAR ? star : set->hi[r];

	/* "559:*" with 559 above every UID still takes the last one
	 * (RFC 3501 6.4.8): ordering the ends gives exactly that. */
	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

bool seqset_contains(const struct seqset *set, uint32_t n, uint32_t star)
{
	for (unsigned r = 0; r < set->n; r++) {
		uint32_t lo, hi;

		seqset_range(set, r, star, &lo, &hi);
		if (n >= lo && n <= hi)
			return true;
	}
	return false;
}

static int month_of(const char *m)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	for (int i = 0; i < 12; i++)
		if (strncasecmp(months + 3 * i, m, 3) == 0)
			return i;
	return -1;
}

/* "d-Mon-yyyy" at p (n bytes): day start, UTC. */
static bool parse_day(const char *p, size_t n, struct tm *tm, size_t *used)
{
	size_t i = 0;
	int day = 0;

	while (i < n && i < 2 && isdigit((unsigned char)p[i]))
		day = day * 10 + (p[i++] - '0');
	if (i == 0 || i + 9 > n || p[i] != '-' || p[i + 4] != '-')
		return false;
	memset(tm, 0, sizeof *tm);
	tm->tm_mday = day;
	tm->tm_mon = month_of(p + i + 1);
	for (size_t k = i + 5; k < i + 9; k++) {
		if (!isdigit((unsigned char)p[k]))
			return false;
		tm->tm_year = tm->tm_year * 10 + (p[k] - '0');
	}
	tm->tm_year -= 1900;
	*used = i + 9;
	return tm->tm_mon >= 0 && day >= 1 && day <= 31 && tm->tm_year >= 0;
}

bool tok_date(struct tok *t, time_t *day)
{
	struct tok save = *t;
	struct str s;
	struct tm tm;
	size_t used;

	if (!tok_string(t, &s) && !tok_atom(t, &s))
		return false;
	if (!parse_day(s.p, s.n, &tm, &used) || used != s.n) {
		*t = save;
		return false;
	}
	*day = timegm(&tm);
	return true;
}

bool tok_date_time(struct tok *t, time_t *when)
{
	struct tok save = *t;
	struct str s;
	struct tm tm;
	size_t used;
	const char *p;
	int hh, mm, ss, zone;

	if (!tok_string(t, &s) || s.n != 26)
		goto fail;
	p = s.p;
	/* date-day-fixed: a space or a digit, then a digit */
	{
		char d[12];
		size_t k = p[0] == ' ' ? 1 : 0;
		memcpy(d, p + k, 11 - k);
		if (!parse_day(d, 11 - k, &tm, &used) || used != 11 - k)
			goto fail;
	}
	p += 11;
	if (p[0] != ' ' || p[3] != ':' || p[6] != ':' || p[9] != ' ' ||
	    (p[10] != '+' && p[10] != '-'))
		goto fail;
	for (int k = 1; k < 15; k++)
		if (k != 3 && k != 6 && k != 9 && k != 10 && !isdigit((unsigned char)p[k]))
			goto fail;
	hh = (p[1] - '0') * 10 + (p[2] - '0');
	mm = (p[4] - '0') * 10 + (p[5] - '0');
	ss = (p[7] - '0') * 10 + (p[8] - '0');
	zone = ((p[11] - '0') * 10 + (p[12] - '0')) * 60 + (p[13] - '0') * 10 + (p[14] - '0');
	if (hh > 23 || mm > 59 || ss > 60)
		goto fail;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	*when = timegm(&tm) - (p[10] == '+' ? 1 : -1) * (time_t)zone * 60;
	return true;
fail:
	*t = save;
	return false;
}

bool str_copy(const struct str *s, char *dst, size_t dstsz)
{
	if (s->n >= dstsz || memchr(s->p, '\0', s->n))
		return false;
	memcpy(dst, s->p, s->n);
	dst[s->n] = '\0';
	return true;
}

bool str_ieq(const struct str *s, const char *w)
{
	return strlen(w) == s->n && strncasecmp(s->p, w, s->n) == 0;
}
