/* The message structure (message.h, written out by imapd's msgwrite.h and
 * section.h) and SEARCH's view of a message (msgsearch.h), on a message
 * made of the input and stored as the store would hold it (mboxmsg.h: the
 * mbox quoter, a From_ line, a message after).
 *
 * mime_parse() gives a tree within its bounds (IMAP_MIME_DEPTH_MAX,
 * IMAP_MIME_PARTS_MAX), each part inside its parent, after its elder
 * sibling, with upper-case type names, the wire sizes of its header and
 * body and the line ends of its body.  BODYSTRUCTURE and BODY follow RFC 3501's
 * body grammar (balanced parentheses outside strings and literals, the
 * fields each kind of part has), ENVELOPE has its ten fields and address
 * lists of four.  For the whole message, HEADER, TEXT, HEADER.FIELDS (.NOT)
 * and parts reached by walking the tree (their MIME, HEADER and TEXT too),
 * section_write() produces exactly the wire size section_resolve()
 * announces, with or without a limit; two windows [0,k) and [k,end) make
 * the whole and any window is a slice of it; the tree mime_parse() gave
 * resolves the same bytes; HEADER and TEXT make the whole message, which
 * is the message's wire form; HEADER.FIELDS keeps what a filter written
 * here keeps.  msg_header_contains() finds an alphanumeric run of a plain
 * header field, msg_body_contains() any piece of a plain text body, and
 * msg_text_contains() whatever either finds.
 *
 * Input: seed of the choices (4 bytes), mode (1 byte: bit 0 the index
 * knows the wire size; bits 4 to 6 all set: the rest is repeated up to
 * BIG_MESSAGE bytes, for trees and fields past their bounds), then the
 * message in wire form. */
#include "fuzz.h"
#include "mboxmsg.h"

#include "deadline.h"
#include "lineio.h"
#include "mbox.h"
#include "msgwrite.h"
#include "section.h"
#include "msgparse.h"
#include "msgsearch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BIG_MESSAGE (160 * 1024)	/* past SECTION_SYNTH_MAX / 2 and RD_CHUNK */

/* ---- output: a lout on an anonymous file ----
 * lout_flush() arms a periodic SIGALRM around each write (deadline.h), and
 * libFuzzer keeps its own -timeout on SIGALRM: writes to a memfd never
 * block, so these stand in for common/deadline.c here (none of its symbols
 * is then taken from the archive). */

void deadline_arm(int seconds)
{
	(void)seconds;
}

void deadline_disarm(void)
{
}

bool deadline_passed(void)
{
	return false;
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static struct lout out;
static int out_fd = -1;
static struct mboxmsg msg;
static uint64_t rnd;		/* the choices, seeded from the input */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet_log();
	out_fd = fz_memfd("out");
	return 0;
}

static void out_start(void)
{
	if (lseek(out_fd, 0, SEEK_SET) != 0 || ftruncate(out_fd, 0) != 0)
		fz_fail("resetting the output file");
	lout_init(&out, out_fd, 1);
}

static void out_take(struct fz_buf *b)
{
	FZ_CHECK(lout_flush(&out) == 0, "writing the output file failed");
	fz_fd_get(out_fd, b);
}

static uint64_t pick(uint64_t n)
{
	return n ? fz_random(&rnd) % n : 0;
}

/* ---- the tree ---- */

static bool upper(const char *s)
{
	for (; s && *s; s++)
		if (*s >= 'a' && *s <= 'z')
			return false;
	return s != NULL;
}

static uint64_t wire_count(uint64_t start, uint64_t end)
{
	struct wire_opts o = { false, 0, UINT64_MAX };
	int64_t n = start < end ? mbox_to_wire(msg.fd, start, end, &o, NULL) : 0;

	FZ_CHECK(n >= 0, "mbox_to_wire failed");
	return (uint64_t)n;
}

/* The stored file, and for each offset the line ends before it: lines of
 * any range in constant time, however many parts there are. */
struct file {
	struct fz_buf b;
	uint32_t *lf;		/* b.len + 1 counts */
	size_t cap;
	bool big;		/* only some parts get their wire sizes counted */
};

