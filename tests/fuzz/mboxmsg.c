/* A message from fuzz bytes in mbox form (mboxmsg.h). */
#include "mboxmsg.h"

#include "lineio.h"
#include "mbox.h"

#include <string.h>

static const char first[] = "From fuzz@test.lan Mon Jan  1 00:00:00 2024\n";
static const char next[] = "From next@test.lan Tue Jan  2 00:00:00 2024\n"
			   "Subject: next\n\nnext message\n\n";

struct found {
	struct mbox_msg m[3];
	size_t n;
};

static int collect(void *arg, const struct mbox_msg *m)
{
	struct found *f = arg;

	if (f->n < 3)
		f->m[f->n] = *m;
	f->n++;
	return 0;
}

void mboxmsg_store(struct mboxmsg *m, const void *p, size_t n, bool size_known)
{
	static struct fz_buf file;
	struct found found = { .n = 0 };
	struct quoter q;

	if (m->fd <= 0)		/* static storage: not opened yet */
		m->fd = fz_memfd("message");
	file.len = 0;
	fz_buf_add(&file, first, sizeof first - 1);
	quoter_init(&q, fz_buf_emit, &file);
	FZ_CHECK(quoter_feed(&q, p, n) == 0 && quoter_finish(&q) == 0, "quoter failed");
	if (!q.last_lf)
		fz_buf_add(&file, "\n", 1);	/* as APPEND and smtpd end a message */
	fz_buf_add(&file, "\n", 1);
	fz_buf_add(&file, next, sizeof next - 1);
	fz_fd_set(m->fd, file.p, file.len);
	FZ_CHECK(mbox_scan(m->fd, 0, file.len, collect, &found) == 0 && found.n == 2 &&
		 found.m[0].offset == 0,
		 "the stored message reads back as %zu messages", found.n);
	m->scan = found.m[0];
	m->src.fd = m->fd;
	m->src.start = m->scan.offset + m->scan.from_len;
	m->src.end = m->src.start + m->scan.raw_len;
	m->src.hdr_len = m->scan.hdr_len;
	m->src.wire_size = size_known ? m->scan.wire_size : 0;
}

uint64_t mboxmsg_wire(const struct mboxmsg *m, uint64_t start, uint64_t end,
		      struct fz_buf *wire)
{
	static struct lout out;
	const uint64_t window = LOUT_BUFSZ / 2;
	struct wire_opts o = { false, 0, UINT64_MAX };
	int64_t total = start < end ? mbox_to_wire(m->fd, start, end, &o, NULL) : 0;

	FZ_CHECK(total >= 0, "mbox_to_wire failed");
	/* In windows that never fill the buffer: no flush, no write. */
	lout_init(&out, -1, 1);
	wire->len = 0;
	for (uint64_t at = 0; at < (uint64_t)total; at += window) {
		o.skip = at;
		o.limit = window;
		out.len = 0;
		FZ_CHECK(mbox_to_wire(m->fd, start, end, &o, &out) == total,
			 "mbox_to_wire counts differently");
		fz_buf_add(wire, out.buf, out.len);
	}
	FZ_CHECK(wire->len == (uint64_t)total, "mbox_to_wire wrote %zu of %lld bytes",
		 wire->len, (long long)total);
	return (uint64_t)total;
}
