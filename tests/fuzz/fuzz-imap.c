/* IMAP command arguments: imapd's tokenizer (parser.h) over commands cut
 * from the input as cmdread.c cuts them (imapcmd.h: lines, and literals
 * after "{n}").
 *
 * Each command is walked token by token.  At every token start each
 * tokenizer function runs on a copy of the tokenizer, and what it returns
 * is checked against RFC 3501's grammar (section 9) written out here:
 * atoms, tags, quoted strings (unescaped, never a CR, LF, NUL or 8-bit
 * byte), literals (exactly the literal's bytes), astrings, list-mailbox,
 * flags, numbers, sequence sets (each range resolves to lo <= hi whatever
 * "*" is, and seqset_contains() agrees with the ranges), date and
 * date-time (the time a calendar gives).  Every string that could name a
 * mailbox goes through mailbox_name_valid() and mailbox_name(), which must
 * follow the naming rules of spool.h.  FETCH's attribute list goes through
 * fetch.c's own parser, and each BODY[section] must name itself
 * (section_write_name) in a way that parses back to the same section;
 * section_parse() also gets every line and literal as it is.  LIST and
 * LSUB arguments go to listpat_init(), which refuses only what is too long.
 *
 * Input: a client's side of a session (no control bytes). */
#include "fuzz.h"
#include "imapcmd.h"

#include "listmatch.h"
#include "spool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* fetch.c keeps its attribute parser private: including the file gives
 * this target the parser FETCH really uses.  Its handler is renamed so that
 * it does not clash with the one in the archive. */
#define cmd_fetch fuzz_cmd_fetch_unused
#include "fetch.c"
#undef cmd_fetch

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Never flushed (outputs stay far below its buffer): no write, no timer. */
static struct lout out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet_log();
	lout_init(&out, -1, 1);
	return 0;
}

/* ---- RFC 3501 9, written out ---- */

static bool rfc_ctl(uint8_t c)
{
	return c <= 0x1f || c == 0x7f;
}

/* ATOM-CHAR: any CHAR but atom-specials ("(" ")" "{" SP CTL list-wildcards
 * quoted-specials resp-specials). */
static bool rfc_atom(uint8_t c)
{
	if (c >= 0x80 || c == ' ' || rfc_ctl(c))
		return false;
	switch (c) {
	case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
		return false;
	default:
		return true;
	}
}

static bool rfc_astring(uint8_t c)
{
	return rfc_atom(c) || c == ']';
}

static bool rfc_list(uint8_t c)
{
	return rfc_astring(c) || c == '%' || c == '*';
}

static bool rfc_tag(uint8_t c)
{
	return rfc_astring(c) && c != '+';
}

static bool rfc_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* ---- where the tokenizer is ---- */

static const uint8_t *here(const struct tok *t)
{
	return (const uint8_t *)t->c->data + t->c->seg[t->seg].off + t->pos;
}

static size_t rest(const struct tok *t)
{
	return t->c->seg[t->seg].len - t->pos;
}

static bool same_place(const struct tok *a, const struct tok *b)
{
	return a->seg == b->seg && a->pos == b->pos;
}

/* Bytes taken from `before` to `after` within one text segment. */
static size_t taken(const struct tok *before, const struct tok *after, const char *what)
{
	FZ_CHECK(after->seg == before->seg && after->pos >= before->pos &&
		 after->pos <= after->c->seg[after->seg].len,
		 "%s: tokenizer moved from %u:%zu to %u:%zu", what, before->seg, before->pos,
		 after->seg, after->pos);
	return after->pos - before->pos;
}

static size_t run_of(const struct tok *t, bool (*ok)(uint8_t))
{
	const uint8_t *p = here(t);
	size_t n = 0;

	while (n < rest(t) && ok(p[n]))
		n++;
	return n;
}

/* A bare token: the longest run of its characters, at least one. */
static void check_span(const struct tok *before, const struct tok *after, bool ok,
		       const struct str *s, bool (*cls)(uint8_t), const char *what)
{
	size_t want = run_of(before, cls);

	if (!ok) {
		FZ_CHECK(want == 0, "%s refused a run of %zu", what, want);
		return;
	}
	FZ_CHECK(want > 0 && taken(before, after, what) == want && s->n == want &&
		 (const uint8_t *)s->p == here(before),
		 "%s took %zu bytes of a run of %zu", what, s->n, want);
}