static void file_load(struct file *f, bool big)
{
	fz_fd_get(msg.fd, &f->b);
	if (f->cap < f->b.len + 1) {
		free(f->lf);
		f->cap = f->b.len + 1;
		if ((f->lf = malloc(f->cap * sizeof *f->lf)) == NULL)
			fz_fail("out of memory");
	}
	f->lf[0] = 0;
	for (size_t i = 0; i < f->b.len; i++)
		f->lf[i + 1] = f->lf[i] + (f->b.p[i] == '\n');
	f->big = big;
}

/* Lines of the body [start, end): its line ends, and a last line without
 * one only at the end of the message (before a delimiter that line's
 * break is the delimiter's, RFC 2046 5.1.1). */
static uint64_t line_count(const struct file *f, uint64_t start, uint64_t end)
{
	if (end <= start)
		return 0;
	return f->lf[end] - f->lf[start] +
	       (end == msg.src.end && f->b.p[end - 1] != '\n');
}

static void check_part(const struct file *file, const struct mime_part *p,
		       const struct mime_part *parent, unsigned *parts)
{
	uint64_t lo = parent ? parent->body_off : msg.src.start;
	uint64_t hi = parent ? parent->end : msg.src.end;
	const struct mime_part *c, *prev = NULL;
	unsigned n = 0;

	/* An empty part whose parent's body gave up its last line break to
	 * the delimiter after it (mime.c, finish()) is left one line break past
	 * that body's end: harmless, as nothing is read from an empty range. */
	if (p->hdr_off == p->end && p->end > hi && p->end - hi <= 2)
		hi = p->end;
	FZ_CHECK(++*parts <= IMAP_MIME_PARTS_MAX, "more than %d parts", IMAP_MIME_PARTS_MAX);
	FZ_CHECK(p->parent == parent && p->fd == msg.fd &&
		 p->depth == (parent ? parent->depth + 1 : 0) && p->depth <= IMAP_MIME_DEPTH_MAX,
		 "part at depth %u misplaced", p->depth);
	FZ_CHECK(lo <= p->hdr_off && p->hdr_off <= p->body_off && p->body_off <= p->end &&
		 p->end <= hi, "part [%llu, %llu, %llu) outside [%llu, %llu)",
		 (unsigned long long)p->hdr_off, (unsigned long long)p->body_off,
		 (unsigned long long)p->end, (unsigned long long)lo, (unsigned long long)hi);
	FZ_CHECK(upper(p->type) && upper(p->subtype) && upper(p->encoding) &&
		 (!p->disposition || upper(p->disposition)), "type names not in upper case");
	for (unsigned i = 0; i < p->nparams; i++)
		FZ_CHECK(upper(p->params[i].name) && p->params[i].value, "parameter name");
	if (!file->big || *parts % 32 == 1) {
		FZ_CHECK(p->hdr_wire == wire_count(p->hdr_off, p->body_off),
			 "header of %llu wire bytes said to be %llu",
			 (unsigned long long)wire_count(p->hdr_off, p->body_off),
			 (unsigned long long)p->hdr_wire);
		FZ_CHECK(p->body_wire == wire_count(p->body_off, p->end),
			 "body of %llu wire bytes said to be %llu",
			 (unsigned long long)wire_count(p->body_off, p->end),
			 (unsigned long long)p->body_wire);
	}
	FZ_CHECK(p->body_lines == line_count(file, p->body_off, p->end),
		 "body of %llu lines said to have %llu",
		 (unsigned long long)line_count(file, p->body_off, p->end),
		 (unsigned long long)p->body_lines);
	for (c = p->child; c; prev = c, c = c->next) {
		FZ_CHECK(!prev || prev->end <= c->hdr_off, "parts overlap");
		check_part(file, c, p, parts);
		n++;
	}
	FZ_CHECK(n == p->nchildren, "%u children counted as %u", n, p->nchildren);
	if (p->kind == MIME_LEAF)
		FZ_CHECK(n == 0, "a leaf with children");
	else if (p->kind == MIME_MESSAGE)
		FZ_CHECK(n <= 1 && !strcmp(p->type, "MESSAGE") && !strcmp(p->subtype, "RFC822"),
			 "message/rfc822 with %u children", n);
	else
		FZ_CHECK(!strcmp(p->type, "MULTIPART") && p->depth < IMAP_MIME_DEPTH_MAX,
			 "multipart %s at depth %u", p->type, p->depth);
}

/* ---- RFC 3501 responses, read back ---- */

