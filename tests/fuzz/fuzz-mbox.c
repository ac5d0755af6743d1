/* The mbox format (mbox.h, mboxscan.h), both ways.
 *
 * Wire to mbox: quoter_feed() in random pieces gives the same bytes as in
 * one piece; for CRLF text the result is the mboxrd quoting of a model, no
 * line of it can pass for a From_ line, and mbox_to_wire() gives the text
 * back unchanged.
 *
 * Mbox to wire: any bytes as an mbox file.  mbox_scan() must find the
 * messages a model finds, with the sizes it finds; each wire_size must be
 * what mbox_to_wire() produces for the message; a scan started at a message
 * (an index's tail scan) must agree with the full scan; windows, dot-stuffing
 * and mbox_skip_lines() must agree with the whole output.
 *
 * Input: seed of the cuts (4 bytes), window start and length (2 + 2
 * bytes), then the text. */
#include "fuzz.h"

#include "lineio.h"
#include "mbox.h"
#include "mboxscan.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MSGS_MAX 4096

static int mbox_fd = -1;

/* ---- wire to mbox ---- */

static void quote(const char *p, size_t n, struct fz_split *cut, struct fz_buf *out)
{
	struct quoter q;
	size_t done = 0;

	quoter_init(&q, fz_buf_emit, out);
	while (done < n) {
		size_t piece = cut ? fz_split_next(cut, n - done) : n - done;

		FZ_CHECK(quoter_feed(&q, p + done, piece) == 0, "quoter_feed failed");
		done += piece;
	}
	FZ_CHECK(quoter_finish(&q) == 0, "quoter_finish failed");
	FZ_CHECK(q.out == out->len, "quoter counted %llu, emitted %zu",
		 (unsigned long long)q.out, out->len);
}

/* The input with every line ended by CRLF and no other CR. */
static void crlf_text(const char *p, size_t n, struct fz_buf *out)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			continue;
		if (p[i] == '\n')
			fz_buf_add(out, "\r", 1);
		fz_buf_add(out, p + i, 1);
	}
}

static bool quoted_from(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] == '>')
		i++;
	return n - i >= 5 && memcmp(s + i, "From ", 5) == 0;
}

/* mboxrd by the book: CRLF to LF, one more '>' before ^>*From. */
static void model_quote(const char *p, size_t n, struct fz_buf *out)
{
	size_t i = 0;

	while (i < n) {
		const char *lf = memchr(p + i, '\n', n - i);
		size_t end = lf ? (size_t)(lf - p) : n;
		size_t body = lf ? end - 1 : end;	/* CRLF text: a CR before each LF */

		if (quoted_from(p + i, body - i))
			fz_buf_add(out, ">", 1);
		fz_buf_add(out, p + i, body - i);
		if (lf)
			fz_buf_add(out, "\n", 1);
		i = lf ? end + 1 : n;
	}
}

/* All of mbox_to_wire() over [start, end), windows no larger than half the
 * lout buffer so that it never flushes (no write, no timer). */
static int64_t wire_of(uint64_t start, uint64_t end, bool dotstuff,
		       uint64_t skip, uint64_t limit, struct fz_buf *wire)
{
	static struct lout out;
	const uint64_t window = LOUT_BUFSZ / 2;
	uint64_t stop = limit > UINT64_MAX - skip ? UINT64_MAX : skip + limit;
	int64_t total;

	lout_init(&out, -1, 1);
	wire->len = 0;
	for (uint64_t at = skip;; at += window) {
		struct wire_opts o = { dotstuff, at, stop - at < window ? stop - at : window };

		out.len = 0;
		total = mbox_to_wire(mbox_fd, start, end, &o, &out);
		FZ_CHECK(total >= 0, "mbox_to_wire failed");
		FZ_CHECK(out.len <= o.limit, "mbox_to_wire wrote past its limit");
		fz_buf_add(wire, out.buf, out.len);
		if (at + window >= stop || at + window >= (uint64_t)total)
			break;
	}
	return total;
}

