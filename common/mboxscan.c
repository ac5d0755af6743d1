#include "mboxscan.h"
#include "mbox.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#define SCAN_CHUNK (1024 * 1024)

struct scan {
	int fd;
	const char *buf;	/* the chunk in hand */
	uint64_t buf_off;
	size_t buf_len;
	/* the message being read */
	bool in_msg;
	struct mbox_msg m;
	uint64_t lf, crlf, unq, hdr_end;
	/* the line being read */
	bool at_start, deciding, prev_empty;
	uint64_t line_off;
	struct linecls cls;
	char last;		/* previous byte */
};

uint64_t mbox_fingerprint(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Date and fingerprint come from the message's first bytes: usually still in
 * the chunk in hand, else read again. */
static void identify(struct scan *s)
{
	char head[FP_BYTES];
	uint64_t n = s->m.from_len + s->m.raw_len;
	const char *p;

	if (n > FP_BYTES)
		n = FP_BYTES;
	if (s->m.offset >= s->buf_off && s->m.offset + n <= s->buf_off + s->buf_len) {
		p = s->buf + (s->m.offset - s->buf_off);
	} else {
		if (pread(s->fd, head, (size_t)n, (off_t)s->m.offset) != (ssize_t)n)
			n = 0;
		p = head;
	}
	s->m.fp = mbox_fingerprint(p, (size_t)n);
	s->m.idate = s->m.from_len <= n ? mbox_from_date(p, s->m.from_len - 1) : -1;
}

/* The message ends at `end`; `sep` says a blank separator line precedes it. */
static int finish(struct scan *s, uint64_t end, bool sep, scan_fn fn, void *arg)
{
	uint64_t start;

	if (!s->in_msg)
		return 0;
	s->in_msg = false;
	if (s->m.from_len == 0)		/* a From_ line cut short by EOF */
		s->m.from_len = (uint32_t)(end - s->m.offset);
	start = s->m.offset + s->m.from_len;
	if (sep && end > start) {
		end--;			/* the separator's LF is not content */
		s->lf--;
	}
	s->m.raw_len = end > start ? end - start : 0;
	s->m.wire_size = s->m.raw_len + (s->lf - s->crlf) - s->unq;
	s->m.hdr_len = (uint32_t)(s->hdr_end && s->hdr_end - start <= s->m.raw_len ?
				  s->hdr_end - start : s->m.raw_len);
	identify(s);
	return fn(arg, &s->m);
}

static void start_msg(struct scan *s, uint64_t off)
{
	memset(&s->m, 0, sizeof s->m);
	s->m.offset = off;
	s->lf = s->crlf = s->unq = s->hdr_end = 0;
	s->in_msg = true;
}

static void end_line(struct scan *s, uint64_t lf_off)
{
	bool empty = lf_off == s->line_off;

	if (s->in_msg) {
		if (s->m.from_len == 0) {
			s->m.from_len = (uint32_t)(lf_off + 1 - s->m.offset);
		} else {
			s->lf++;
			if (s->last == '\r')
				s->crlf++;
			/* the blank line that ends the header; a CRLF one too,
			 * in files other programs wrote */
			if ((empty || (lf_off == s->line_off + 1 && s->last == '\r')) &&
			    s->hdr_end == 0)
				s->hdr_end = lf_off + 1;
		}
	}
	s->prev_empty = empty;
	s->at_start = true;
}

static int scan_chunk(struct scan *s, scan_fn fn, void *arg)
{
	const char *p = s->buf, *e = s->buf + s->buf_len;
	int rc;

	while (p < e) {
		uint64_t off = s->buf_off + (uint64_t)(p - s->buf);
		const char *lf;

		if (s->at_start) {
			s->at_start = false;
			s->deciding = true;
			s->line_off = off;
			linecls_reset(&s->cls);
		}
		while (s->deciding && p < e && *p != '\n') {
			enum linecls_result r = linecls_feed(&s->cls, (unsigned char)*p);

			s->last = *p++;
			if (r == LC_UNDECIDED)
				continue;
			s->deciding = false;
			if (r == LC_FROM && s->prev_empty) {
				rc = finish(s, s->line_off, true, fn, arg);
				if (rc)
					return rc;
				start_msg(s, s->line_off);
			} else if (r == LC_QUOTED && s->in_msg && s->m.from_len) {
				s->unq++;
			}
		}
		if (p >= e)
			break;		/* the line start goes on in the next chunk */
		s->deciding = false;
		lf = memchr(p, '\n', (size_t)(e - p));
		if (!lf) {
			s->last = e[-1];
			break;
		}
		if (lf > p)
			s->last = lf[-1];
		end_line(s, s->buf_off + (uint64_t)(lf - s->buf));
		s->last = '\n';
		p = lf + 1;
	}
	return 0;
}

int mbox_scan(int fd, uint64_t from, uint64_t size, scan_fn fn, void *arg)
{
	static char chunk[SCAN_CHUNK];
	struct scan s;
	int rc;

	memset(&s, 0, sizeof s);
	s.fd = fd;
	s.at_start = true;
	s.prev_empty = true;	/* `from` follows a blank line or is 0 */
	s.last = '\n';
	s.buf = chunk;
	for (uint64_t off = from; off < size; off += s.buf_len) {
		size_t want = size - off < SCAN_CHUNK ? (size_t)(size - off) : SCAN_CHUNK;
		ssize_t got = pread(fd, chunk, want, (off_t)off);

		if (got <= 0)
			return -1;
		s.buf_off = off;
		s.buf_len = (size_t)got;
		rc = scan_chunk(&s, fn, arg);
		if (rc)
			return rc;
	}
	return finish(&s, size, s.at_start && s.prev_empty && size > from, fn, arg);
}