enum sx_kind { SX_NIL, SX_NUMBER, SX_ATOM, SX_STRING, SX_LIST };

struct sx {
	enum sx_kind kind;
	const char *p;		/* a string's contents (escapes left in) */
	size_t len;
	long child, next;	/* -1: none */
	unsigned n;		/* items of a list */
	bool spaced;		/* a space before it (items of a list but the first) */
};

struct sxp {
	const char *p;
	size_t n, i;
	struct sx *v;
	size_t nv, cap;
	const char *what;
};

static bool sx_atom_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f && !strchr("(){\"\\", c);
}

static long sx_new(struct sxp *s, enum sx_kind kind)
{
	if (s->nv == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			fz_fail("out of memory");
	}
	s->v[s->nv] = (struct sx){ kind, NULL, 0, -1, -1, 0, false };
	return (long)s->nv++;
}

static long sx_item(struct sxp *s, unsigned depth);

/* Items are separated by one space, but a list may follow a list
 * directly (body-type-mpart: 1*body). */
static void sx_list(struct sxp *s, long k, unsigned depth)
{
	long last = -1;		/* indices, not pointers: s->v moves as it grows */

	s->i++;
	for (;;) {
		bool spaced = false;
		long c;

		FZ_CHECK(s->i < s->n, "%s: a list is not closed", s->what);
		if (s->p[s->i] == ')') {
			s->i++;
			return;
		}
		if (last >= 0 && s->p[s->i] == ' ') {
			spaced = true;
			s->i++;
		}
		FZ_CHECK(last < 0 || spaced || (s->v[last].kind == SX_LIST && s->p[s->i] == '('),
			 "%s: no space between items at %zu", s->what, s->i);
		c = sx_item(s, depth + 1);
		s->v[c].spaced = spaced;
		if (last < 0)
			s->v[k].child = c;
		else
			s->v[last].next = c;
		last = c;
		s->v[k].n++;
	}
}

static void sx_quoted(struct sxp *s, long k)
{
	size_t start = ++s->i;

	for (; s->i < s->n && s->p[s->i] != '"'; s->i++) {
		if (s->p[s->i] == '\\') {
			s->i++;
			FZ_CHECK(s->i < s->n && (s->p[s->i] == '"' || s->p[s->i] == '\\'),
				 "%s: bad escape at %zu", s->what, s->i);
		}
		FZ_CHECK(s->p[s->i] != '\r' && s->p[s->i] != '\n' && s->p[s->i] != '\0' &&
			 (uint8_t)s->p[s->i] < 0x80, "%s: byte 0x%02x in a quoted string",
			 s->what, (uint8_t)s->p[s->i]);
	}
	FZ_CHECK(s->i < s->n, "%s: a quoted string is not closed", s->what);
	s->v[k].p = s->p + start;
	s->v[k].len = s->i++ - start;
}

static void sx_literal(struct sxp *s, long k)
{
	size_t len = 0;

	s->i++;
	while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9' && len < SIZE_MAX / 20)
		len = len * 10 + (size_t)(s->p[s->i++] - '0');
	FZ_CHECK(s->n - s->i >= 3 && memcmp(s->p + s->i, "}\r\n", 3) == 0 &&
		 s->n - s->i - 3 >= len, "%s: a broken literal at %zu", s->what, s->i);
	s->i += 3;
	FZ_CHECK(!memchr(s->p + s->i, '\0', len), "%s: NUL in a literal", s->what);
	s->v[k].p = s->p + s->i;
	s->v[k].len = len;
	s->i += len;
}

static long sx_item(struct sxp *s, unsigned depth)
{
	long k;
	size_t start = s->i;

	FZ_CHECK(s->i < s->n && depth < 200, "%s: an item missing at %zu", s->what, s->i);
	switch (s->p[s->i]) {
	case '(':
		k = sx_new(s, SX_LIST);
		sx_list(s, k, depth);
		return k;
	case '"':
		k = sx_new(s, SX_STRING);
		sx_quoted(s, k);
		return k;
	case '{':
		k = sx_new(s, SX_STRING);
		sx_literal(s, k);
		return k;
	}
	while (s->i < s->n && sx_atom_char((uint8_t)s->p[s->i]))
		s->i++;
	FZ_CHECK(s->i > start, "%s: byte 0x%02x outside a string at %zu", s->what,
		 (uint8_t)s->p[start], start);
	k = sx_new(s, SX_ATOM);
	s->v[k].p = s->p + start;
	s->v[k].len = s->i - start;
	if (s->v[k].len == 3 && memcmp(s->v[k].p, "NIL", 3) == 0) {
		s->v[k].kind = SX_NIL;
	} else {
		s->v[k].kind = SX_NUMBER;
		for (size_t i = 0; i < s->v[k].len; i++)
			FZ_CHECK(s->v[k].p[i] >= '0' && s->v[k].p[i] <= '9',
				 "%s: atom '%.*s'", s->what, (int)s->v[k].len, s->v[k].p);
	}
	return k;
}