/* ---- strings ---- */

/* quoted = DQUOTE *QUOTED-CHAR DQUOTE, into buf: its length, -1 if none. */
static long model_quoted(const uint8_t *p, size_t n, char *buf, size_t *used)
{
	size_t o = 0;

	if (n == 0 || p[0] != '"')
		return -1;
	for (size_t i = 1; i < n; i++) {
		uint8_t c = p[i];

		if (c == '"') {
			*used = i + 1;
			return (long)o;
		}
		if (c == '\\') {
			if (i + 1 >= n || (p[i + 1] != '"' && p[i + 1] != '\\'))
				return -1;
			c = p[++i];
		} else if (c == '\r' || c == '\n' || c == '\0' || c >= 0x80) {
			return -1;
		}
		buf[o++] = (char)c;
	}
	return -1;
}

/* "{" number ["+"] "}" as the whole rest of the segment: its number. */
static bool model_marker(const uint8_t *p, size_t n, uint64_t *v)
{
	size_t i = 1;

	if (n < 3 || p[0] != '{' || p[n - 1] != '}')
		return false;
	*v = 0;
	for (; i < n - 1 && rfc_digit(p[i]); i++)
		*v = *v > UINT64_MAX / 10 - 1 ? UINT64_MAX : *v * 10 + (uint64_t)(p[i] - '0');
	if (i == 1)
		return false;
	if (i == n - 2 && p[i] == '+')
		i++;
	return i == n - 1;
}

static bool inside(const struct tok *t, const struct str *s)
{
	uintptr_t p = (uintptr_t)s->p, d = (uintptr_t)t->c->data, sc = (uintptr_t)t->scratch;

	return (p >= d && p + s->n <= d + t->c->len) ||
	       (p >= sc && p + s->n <= sc + t->used);
}

/* tok_string (and the string forms of astring and list-mailbox). */
static void check_string(const struct tok *before, const struct tok *after, bool ok,
			 const struct str *s, const char *what)
{
	const uint8_t *p = here(before);
	size_t n = rest(before), used = 0;
	char *buf = malloc(n + 1);
	long q;
	uint64_t num;

	if (!buf)
		fz_fail("out of memory");
	q = model_quoted(p, n, buf, &used);
	if (n > 0 && p[0] == '"') {
		FZ_CHECK(ok == (q >= 0), "%s: quoted string %s", what, ok ? "taken" : "refused");
		if (ok) {
			FZ_CHECK(taken(before, after, what) == used, "%s: quoted string length", what);
			fz_same("quoted string", s->p, s->n, buf, (size_t)q);
			for (size_t i = 0; i < s->n; i++)
				FZ_CHECK(s->p[i] != '\r' && s->p[i] != '\n' && s->p[i] != '\0' &&
					 (uint8_t)s->p[i] < 0x80,
					 "%s: byte 0x%02x in a quoted string", what, (uint8_t)s->p[i]);
		}
	} else if (ok) {
		const struct seg *lit;

		FZ_CHECK(model_marker(p, n, &num) && before->seg + 2 < before->c->nseg &&
			 before->c->seg[before->seg + 1].literal &&
			 after->seg == before->seg + 2 && after->pos == 0,
			 "%s: a literal where there is none", what);
		lit = &before->c->seg[before->seg + 1];
		FZ_CHECK(num == lit->len, "%s: {%llu} gave %zu bytes", what,
			 (unsigned long long)num, lit->len);
		fz_same("literal", s->p, s->n, before->c->data + lit->off, lit->len);
	}
	if (ok)
		FZ_CHECK(inside(after, s), "%s: result outside the command", what);
	free(buf);
}

static bool string_start(const struct tok *t)
{
	return rest(t) > 0 && (here(t)[0] == '"' || here(t)[0] == '{');
}

/* astring and list-mailbox: a string, or a bare run of their characters. */
static void check_either(const struct tok *before, const struct tok *after, bool ok,
			 const struct str *s, bool (*cls)(uint8_t), const char *what)
{
	if (string_start(before))
		check_string(before, after, ok, s, what);
	else
		check_span(before, after, ok, s, cls, what);
}

/* ---- mailbox names (spool.h) ---- */