static void check_round_trip(const char *p, size_t n, uint32_t seed)
{
	struct fz_buf text = { 0 }, whole = { 0 }, split = { 0 }, model = { 0 }, back = { 0 };
	struct fz_split cut;

	/* Any bytes: pieces do not change the result. */
	fz_split_init(&cut, seed);
	quote(p, n, NULL, &whole);
	quote(p, n, &cut, &split);
	fz_same("quoter in pieces", split.p, split.len, whole.p, whole.len);

	/* CRLF text: exact mboxrd, no From_ line, and back unchanged. */
	crlf_text(p, n, &text);
	whole.len = 0;
	quote(text.p, text.len, NULL, &whole);
	model_quote(text.p, text.len, &model);
	fz_same("quoted text", whole.p, whole.len, model.p, model.len);
	for (size_t i = 0; i < whole.len; i++)
		FZ_CHECK(!((i == 0 || whole.p[i - 1] == '\n') && whole.len - i >= 5 &&
			   memcmp(whole.p + i, "From ", 5) == 0),
			 "quoted text has a From_ line at %zu", i);
	fz_fd_set(mbox_fd, whole.p, whole.len);
	wire_of(0, whole.len, false, 0, UINT64_MAX, &back);
	fz_same("wire -> mbox -> wire", back.p, back.len, text.p, text.len);

	fz_buf_free(&text);
	fz_buf_free(&whole);
	fz_buf_free(&split);
	fz_buf_free(&model);
	fz_buf_free(&back);
}

/* ---- mbox to wire ---- */

struct msgs {
	struct mbox_msg m[MSGS_MAX];
	size_t n;
};

static int collect(void *arg, const struct mbox_msg *m)
{
	struct msgs *ms = arg;

	if (ms->n == MSGS_MAX)
		return 1;
	ms->m[ms->n++] = *m;
	return 0;
}

/* The LF at j ends an empty line, or a CRLF one (files other programs
 * wrote): the end of the header. */
static bool blank_line_end(const char *p, uint64_t start, uint64_t j)
{
	if (j == start || p[j - 1] == '\n')
		return true;
	return p[j - 1] == '\r' && (j - 1 == start || p[j - 2] == '\n');
}

/* A message starts at "From " opening the file or following an empty line. */
static void model_scan(const char *p, size_t n, struct msgs *ms)
{
	ms->n = 0;
	for (size_t i = 0; i < n && ms->n < MSGS_MAX; i++) {
		bool line_start = i == 0 || p[i - 1] == '\n';
		bool after_blank = i == 0 || (p[i - 1] == '\n' && (i == 1 || p[i - 2] == '\n'));

		if (line_start && after_blank && n - i >= 5 && memcmp(p + i, "From ", 5) == 0) {
			const char *lf = memchr(p + i, '\n', n - i);

			memset(&ms->m[ms->n], 0, sizeof ms->m[0]);
			ms->m[ms->n].offset = i;
			ms->m[ms->n].from_len = (uint32_t)(lf ? (size_t)(lf - p) + 1 - i : n - i);
			ms->n++;
		}
	}
	for (size_t k = 0; k < ms->n; k++) {
		struct mbox_msg *m = &ms->m[k];
		uint64_t start = m->offset + m->from_len;
		uint64_t end = k + 1 < ms->n ? ms->m[k + 1].offset : n;
		bool sep = k + 1 < ms->n || (n >= 2 && p[n - 1] == '\n' && p[n - 2] == '\n');

		if (sep && end > start)
			end--;		/* the empty line before the next message */
		m->raw_len = end > start ? end - start : 0;
		m->hdr_len = (uint32_t)m->raw_len;
		for (uint64_t j = start; j < start + m->raw_len; j++)
			if (p[j] == '\n' && blank_line_end(p, start, j)) {
				m->hdr_len = (uint32_t)(j + 1 - start);
				break;
			}
		m->fp = mbox_fingerprint(p + m->offset,
					 m->from_len + m->raw_len < FP_BYTES ?
					 m->from_len + m->raw_len : FP_BYTES);
	}
}

/* Dot-stuffing by the book, on wire text. */
static void model_dotstuff(const struct fz_buf *in, struct fz_buf *out)
{
	out->len = 0;
	for (size_t i = 0; i < in->len; i++) {
		if (in->p[i] == '.' && (i == 0 || in->p[i - 1] == '\n'))
			fz_buf_add(out, ".", 1);
		fz_buf_add(out, in->p + i, 1);
	}
}