/* One item making up all of p[0..n). */
static long sx_parse(struct sxp *s, const char *p, size_t n, const char *what)
{
	long root;

	s->p = p;
	s->n = n;
	s->i = 0;
	s->nv = 0;
	s->what = what;
	root = sx_item(s, 0);
	FZ_CHECK(s->i == n && s->v[root].kind == SX_LIST, "%s: not one list", what);
	return root;
}

static const struct sx *sx_at(const struct sxp *s, long k)
{
	return k >= 0 ? &s->v[k] : NULL;
}

static bool is(const struct sx *x, enum sx_kind k)
{
	return x && x->kind == k;
}

static bool nstring(const struct sx *x)
{
	return is(x, SX_NIL) || is(x, SX_STRING);
}

static bool str_is(const struct sx *x, const char *w)
{
	return is(x, SX_STRING) && x->len == strlen(w) && memcmp(x->p, w, x->len) == 0;
}

/* body-fld-param: NIL or a list of name-value string pairs. */
static bool params(const struct sxp *s, const struct sx *x)
{
	if (is(x, SX_NIL))
		return true;
	if (!is(x, SX_LIST) || x->n == 0 || x->n % 2)
		return false;
	for (const struct sx *c = sx_at(s, x->child); c; c = sx_at(s, c->next))
		if (!is(c, SX_STRING))
			return false;
	return true;
}

/* body-ext: disposition, language, location (the four with MD5 or
 * parameters in front). */
static bool ext_common(const struct sxp *s, const struct sx *dsp)
{
	const struct sx *lang = sx_at(s, dsp ? dsp->next : -1);
	const struct sx *loc = sx_at(s, lang ? lang->next : -1);

	if (!dsp || !lang || !loc || loc->next >= 0 || !nstring(loc))
		return false;
	if (is(dsp, SX_LIST) && (dsp->n != 2 || !is(sx_at(s, dsp->child), SX_STRING) ||
				 !params(s, sx_at(s, s->v[dsp->child].next))))
		return false;
	if (!is(dsp, SX_LIST) && !is(dsp, SX_NIL))
		return false;
	if (is(lang, SX_LIST)) {
		for (const struct sx *c = sx_at(s, lang->child); c; c = sx_at(s, c->next))
			if (!is(c, SX_STRING))
				return false;
		return lang->n > 0;
	}
	return nstring(lang);
}

/* address: a list of four nstrings; an address list: NIL or addresses. */
static bool addresses(const struct sxp *s, const struct sx *x)
{
	if (is(x, SX_NIL))
		return true;
	if (!is(x, SX_LIST) || x->n == 0)
		return false;
	for (const struct sx *a = sx_at(s, x->child); a; a = sx_at(s, a->next)) {
		if (!is(a, SX_LIST) || a->n != 4)
			return false;
		for (const struct sx *f = sx_at(s, a->child); f; f = sx_at(s, f->next))
			if (!nstring(f))
				return false;
	}
	return true;
}

static void check_envelope_sx(const struct sxp *s, const struct sx *e)
{
	unsigned i = 0;

	FZ_CHECK(is(e, SX_LIST) && e->n == 10, "%s: an envelope of %u fields", s->what,
		 e ? e->n : 0);
	for (const struct sx *f = sx_at(s, e->child); f; f = sx_at(s, f->next), i++)
		FZ_CHECK(i >= 2 && i <= 7 ? addresses(s, f) : nstring(f),
			 "%s: envelope field %u malformed", s->what, i);
}

static void check_body_sx(const struct sxp *s, const struct sx *b, bool ext);