static bool model_name_ok(const char *p, size_t n)
{
	size_t level = 0, levels = 1;

	if (n == 0 || n > MAILBOX_NAME_MAX)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || p[i] == '/') {
			if (level == 0 || level > MAILBOX_COMPONENT_MAX)
				return false;	/* empty or too long */
			if (p[i - level] == '.')
				return false;	/* ".", "..", the store's own files */
			level = 0;
			levels++;
			continue;
		}
		if ((uint8_t)p[i] < 0x20 || (uint8_t)p[i] > 0x7e)
			return false;
		level++;
	}
	return levels - 1 <= MAILBOX_DEPTH_MAX;
}

static void check_mailbox(const struct str *s)
{
	char dst[MAILBOX_NAME_MAX + 1];
	bool valid = mailbox_name_valid(s->p, s->n);
	bool inbox = s->n == 5 && strncasecmp(s->p, "INBOX", 5) == 0;

	FZ_CHECK(valid == model_name_ok(s->p, s->n), "mailbox_name_valid says %s for '%.*s'",
		 valid ? "yes" : "no", (int)s->n, s->p);
	memset(dst, 'x', sizeof dst);
	if (!mailbox_name(s->p, s->n, dst)) {
		FZ_CHECK(!valid && !inbox, "mailbox_name refused a valid name");
		return;
	}
	if (inbox)
		FZ_CHECK(strcmp(dst, "INBOX") == 0, "INBOX in any case is not INBOX");
	else
		FZ_CHECK(valid && strlen(dst) == s->n && memcmp(dst, s->p, s->n) == 0,
			 "mailbox_name changed '%.*s'", (int)s->n, s->p);
}

/* ---- numbers ---- */