static void check_message(const char *p, const struct mbox_msg *m, uint16_t skip,
			  uint16_t limit)
{
	uint64_t start = m->offset + m->from_len, end = start + m->raw_len;
	struct fz_buf wire = { 0 }, part = { 0 }, model = { 0 };
	int64_t total;
	uint64_t lines = 0, nl, at;

	FZ_CHECK(mbox_to_wire(mbox_fd, start, end, &(struct wire_opts){ false, 0, UINT64_MAX },
			      NULL) == (int64_t)m->wire_size,
		 "wire_size %llu is not what mbox_to_wire counts",
		 (unsigned long long)m->wire_size);
	total = wire_of(start, end, false, 0, UINT64_MAX, &wire);
	FZ_CHECK(total == (int64_t)wire.len && wire.len == m->wire_size,
		 "mbox_to_wire wrote %zu bytes, counted %lld, scan said %llu",
		 wire.len, (long long)total, (unsigned long long)m->wire_size);

	/* A partial fetch is a slice of the whole. */
	wire_of(start, end, false, skip, limit, &part);
	at = skip < wire.len ? skip : wire.len;
	fz_same("window of the wire form", part.p, part.len, wire.len ? wire.p + at : wire.p,
		wire.len - at < limit ? wire.len - at : limit);

	/* POP3 RETR's dot-stuffing. */
	wire_of(start, end, true, 0, UINT64_MAX, &part);
	model_dotstuff(&wire, &model);
	fz_same("dot-stuffed wire form", part.p, part.len, model.p, model.len);

	/* TOP's line skipping. */
	for (uint64_t j = start; j < end; j++)
		lines += p[j] == '\n';
	nl = lines ? skip % (lines + 1) : 0;
	at = start;
	for (uint64_t k = 0; k < nl; at++)
		if (p[at] == '\n')
			k++;
	FZ_CHECK(mbox_skip_lines(mbox_fd, start, end, nl) == (nl ? at : start),
		 "mbox_skip_lines(%llu) wrong", (unsigned long long)nl);

	fz_buf_free(&wire);
	fz_buf_free(&part);
	fz_buf_free(&model);
}

static void check_scan(const char *p, size_t n, uint16_t skip, uint16_t limit)
{
	static struct msgs got, want, tail;
	size_t from;

	fz_fd_set(mbox_fd, p, n);
	got.n = 0;
	FZ_CHECK(mbox_scan(mbox_fd, 0, n, collect, &got) == (got.n == MSGS_MAX),
		 "mbox_scan failed");
	model_scan(p, n, &want);
	FZ_CHECK(got.n == want.n, "mbox_scan found %zu messages, model %zu", got.n, want.n);
	for (size_t k = 0; k < got.n; k++) {
		const struct mbox_msg *g = &got.m[k], *w = &want.m[k];

		FZ_CHECK(g->offset == w->offset && g->from_len == w->from_len &&
			 g->raw_len == w->raw_len && g->hdr_len == w->hdr_len && g->fp == w->fp,
			 "message %zu: offset %llu/%llu from_len %u/%u raw_len %llu/%llu "
			 "hdr_len %u/%u (scan/model)", k,
			 (unsigned long long)g->offset, (unsigned long long)w->offset,
			 g->from_len, w->from_len, (unsigned long long)g->raw_len,
			 (unsigned long long)w->raw_len, g->hdr_len, w->hdr_len);
		check_message(p, g, skip, limit);
	}
	/* A tail scan from one of the messages sees the same messages. */
	if (got.n == 0 || got.n == MSGS_MAX)
		return;
	from = skip % got.n;
	tail.n = 0;
	FZ_CHECK(mbox_scan(mbox_fd, got.m[from].offset, n, collect, &tail) == 0,
		 "tail scan failed");
	FZ_CHECK(tail.n == got.n - from, "tail scan from message %zu found %zu, not %zu",
		 from, tail.n, got.n - from);
	for (size_t k = 0; k < tail.n; k++)
		FZ_CHECK(memcmp(&tail.m[k], &got.m[from + k], sizeof tail.m[k]) == 0,
			 "tail scan differs at message %zu", from + k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint32_t seed = fz_u32(&f);
	uint16_t skip = fz_u16(&f), limit = fz_u16(&f);
	size_t n;
	const char *p = (const char *)fz_take(&f, f.n, &n);

	if (mbox_fd < 0)
		mbox_fd = fz_memfd("mbox");
	check_round_trip(p, n, seed);
	check_scan(p, n, skip, limit);
	return 0;
}