/* body-type-mpart: bodies, the subtype, then the extension data. */
static void check_multipart_sx(const struct sxp *s, const struct sx *b, bool ext)
{
	const struct sx *c = sx_at(s, b->child);
	unsigned bodies = 0;

	for (; is(c, SX_LIST); c = sx_at(s, c->next), bodies++) {
		FZ_CHECK(!c->spaced, "%s: a space between the bodies of a multipart", s->what);
		check_body_sx(s, c, ext);
	}
	FZ_CHECK(is(c, SX_STRING) && c->spaced && bodies > 0, "%s: multipart without subtype",
		 s->what);
	if (!ext) {
		FZ_CHECK(c->next < 0, "%s: BODY with extension data", s->what);
		return;
	}
	c = sx_at(s, c->next);
	FZ_CHECK(params(s, c) && ext_common(s, sx_at(s, c->next)),
		 "%s: multipart extension data malformed", s->what);
}

/* body-type-1part: type, subtype, fields, then what its type adds. */
static void check_body_sx(const struct sxp *s, const struct sx *b, bool ext)
{
	const struct sx *f[16] = { NULL };
	unsigned want = 7, i = 0;
	bool message, text;

	FZ_CHECK(is(b, SX_LIST) && b->n > 0, "%s: a body that is no list", s->what);
	if (is(sx_at(s, b->child), SX_LIST)) {
		check_multipart_sx(s, b, ext);
		return;
	}
	for (const struct sx *c = sx_at(s, b->child); c && i < 16; c = sx_at(s, c->next))
		f[i++] = c;
	for (unsigned k = 1; k < i; k++)
		FZ_CHECK(f[k]->spaced, "%s: no space before field %u", s->what, k);
	message = str_is(f[0], "MESSAGE") && str_is(f[1], "RFC822");
	text = str_is(f[0], "TEXT");
	want += message ? 3 : text ? 1 : 0;
	FZ_CHECK(b->n == want + (ext ? 4 : 0), "%s: a %s part of %u fields", s->what,
		 message ? "message" : text ? "text" : "basic", b->n);
	FZ_CHECK(is(f[0], SX_STRING) && is(f[1], SX_STRING) && params(s, f[2]) &&
		 nstring(f[3]) && nstring(f[4]) && is(f[5], SX_STRING) && is(f[6], SX_NUMBER),
		 "%s: body fields malformed", s->what);
	if (message) {
		check_envelope_sx(s, f[7]);
		check_body_sx(s, f[8], ext);
	}
	if (message || text)
		FZ_CHECK(is(f[want - 1], SX_NUMBER), "%s: no line count", s->what);
	if (ext)
		FZ_CHECK(nstring(f[want]) && ext_common(s, f[want + 1]),
			 "%s: extension data malformed", s->what);
}

static void check_structure(const struct mime_part *root, bool ext)
{
	static struct sxp s;
	static struct fz_buf b;
	long top;

	out_start();
	FZ_CHECK(mime_write_bodystructure(&out, root, ext) == 0, "BODYSTRUCTURE failed");
	out_take(&b);
	top = sx_parse(&s, b.p, b.len, ext ? "BODYSTRUCTURE" : "BODY");
	check_body_sx(&s, &s.v[top], ext);
}

static void check_envelope(void)
{
	static struct sxp s;
	static struct fz_buf b;
	long top;

	out_start();
	FZ_CHECK(mime_write_envelope(&out, &msg.src) == 0, "ENVELOPE failed");
	out_take(&b);
	top = sx_parse(&s, b.p, b.len, "ENVELOPE");
	check_envelope_sx(&s, &s.v[top]);
}

/* ---- sections ---- */

static void section_bytes(const struct section_data *d, uint64_t skip, uint64_t limit,
			  struct fz_buf *b)
{
	out_start();
	FZ_CHECK(section_write(&out, &msg.src, d, skip, limit) == 0, "section_write failed");
	out_take(b);
}

/* A window [skip, skip + limit) of `all`. */
static void check_window(const struct section_data *d, const struct fz_buf *all,
			 uint64_t skip, uint64_t limit, const char *spec)
{
	static struct fz_buf part;
	size_t at = skip < all->len ? (size_t)skip : all->len;
	size_t n = all->len - at < limit ? all->len - at : (size_t)limit;

	section_bytes(d, skip, limit, &part);
	FZ_CHECK(part.len == n && (n == 0 || memcmp(part.p, all->p + at, n) == 0),
		 "BODY[%s]<%llu.%llu> is no slice of the whole", spec,
		 (unsigned long long)skip, (unsigned long long)limit);
}

