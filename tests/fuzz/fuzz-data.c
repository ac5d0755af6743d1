/* The DATA reader (dotreader.h) against a model of RFC 5321 4.5.2 written
 * the obvious way: lines end in CRLF, a line "." ends the data, a leading
 * dot is dropped, and a CR or LF on its own anywhere before the end stops
 * everything.  The reader is fed in random pieces; its verdict, size, hop
 * count and end position must match the model, and what it stored, turned
 * back into wire form by mbox_to_wire(), must be the unstuffed message.
 *
 * Input: seed of the cuts (4 bytes), size limit selector (1 byte), then the
 * bytes that follow "354". */
#include "fuzz.h"

#include "dotreader.h"
#include "lineio.h"
#include "mbox.h"

#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct model {
	enum dot_status status;
	size_t end;		/* input used, end line included (DOT_DONE) */
	struct fz_buf msg;	/* unstuffed, CRLF */
	unsigned hops;
};

/* "Received:" in any case opening a line of the header. */
static bool is_received(const char *line, size_t len)
{
	return len >= 9 && strncasecmp(line, "received:", 9) == 0;
}

static void model_run(const char *p, size_t n, struct model *m)
{
	bool header = true;
	size_t i = 0;

	m->status = DOT_MORE;
	while (i < n) {
		size_t start = i, body;
		const char *lf = memchr(p + i, '\n', n - i);
		const char *cr = memchr(p + i, '\r', (size_t)((lf ? lf : p + n) - (p + i)));

		if (cr && cr + 1 < p + n && cr[1] != '\n') {
			m->status = DOT_BARE;	/* a CR that no LF follows */
			return;
		}
		if (!lf)
			return;			/* the line is not complete yet */
		if (lf == p + i || lf[-1] != '\r' || cr != lf - 1) {
			m->status = DOT_BARE;	/* an LF without its CR */
			return;
		}
		body = (size_t)(lf - 1 - (p + i));
		if (body == 1 && p[i] == '.') {
			m->status = DOT_DONE;
			m->end = (size_t)(lf + 1 - p);
			return;
		}
		if (p[i] == '.') {
			start++;
			body--;
		}
		if (header && body == 0)
			header = false;
		else if (header && is_received(p + start, body))
			m->hops++;
		fz_buf_add(&m->msg, p + start, body);
		fz_buf_add(&m->msg, "\r\n", 2);
		i = (size_t)(lf + 1 - p);
	}
}

/* The stored mbox text in wire form.  mbox_to_wire writes through a lout;
 * windows smaller than its buffer keep it from flushing, so the bytes are
 * read straight from the buffer and no write or timer is involved. */
static void to_wire(const struct fz_buf *mbox, struct fz_buf *wire)
{
	static struct lout out;
	static int fd = -1;
	const uint64_t window = LOUT_BUFSZ / 2;
	struct wire_opts o = { false, 0, window };
	int64_t total;

	if (fd < 0)
		fd = fz_memfd("mbox");
	fz_fd_set(fd, mbox->p, mbox->len);
	lout_init(&out, -1, 1);
	wire->len = 0;
	do {
		out.len = 0;
		total = mbox_to_wire(fd, 0, mbox->len, &o, &out);
		FZ_CHECK(total >= 0, "mbox_to_wire failed");
		fz_buf_add(wire, out.buf, out.len);
		o.skip += window;
	} while ((uint64_t)total > o.skip);
	FZ_CHECK((uint64_t)total == wire->len, "mbox_to_wire counted %lld, wrote %zu",
		 (long long)total, wire->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct fz_split cut;
	struct dotreader d;
	struct model m = { 0 };
	struct fz_buf stored = { 0 }, wire = { 0 };
	uint8_t sel;
	uint64_t max;
	size_t used = 0, n;
	const char *p;

	fz_split_init(&cut, fz_u32(&f));
	sel = fz_u8(&f);
	/* Mostly no practical limit; sometimes one the message may cross. */
	max = sel < 0x40 ? (uint64_t)sel * 8 : UINT64_MAX;
	p = (const char *)fz_take(&f, f.n, &n);

	dotreader_init(&d, max, fz_buf_emit, &stored);
	while (used < n && d.status == DOT_MORE) {
		size_t piece = fz_split_next(&cut, n - used);
		size_t took = dotreader_feed(&d, p + used, piece);

		FZ_CHECK(took <= piece, "dotreader took %zu of %zu", took, piece);
		FZ_CHECK(took == piece || d.status != DOT_MORE,
			 "dotreader left input unread without finishing");
		used += took;
	}
	model_run(p, n, &m);
	FZ_CHECK(d.status == m.status, "dotreader says %d, model %d", d.status, m.status);
	if (d.status == DOT_DONE) {
		FZ_CHECK(used == m.end, "data ended at %zu, model at %zu", used, m.end);
		FZ_CHECK(d.size == m.msg.len, "size %llu, model %zu",
			 (unsigned long long)d.size, m.msg.len);
		FZ_CHECK(d.too_big == (m.msg.len > max), "too_big wrong");
		FZ_CHECK(d.hops == m.hops, "%u hops, model %u", d.hops, m.hops);
		if (!d.too_big) {
			to_wire(&stored, &wire);
			fz_same("stored message in wire form", wire.p, wire.len,
				m.msg.p, m.msg.len);
		}
	}
	fz_buf_free(&stored);
	fz_buf_free(&wire);
	fz_buf_free(&m.msg);
	return 0;
}
