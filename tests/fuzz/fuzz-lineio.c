/* The line reader (lineio.h) over a socket, against a model of its
 * contract: a line is what ends in LF; one longer than the bound is
 * reported once as LIN_TOOLONG and its tail is never returned as a line;
 * a CR before the LF is removed and reported; an unfinished last line is
 * end of input.  The client's bytes arrive in random packets (a
 * SOCK_SEQPACKET pair: one read, one packet), and the reader is driven the
 * way the programs drive it: lines with varying bounds, and now and then
 * raw bytes taken straight from its buffer as smtpd's DATA does.
 *
 * Input: seed of the packets (4 bytes), seed of the calls (4 bytes), then
 * the client's bytes. */
#include "fuzz.h"

#include "lineio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PACKETS_MAX 1024

struct model {
	const char *p;
	size_t len, pos;
	size_t ends[PACKETS_MAX];	/* where each packet sent ends */
	size_t npackets;
};

/* Bytes the reader holds unread: the rest of the packet at pos, once a
 * read has taken that packet (pos is past its start). */
static size_t model_buffered(const struct model *m)
{
	for (size_t k = 0; k < m->npackets; k++) {
		size_t start = k == 0 ? 0 : m->ends[k - 1];

		if (m->ends[k] > m->pos)
			return m->pos > start ? m->ends[k] - m->pos : 0;
	}
	return 0;
}

/* Send as many packets as the socket takes; the model sees what was sent. */
static void send_packets(int fd, const char *p, size_t n, uint32_t seed, struct model *m)
{
	struct fz_split cut;
	size_t sent = 0;

	fz_split_init(&cut, seed);
	while (sent < n && m->npackets < PACKETS_MAX) {
		size_t piece = fz_split_next(&cut, n - sent);

		if (send(fd, p + sent, piece, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)piece)
			break;
		sent += piece;
		m->ends[m->npackets++] = sent;
	}
	m->p = p;
	m->len = sent;
}

static void get_line(struct lin *in, struct model *m, size_t max)
{
	char *dst = malloc(max + 1);	/* exactly what the contract asks for */
	const char *lf = memchr(m->p + m->pos, '\n', m->len - m->pos);
	enum lin_status st;
	size_t len = 0, want;
	bool crlf = false, cr;

	if (!dst)
		return;
	st = lin_getline(in, dst, max, &len, &crlf);
	if (!lf) {
		FZ_CHECK(st == LIN_EOF, "no LF left: status %d, not EOF", st);
		m->pos = m->len;
	} else if ((size_t)(lf - (m->p + m->pos)) + 1 > max) {
		FZ_CHECK(st == LIN_TOOLONG, "line over %zu bytes: status %d", max, st);
		m->pos = (size_t)(lf - m->p) + 1;
	} else {
		want = (size_t)(lf - (m->p + m->pos));
		FZ_CHECK(st == LIN_OK, "line of %zu bytes within %zu: status %d", want, max, st);
		cr = want > 0 && lf[-1] == '\r';
		FZ_CHECK(crlf == cr, "crlf flag wrong");
		want -= cr;
		fz_same("line", dst, len, m->p + m->pos, want);
		FZ_CHECK(dst[len] == '\0', "line not terminated");
		m->pos = (size_t)(lf - m->p) + 1;
	}
	free(dst);
}

/* smtpd's DATA loop: fill, then take bytes straight from the buffer. */
static void take_raw(struct lin *in, struct model *m, size_t want)
{
	enum lin_status st = lin_fill(in);
	size_t avail, take;

	if (m->pos == m->len) {
		FZ_CHECK(st == LIN_EOF, "lin_fill at the end: status %d", st);
		return;
	}
	FZ_CHECK(st == LIN_OK, "lin_fill with data left: status %d", st);
	avail = in->len - in->pos;
	take = want < avail ? want : avail;
	fz_same("raw bytes", in->buf + in->pos, take, m->p + m->pos, take);
	in->pos += take;
	m->pos += take;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lin in;
	static struct model m;
	struct fz f = { data, size };
	uint32_t packet_seed = fz_u32(&f);
	uint64_t calls = fz_u32(&f);
	int sv[2];
	size_t n;
	const char *p = (const char *)fz_take(&f, f.n, &n);
	int big = 8 << 20;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		fz_fail("socketpair: %s", strerror(errno));
	/* Room for every packet at once (as root; else what the system allows). */
	if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0)
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	memset(&m, 0, sizeof m);
	send_packets(sv[1], p, n, packet_seed, &m);
	close(sv[1]);

	lin_init(&in, sv[0], 5, NULL);
	for (int step = 0; step < 4096; step++) {
		uint64_t r = fz_random(&calls);
		static const size_t bounds[] = { 1, 2, 3, 8, 64, 255, 512, 8192 };
		size_t max;

		FZ_CHECK(lin_pending(&in) == (model_buffered(&m) > 0),
			 "lin_pending says %d with %zu bytes held", lin_pending(&in),
			 model_buffered(&m));
		if (m.pos == m.len && step > 0 && r % 4 == 0)
			break;
		if (r % 8 == 0) {
			take_raw(&in, &m, 1 + (size_t)(r >> 8) % 600);
			continue;
		}
		max = r % 8 == 1 ? 1 + (size_t)(r >> 8) % 70000 : bounds[(r >> 8) % 8];
		get_line(&in, &m, max);
	}
	close(sv[0]);
	return 0;
}