/* The section's bytes into `all`, every way of writing them checked. */
static void check_section(const struct mime_part *root, const char *spec, struct fz_buf *all)
{
	static struct section s;
	static struct fz_buf again;
	struct section_data d, d2;
	uint64_t k;

	FZ_CHECK(section_parse(spec, strlen(spec), &s) == 0, "BODY[%s] does not parse", spec);
	FZ_CHECK(section_resolve(&msg.src, &s, &d) == 0, "BODY[%s] does not resolve", spec);
	section_bytes(&d, 0, UINT64_MAX, all);
	FZ_CHECK(all->len == d.wire_size && (d.exists || d.wire_size == 0),
		 "BODY[%s] announced %llu bytes, wrote %zu", spec,
		 (unsigned long long)d.wire_size, all->len);
	k = pick(d.wire_size + 1);
	check_window(&d, all, 0, k, spec);
	check_window(&d, all, k, UINT64_MAX, spec);
	check_window(&d, all, pick(d.wire_size + 8), 1 + pick(d.wire_size + 8), spec);
	FZ_CHECK(section_resolve_parsed(&msg.src, root, &s, &d2) == 0 &&
		 d2.wire_size == d.wire_size && d2.exists == d.exists,
		 "BODY[%s] resolves otherwise with the tree given", spec);
	section_bytes(&d2, 0, UINT64_MAX, &again);
	fz_same("section from the parsed tree", again.p, again.len, all->p, all->len);
	section_data_free(&d);
	section_data_free(&d2);
}

static bool field_named(const char *t, size_t n, const char *const *names, size_t *nl)
{
	size_t colon;

	if (!mime_field_name(t, n, nl, &colon))
		return false;
	for (; *names; names++)
		if (strlen(*names) == *nl && strncasecmp(*names, t, *nl) == 0)
			return true;
	return false;
}

/* HEADER.FIELDS (or .NOT) of a header in wire form, by RFC 3501 6.4.5:
 * the fields named (or the others) with their continuation lines, then the
 * blank line if the header has one.  false when a line is too long for the
 * filter to read its name (FILTER_HEAD in imapd/section.c). */
static bool model_fields(const struct fz_buf *h, const char *const *names, bool not,
			 struct fz_buf *o)
{
	bool keep = false;
	size_t i = 0, nl;

	o->len = 0;
	while (i < h->len) {
		const char *lf = memchr(h->p + i, '\n', h->len - i), *t = h->p + i;
		size_t n = lf ? (size_t)(lf - t) : h->len - i;

		i += n + 1;
		if (n > 0 && t[n - 1] == '\r')
			n--;
		if (n > 4000)
			return false;
		if (n == 0)		/* the blank line */
			break;
		if (n == 0 || (t[0] != ' ' && t[0] != '\t'))
			keep = field_named(t, n, names, &nl) != not;
		if (keep) {
			fz_buf_add(o, t, n);
			fz_buf_add(o, "\r\n", 2);
		}
	}
	fz_buf_add(o, "\r\n", 2);	/* the blank line, even when the header has none */
	return true;
}

/* Part k of `in`: its k-th part when it is a multipart; else, when it is
 * a message (the top one, or one a message/rfc822 part holds), part 1 is
 * the message itself (RFC 3501 6.4.5), and part 1 of any other leaf but a
 * multipart past the limits is the leaf, once (`self`: it was just that
 * step).  Sometimes one past the last. */
static const struct mime_part *numbered(const struct mime_part *in, bool message,
					bool self, uint32_t *k)
{
	const struct mime_part *c;

	if (in && in->kind == MIME_MULTIPART) {
		uint32_t want = 1 + (uint32_t)pick(in->nchildren + 1);

		*k = want;
		for (c = in->child; c && want > 1; want--)
			c = c->next;
		return c;
	}
	*k = 1 + (uint32_t)pick(2);
	if (!in || *k != 1 || self)
		return NULL;
	if (message)
		return in;
	return in->kind == MIME_LEAF && strcmp(in->type, "MULTIPART") != 0 ? in : NULL;
}