static void check_number(const struct tok *t)
{
	size_t digits = run_of(t, rfc_digit);
	const uint8_t *p = here(t);
	uint64_t v = 0, v64;
	uint32_t v32;
	bool over = false, ok;
	struct tok c = *t;

	for (size_t i = 0; i < digits; i++) {
		over |= v > (UINT64_MAX - (uint64_t)(p[i] - '0')) / 10;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	ok = tok_number64(&c, &v64);
	if (ok)
		FZ_CHECK(!over && digits > 0 && v64 == v && taken(t, &c, "tok_number64") == digits,
			 "tok_number64 read %llu from %zu digits", (unsigned long long)v64, digits);
	else
		FZ_CHECK(same_place(t, &c) && (digits == 0 || over || v >= 10000000000000000000ull),
			 "tok_number64 refused %llu", (unsigned long long)v);
	c = *t;
	if (tok_number(&c, &v32))
		FZ_CHECK(ok && v <= UINT32_MAX && v32 == v && taken(t, &c, "tok_number") == digits,
			 "tok_number read %u", v32);
	else
		FZ_CHECK(same_place(t, &c) && (!ok || v > UINT32_MAX), "tok_number refused %llu",
			 (unsigned long long)v);
	c = *t;
	if (tok_nz_number(&c, &v32))
		FZ_CHECK(v32 != 0 && v32 == v, "tok_nz_number read %u", v32);
	else
		FZ_CHECK(!ok || v == 0 || v > UINT32_MAX, "tok_nz_number refused %llu",
			 (unsigned long long)v);
}

/* ---- sequence sets ---- */

/* seq-number: nz-number (up to 2^32-1) or "*". */
static bool model_seq_number(const uint8_t *p, size_t n, size_t *i, uint32_t *v)
{
	uint64_t x = 0;
	size_t k = *i;

	if (k < n && p[k] == '*') {
		*v = SEQ_STAR;
		*i = k + 1;
		return true;
	}
	while (k < n && rfc_digit(p[k]) && x <= UINT32_MAX)
		x = x * 10 + (uint64_t)(p[k++] - '0');
	if (k == *i || x == 0 || x > UINT32_MAX || (k < n && rfc_digit(p[k])))
		return false;
	*v = (uint32_t)x;
	*i = k;
	return true;
}

/* sequence-set = (seq-number / seq-range) ["," sequence-set]; the ranges
 * in *m and the bytes they take, or 0 when there is none. */
static size_t model_seqset(const uint8_t *p, size_t n, struct seqset *m)
{
	size_t i = 0;

	m->n = 0;
	do {
		uint32_t lo, hi;

		if (m->n >= IMAP_SEQSET_MAX || !model_seq_number(p, n, &i, &lo))
			return 0;
		hi = lo;
		if (i < n && p[i] == ':' && (++i, !model_seq_number(p, n, &i, &hi)))
			return 0;
		m->lo[m->n] = lo;
		m->hi[m->n] = hi;
		m->n++;
	} while (i < n && p[i] == ',' && ++i);
	return i;
}

static uint32_t star_is(uint32_t v, uint32_t star)
{
	return v == SEQ_STAR ? star : v;
}

static bool model_contains(const struct seqset *set, uint32_t x, uint32_t star)
{
	for (unsigned r = 0; r < set->n; r++) {
		uint32_t a = star_is(set->lo[r], star), b = star_is(set->hi[r], star);

		if ((x >= a && x <= b) || (x >= b && x <= a))
			return true;
	}
	return false;
}

static void check_contains(const struct seqset *set, uint32_t x, uint32_t star)
{
	FZ_CHECK(seqset_contains(set, x, star) == model_contains(set, x, star),
		 "seqset_contains(%u) with * = %u is wrong", x, star);
}

static void check_resolve(const struct seqset *set, uint32_t star)
{
	check_contains(set, 0, star);
	check_contains(set, star, star);
	check_contains(set, UINT32_MAX, star);
	for (unsigned r = 0; r < set->n; r++) {
		uint32_t a = star_is(set->lo[r], star), b = star_is(set->hi[r], star);
		uint32_t lo, hi;

		seqset_range(set, r, star, &lo, &hi);
		FZ_CHECK(lo <= hi && ((lo == a && hi == b) || (lo == b && hi == a)),
			 "range %u resolves to %u:%u, written %u:%u with * = %u", r, lo, hi,
			 set->lo[r], set->hi[r], star);
		check_contains(set, lo - 1, star);
		check_contains(set, lo, star);
		check_contains(set, hi, star);
		check_contains(set, hi + 1, star);
	}
}

static void check_seqset(const struct tok *t)
{
	static struct seqset got, want;
	struct tok c = *t;
	size_t len = model_seqset(here(t), rest(t), &want);
	bool ok = tok_seqset(&c, &got);

	FZ_CHECK(ok == (len > 0), "tok_seqset %s a set", ok ? "took" : "refused");
	if (!ok)
		return;
	FZ_CHECK(taken(t, &c, "tok_seqset") == len && got.n == want.n &&
		 memcmp(got.lo, want.lo, got.n * sizeof got.lo[0]) == 0 &&
		 memcmp(got.hi, want.hi, got.n * sizeof got.hi[0]) == 0,
		 "tok_seqset read %u ranges, the grammar %u", got.n, want.n);
	check_resolve(&got, 0);
	check_resolve(&got, 1);
	check_resolve(&got, got.hi[0] ^ 0x5a5a);
	check_resolve(&got, UINT32_MAX);
}

/* ---- dates ---- */

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Leap years in [1, y). */
static int64_t leaps_before(int64_t y)
{
	return (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400;
}

/* Unix time of a calendar date (a day past the month's end runs into the
 * next month, as timegm() lets it). */
static int64_t calendar(int64_t y, int mon, int day)
{
	static const int before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	int64_t days = 365 * (y - 1970) + leaps_before(y) - leaps_before(1970);

	days += before[mon] + (mon >= 2 && leap(y)) + day - 1;
	return days * 86400;
}

/* "d-Mon-yyyy" (day 1-31, year from 1900, as parser.c accepts it). */
static bool model_day(const uint8_t *p, size_t n, int64_t *when)
{
	static const char *const months[] = {
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
	};
	size_t d = 0;
	int day = 0, mon = -1, year = 0;

	while (d < n && d < 2 && rfc_digit(p[d]))
		day = day * 10 + (p[d++] - '0');
	if (d == 0 || n != d + 9 || p[d] != '-' || p[d + 4] != '-')
		return false;
	for (int m = 0; m < 12; m++)
		if (strncasecmp((const char *)p + d + 1, months[m], 3) == 0 &&
		    memchr(p + d + 1, '\0', 3) == NULL)
			mon = m;
	for (size_t k = d + 5; k < n; k++) {
		if (!rfc_digit(p[k]))
			return false;
		year = year * 10 + (p[k] - '0');
	}
	if (mon < 0 || day < 1 || day > 31 || year < 1900)
		return false;
	*when = calendar(year, mon, day);
	return true;
}

static void check_date(const struct tok *t)
{
	struct tok c = *t, s = *t;
	struct str v;
	int64_t want = 0;
	bool valid = false;
	time_t got;

	if (tok_string(&s, &v) || (s = *t, tok_atom(&s, &v)))
		valid = model_day((const uint8_t *)v.p, v.n, &want);
	if (tok_date(&c, &got))
		FZ_CHECK(valid && (int64_t)got == want && same_place(&c, &s),
			 "tok_date read %lld, the calendar says %lld", (long long)got,
			 valid ? (long long)want : -1LL);
	else
		FZ_CHECK(!valid && same_place(&c, t), "tok_date refused a date");
}

static int two(const uint8_t *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time
 * SP zone DQUOTE, here without the quotes; -1 if not (or out of range). */
static bool model_date_time(const uint8_t *p, size_t n, int64_t *when)
{
	static const uint8_t digits[] = { 12, 13, 15, 16, 18, 19, 22, 23, 24, 25 };
	uint8_t day[11];
	int64_t d;
	int hh, mm, ss, zone;

	if (n != 26 || p[11] != ' ' || p[14] != ':' || p[17] != ':' || p[20] != ' ' ||
	    (p[21] != '+' && p[21] != '-'))
		return false;
	for (size_t i = 0; i < sizeof digits; i++)
		if (!rfc_digit(p[digits[i]]))
			return false;
	/* date-day-fixed = (SP DIGIT) / 2DIGIT */
	if (!rfc_digit(p[1]) || (p[0] != ' ' && !rfc_digit(p[0])))
		return false;
	memcpy(day, p, 11);
	if (p[0] == ' ')
		day[0] = '0';
	if (!model_day(day, 11, &d))
		return false;
	hh = two(p + 12);
	mm = two(p + 15);
	ss = two(p + 18);
	zone = two(p + 22) * 60 + two(p + 24);
	if (hh > 23 || mm > 59 || ss > 60)
		return false;
	*when = d + hh * 3600 + mm * 60 + ss - (p[21] == '+' ? 1 : -1) * (int64_t)zone * 60;
	return true;
}

static void check_date_time(const struct tok *t)
{
	struct tok c = *t, s = *t;
	struct str v;
	int64_t want;
	bool valid = false;
	time_t got;

	if (tok_string(&s, &v))
		valid = model_date_time((const uint8_t *)v.p, v.n, &want);
	if (tok_date_time(&c, &got))
		FZ_CHECK(valid && (int64_t)got == want && same_place(&c, &s),
			 "tok_date_time read %lld, the calendar says %lld", (long long)got,
			 valid ? (long long)want : -1LL);
	else
		FZ_CHECK(!valid && same_place(&c, t), "tok_date_time refused a date-time");
}

/* ---- flags ---- */

/* flag: "\" atom or a keyword (atom); "\*" where it is allowed. */
static size_t model_flag(const struct tok *t, bool star_ok)
{
	const uint8_t *p = here(t);
	size_t n = rest(t), a = 0;

	if (n == 0 || p[0] != '\\')
		return run_of(t, rfc_atom);
	if (star_ok && n >= 2 && p[1] == '*')
		return 2;
	while (1 + a < n && rfc_atom(p[1 + a]))
		a++;
	return a ? 1 + a : 0;
}

static void check_flag(const struct tok *t, bool star_ok)
{
	struct tok c = *t;
	struct str s;
	size_t want = model_flag(t, star_ok);

	if (!tok_flag(&c, &s, star_ok)) {
		FZ_CHECK(want == 0, "tok_flag refused a flag of %zu bytes", want);
		return;
	}
	FZ_CHECK(want > 0 && taken(t, &c, "tok_flag") == want && s.n == want &&
		 (const uint8_t *)s.p == here(t), "tok_flag took %zu bytes, not %zu", s.n, want);
}

/* ---- every tokenizer at one place ---- */

static void probe(const struct tok *t)
{
	struct tok c;
	struct str s;
	bool ok, nil;

	FZ_CHECK((tok_peek(t) < 0) == (rest(t) == 0) &&
		 tok_end(t) == (t->seg + 1 >= t->c->nseg && rest(t) == 0),
		 "tok_peek or tok_end disagrees with the position");
	c = *t;
	check_span(t, &c, tok_atom(&c, &s), &s, rfc_atom, "tok_atom");
	c = *t;
	check_span(t, &c, tok_tag(&c, &s), &s, rfc_tag, "tok_tag");
	c = *t;
	nil = run_of(t, rfc_atom) == 3 && strncasecmp((const char *)here(t), "NIL", 3) == 0;
	ok = tok_word(&c, "NIL");
	FZ_CHECK(ok == nil && (ok ? taken(t, &c, "tok_word") == 3 : same_place(t, &c)),
		 "tok_word(NIL) is wrong");
	c = *t;
	check_string(t, &c, tok_string(&c, &s), &s, "tok_string");
	c = *t;
	ok = tok_astring(&c, &s);
	check_either(t, &c, ok, &s, rfc_astring, "tok_astring");
	if (ok)
		check_mailbox(&s);
	c = *t;
	ok = tok_list_mailbox(&c, &s);
	check_either(t, &c, ok, &s, rfc_list, "tok_list_mailbox");
	if (ok)
		check_mailbox(&s);
	c = *t;
	if (tok_nstring(&c, &s, &nil) && !nil)
		FZ_CHECK(string_start(t), "tok_nstring took a bare string");
	check_flag(t, false);
	check_flag(t, true);
	check_number(t);
	check_seqset(t);
	check_date(t);
	check_date_time(t);
}

/* On to the next token: a string, a flag, a bare token or one byte. */
static bool advance(struct tok *t)
{
	struct tok c = *t;
	struct str s;

	if (tok_string(&c, &s) || (c = *t, tok_flag(&c, &s, true)) ||
	    (c = *t, tok_list_mailbox(&c, &s))) {
		*t = c;
		return true;
	}
	if (rest(t) == 0)
		return false;	/* a literal marker not at its end: nowhere to go */
	t->pos++;
	return true;
}

static void walk(const struct cmd *cmd)
{
	struct tok t;

	if (tok_init(&t, cmd) != 0)
		fz_fail("out of memory");
	for (unsigned steps = 0; !tok_end(&t); steps++) {
		FZ_CHECK(steps <= cmd->len + cmd->nseg, "the walk does not end");
		probe(&t);
		if (!advance(&t))
			break;
	}
	probe(&t);
	tok_free(&t);
}

/* ---- sections ---- */

static void check_section(const struct section *s, const char *what)
{
	bool fields = s->text == SEC_FIELDS || s->text == SEC_FIELDS_NOT;
	size_t at = 0;

	FZ_CHECK(s->nparts <= SECTION_PARTS_MAX && s->text <= SEC_MIME &&
		 (s->text != SEC_MIME || s->nparts > 0) &&
		 (fields ? s->nfields > 0 : s->nfields == 0) && s->nfields <= SECTION_FIELDS_MAX,
		 "%s: a section out of shape", what);
	for (unsigned i = 0; i < s->nparts; i++)
		FZ_CHECK(s->part[i] > 0, "%s: part number 0", what);
	for (unsigned i = 0; i < s->nfields; i++) {
		FZ_CHECK(s->field_off[i] == at && s->field_len[i] > 0 &&
			 at + s->field_len[i] < SECTION_NAMES_SIZE &&
			 strlen(s->names + at) == s->field_len[i],
			 "%s: field name %u out of place", what, i);
		at += s->field_len[i] + 1u;
	}
}

static bool same_section(const struct section *a, const struct section *b)
{
	if (a->nparts != b->nparts || a->text != b->text || a->nfields != b->nfields ||
	    memcmp(a->part, b->part, a->nparts * sizeof a->part[0]) != 0)
		return false;
	for (unsigned i = 0; i < a->nfields; i++)
		if (a->field_len[i] != b->field_len[i] ||
		    memcmp(a->names + a->field_off[i], b->names + b->field_off[i],
			   a->field_len[i]) != 0)
			return false;
	return true;
}

/* The name a FETCH response gives the section parses back to it. */
static void check_section_name(const struct section *s)
{
	static struct section back;
	const char *p = out.buf;

	out.len = 0;
	section_write_name(&out, s);
	FZ_CHECK(!out.failed && out.len >= 6 && memcmp(p, "BODY[", 5) == 0 &&
		 p[out.len - 1] == ']', "section_write_name wrote no BODY[...]");
	FZ_CHECK(section_parse(p + 5, out.len - 6, &back) == 0,
		 "section_write_name wrote '%.*s', which does not parse", (int)out.len, p);
	FZ_CHECK(same_section(s, &back), "'%.*s' parses to another section", (int)out.len, p);
}

static void parse_section(const char *p, size_t n)
{
	static struct section s;

	if (section_parse(p, n, &s) != 0)
		return;
	check_section(&s, "section_parse");
	check_section_name(&s);
}

/* ---- commands as their handlers read them ---- */

/* RFC822, RFC822.HEADER and RFC822.TEXT: BODY[], BODY.PEEK[HEADER] and
 * BODY[TEXT] (RFC 3501 6.4.5). */
static void check_alias(const struct fetch_item *it)
{
	enum section_text want = SEC_TEXT;

	if (strcmp(it->alias, "RFC822") == 0)
		want = SEC_BODY;
	else if (strcmp(it->alias, "RFC822.HEADER") == 0)
		want = SEC_HEADER;
	FZ_CHECK(it->sec.nparts == 0 && it->sec.nfields == 0 && it->sec.text == want &&
		 it->peek == (want == SEC_HEADER), "FETCH: %s is not what it stands for",
		 it->alias);
}

static void check_fetch(const struct fetch *f)
{
	bool seen = false;

	FZ_CHECK(f->n > 0 && f->n <= FETCH_ITEMS_MAX, "FETCH: %u items", f->n);
	for (unsigned i = 0; i < f->n; i++) {
		const struct fetch_item *it = &f->item[i];

		FZ_CHECK(it->kind <= FA_SECTION, "FETCH: item kind %d", (int)it->kind);
		if (it->kind != FA_SECTION)
			continue;
		seen |= !it->peek;
		check_section(&it->sec, "FETCH");
		FZ_CHECK(!it->partial || !it->alias,
			 "FETCH: partial <%u.%u>", it->origin, it->count);
		if (it->alias)
			check_alias(it);
		else
			check_section_name(&it->sec);
	}
	FZ_CHECK(f->sets_seen == seen, "FETCH: sets_seen is %d", f->sets_seen);
}

static void fetch_args(struct tok *t)
{
	static struct fetch f;
	struct seqset set;

	memset(&f, 0, sizeof f);
	if (tok_sp(t) && tok_seqset(t, &set) && tok_sp(t) && parse_items(t, &f))
		check_fetch(&f);
}

static void list_args(struct tok *t)
{
	static struct listpat lp;
	struct str ref, pat;
	bool slash;

	if (!tok_sp(t) || !tok_astring(t, &ref) || !tok_sp(t) || !tok_list_mailbox(t, &pat))
		return;
	slash = ref.n && pat.n && ref.p[ref.n - 1] != '/';
	FZ_CHECK(listpat_init(&lp, ref.p, ref.n, pat.p, pat.n) ==
		 (ref.n + slash + pat.n <= LISTPAT_MAX),
		 "listpat_init on %zu + %zu bytes", ref.n, pat.n);
}

static void command(const struct cmd *cmd)
{
	struct tok t;
	struct str tag, w;

	if (tok_init(&t, cmd) != 0)
		fz_fail("out of memory");
	if (tok_tag(&t, &tag) && tok_sp(&t) && tok_atom(&t, &w)) {
		if (str_ieq(&w, "UID") && tok_sp(&t))
			tok_atom(&t, &w);
		if (str_ieq(&w, "FETCH"))
			fetch_args(&t);
		else if (str_ieq(&w, "LIST") || str_ieq(&w, "LSUB"))
			list_args(&t);
	}
	tok_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	static struct cmd c;

	while (imapcmd_next(&f, &c)) {
		walk(&c);
		command(&c);
		for (unsigned i = 0; i < c.nseg; i++)
			parse_section(c.data + c.seg[i].off, c.seg[i].len);
		imapcmd_free(&c);
	}
	return 0;
}