/* A path of part numbers to a part found by walking the tree at random;
 * mime_find() must find that very part (or none, past the last). */
static void walk(const struct mime_part *root, uint32_t *num, unsigned *n)
{
	const struct mime_part *in = root, *at;
	bool message = true, self = false;

	*n = 0;
	do {
		at = numbered(in, message, self, &num[*n]);
		++*n;
		if (!at)
			break;
		self = at == in && at->kind != MIME_MESSAGE;
		message = at->kind == MIME_MESSAGE;
		in = message ? at->child : at;
	} while (*n < SECTION_PARTS_MAX && pick(4));
	FZ_CHECK(mime_find(root, num, *n) == at, "mime_find does not find the part walked to");
}

static void check_parts(const struct mime_part *root, int rounds)
{
	static const char *const suffix[] = {
		"", ".MIME", ".HEADER", ".TEXT", ".HEADER.FIELDS (Content-Type Subject)",
	};
	static struct fz_buf all;
	uint32_t num[SECTION_PARTS_MAX];
	char spec[SECTION_PARTS_MAX * 11 + 64];

	for (int round = 0; round < rounds; round++) {
		unsigned n;
		size_t len = 0;

		walk(root, num, &n);
		for (unsigned i = 0; i < n; i++)
			len += (size_t)snprintf(spec + len, sizeof spec - len, i ? ".%u" : "%u",
						num[i]);
		snprintf(spec + len, sizeof spec - len, "%s", suffix[pick(5)]);
		check_section(root, spec, &all);
	}
}

static void check_fields(const struct mime_part *root, const struct fz_buf *header,
			 const char *spec, const char *const *names, bool not)
{
	static struct fz_buf got, want;

	check_section(root, spec, &got);
	if (model_fields(header, names, not, &want))
		fz_same(spec, got.p, got.len, want.p, want.len);
}

/* A big message gets fewer of the checks that parse it again. */
static void check_sections(const struct mime_part *root, struct fz_buf *header, bool big)
{
	static const char *const fields[] = { "Subject", "From", "Content-Type", NULL };
	static const char *const not[] = { "Received", "Subject", NULL };
	static struct fz_buf text, whole, wire;

	check_section(root, "HEADER", header);
	check_section(root, "TEXT", &text);
	check_section(root, "", &whole);
	fz_buf_add(header, text.p, text.len);
	fz_same("HEADER and TEXT", header->p, header->len, whole.p, whole.len);
	header->len -= text.len;
	mboxmsg_wire(&msg, msg.src.start, msg.src.end, &wire);
	fz_same("BODY[]", whole.p, whole.len, wire.p, wire.len);
	check_fields(root, header, "HEADER.FIELDS (Subject From Content-Type)", fields, false);
	check_fields(root, header, "HEADER.FIELDS.NOT (Received Subject)", not, true);
	check_section(root, "99", &text);
	FZ_CHECK(text.len == 0 || mime_find(root, (const uint32_t[]){ 99 }, 1),
		 "BODY[99] is not empty");
	check_parts(root, big ? 1 : 3);
}

/* ---- SEARCH ---- */

static bool alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A run of letters and digits from a field of a header without encoded
 * words must be found, in that field and in any. */
static void check_header_search(const struct fz_buf *h)
{
	size_t i = 0, line = 0, lines = 0, nl, colon;
	char name[1000];

	if (h->len > 60000)
		return;			/* past the bounds of a field */
	for (size_t k = 0; k + 1 < h->len; k++)
		if (h->p[k] == '=' && h->p[k + 1] == '?')
			return;		/* encoded words are decoded: not plain */
	for (size_t k = 0; k < h->len; k++)
		lines += h->p[k] == '\n';
	line = (size_t)pick(lines + 1);
	for (size_t k = 0; k < line && i < h->len; i++)
		k += h->p[i] == '\n';
	while (i < h->len) {
		const char *t = h->p + i, *lf = memchr(t, '\n', h->len - i);
		size_t n = lf ? (size_t)(lf - t) : h->len - i, a, b;

		i += n + 1;
		if (n > 0 && t[n - 1] == '\r')
			n--;
		if (n == 0)
			return;			/* the blank line: the header is over */
		if (t[0] == ' ' || t[0] == '\t' || !mime_field_name(t, n, &nl, &colon) ||
		    nl >= sizeof name)
			continue;
		for (a = colon + 1 + (size_t)pick(n - colon); a < n && !alnum(t[a]); a++)
			;
		for (b = a; b < n && b - a < 24 && alnum(t[b]); b++)
			;
		if (a == b)
			continue;
		memcpy(name, t, nl);
		name[nl] = '\0';
		FZ_CHECK(msg_header_contains(&msg.src, NULL, t + a, b - a),
			 "'%.*s' not found in the header", (int)(b - a), t + a);
		FZ_CHECK(msg_header_contains(&msg.src, name, t + a, b - a),
			 "'%.*s' not found in %s:", (int)(b - a), t + a, name);
		return;
	}
}

/* Any piece of a text body sent as it is (no transfer encoding, no
 * charset conversion) must be found, if it starts with an ASCII byte
 * (the matcher folds a Latin-1 letter by the byte before it). */
static void check_body_search(const struct mime_part *root)
{
	static struct fz_buf body;
	size_t a, n;

	if (root->kind != MIME_LEAF || strcmp(root->type, "TEXT") != 0 ||
	    mime_cte_of(root->encoding) != CTE_IDENTITY ||
	    mime_charset_of(mime_param_get(root->params, root->nparams, "CHARSET")) != CS_RAW)
		return;
	mboxmsg_wire(&msg, root->body_off, root->end, &body);
	if (body.len == 0)
		return;
	a = (size_t)pick(body.len);
	n = 1 + (size_t)pick(body.len - a < 40 ? body.len - a : 40);
	if ((uint8_t)body.p[a] >= 0x80)
		return;
	FZ_CHECK(msg_body_contains(&msg.src, body.p + a, n),
		 "'%.*s' not found in the body", (int)n, body.p + a);
}

/* Whatever the header or the body holds, the text holds; a field holds
 * nothing the whole header does not. */
static void check_search_implies(const char *needle, size_t n)
{
	bool any = msg_header_contains(&msg.src, NULL, needle, n);
	bool subject = msg_header_contains(&msg.src, "Subject", needle, n);
	bool body = msg_body_contains(&msg.src, needle, n);
	bool text = msg_text_contains(&msg.src, needle, n);

	FZ_CHECK(!subject || any, "'%.*s' in Subject: but not in the header", (int)n, needle);
	FZ_CHECK(!(any || body) || text, "'%.*s' in the %s but not in the text", (int)n,
		 needle, any ? "header" : "body");
	if (n == 0)
		FZ_CHECK(body && text, "the empty string not found");
}

static void check_search(const struct mime_part *root, const struct fz_buf *header,
			 const uint8_t *p, size_t n, bool big)
{
	time_t t;
	int zone;
	size_t a = (size_t)pick(n + 1), len = (size_t)pick(13);

	check_header_search(header);
	check_body_search(root);
	check_search_implies((const char *)p + a, n - a < len ? n - a : len);
	if (big)
		return;
	check_search_implies("", 0);
	check_search_implies("From", 4);
	if (msg_sent_date_zone(&msg.src, &t, &zone) == 0)
		FZ_CHECK(zone >= -(99 * 60 + 59) && zone <= 99 * 60 + 59, "Date: zone %d", zone);
}

/* ---- one message ---- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_buf repeated, header;
	static struct file file;
	struct fz f = { data, size };
	uint32_t seed = fz_u32(&f);
	uint8_t mode = fz_u8(&f);
	const uint8_t *p = f.p;
	size_t n = f.n;
	struct mime_part *root;
	unsigned parts = 0;
	bool big = (mode & 0x70) == 0x70 && n > 0;

	rnd = seed;
	if (big) {
		repeated.len = 0;
		while (repeated.len < BIG_MESSAGE)
			fz_buf_add(&repeated, p, n);
		p = (const uint8_t *)repeated.p;
		n = repeated.len;
	}
	mboxmsg_store(&msg, p, n, mode & 1);
	file_load(&file, big);
	root = mime_parse(&msg.src);
	FZ_CHECK(root != NULL, "mime_parse failed");
	check_part(&file, root, NULL, &parts);
	check_structure(root, true);
	check_structure(root, false);
	check_envelope();
	check_sections(root, &header, big);
	check_search(root, &header, p, n, big);
	mime_free(root);
	return 0;
}
