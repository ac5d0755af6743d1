#include "lineio.h"
#include "deadline.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void lin_init(struct lin *in, int fd, int timeout, struct lout *flush)
{
	in->fd = fd;
	in->timeout = timeout;
	in->flush = flush;
	in->pos = in->len = 0;
}

bool lin_pending(const struct lin *in)
{
	return in->pos < in->len;
}

enum lin_status lin_fill(struct lin *in)
{
	struct pollfd pfd = { .fd = in->fd, .events = POLLIN };
	long long until;
	ssize_t n;
	int r;

	if (in->pos < in->len)
		return LIN_OK;
	if (in->flush && lout_flush(in->flush) != 0)
		return LIN_ERROR;
	in->pos = in->len = 0;
	until = now_ms() + (long long)in->timeout * 1000;
	for (;;) {
		long long left = until - now_ms();

		if (left <= 0)
			return LIN_TIMEOUT;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno != EINTR)
			return LIN_ERROR;
		if (r <= 0)
			continue;
		n = read(in->fd, in->buf, sizeof in->buf);
		if (n > 0) {
			in->len = (size_t)n;
			return LIN_OK;
		}
		if (n == 0)
			return LIN_EOF;
		if (errno != EINTR && errno != EAGAIN)
			return LIN_ERROR;
	}
}

/* Skip input through the next LF. */
static enum lin_status discard_line(struct lin *in)
{
	for (;;) {
		enum lin_status st = lin_fill(in);
		char *lf;

		if (st != LIN_OK)
			return st;
		lf = memchr(in->buf + in->pos, '\n', in->len - in->pos);
		if (lf) {
			in->pos = (size_t)(lf - in->buf) + 1;
			return LIN_OK;
		}
		in->pos = in->len;
	}
}

enum lin_status lin_getline(struct lin *in, char *dst, size_t max,
			    size_t *len, bool *crlf)
{
	size_t have = 0;

	for (;;) {
		enum lin_status st = lin_fill(in);
		size_t avail, take;
		char *start, *lf;

		if (st != LIN_OK)
			return st;
		start = in->buf + in->pos;
		avail = in->len - in->pos;
		lf = memchr(start, '\n', avail);
		take = lf ? (size_t)(lf - start) + 1 : avail;
		if (have + take > max) {
			/* Over the bound: drop what we have and the rest of the line. */
			if (lf) {
				in->pos += take;
				return LIN_TOOLONG;
			}
			in->pos = in->len;
			st = discard_line(in);
			return st == LIN_OK ? LIN_TOOLONG : st;
		}
		memcpy(dst + have, start, take);
		have += take;
		in->pos += take;
		if (lf)
			break;
	}
	have--;				/* the LF */
	*crlf = have > 0 && dst[have - 1] == '\r';
	if (*crlf)
		have--;
	dst[have] = '\0';
	*len = have;
	return LIN_OK;
}

void lout_init(struct lout *out, int fd, int timeout)
{
	out->fd = fd;
	out->timeout = timeout;
	out->failed = false;
	out->len = 0;
}

int write_all(int fd, const void *buf, size_t n, int timeout)
{
	const char *p = buf;
	int rc = 0;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR && !deadline_passed())
			continue;
		if (w < 0 && errno == EAGAIN) {
			/* Non-blocking descriptor: wait for room, bounded. */
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };
			if (poll(&pfd, 1, timeout * 1000) > 0)
				continue;
		}
		rc = -1;
		break;
	}
	return rc;
}

/* Writes to the client are bounded: a peer that stops reading must not keep
 * the process (and any lock it holds) forever. */
static int write_bounded(struct lout *out, const void *p, size_t n)
{
	int rc;

	deadline_arm(out->timeout);
	rc = write_all(out->fd, p, n, out->timeout);
	deadline_disarm();
	return rc;
}

int lout_flush(struct lout *out)
{
	if (out->failed)
		return -1;
	if (out->len > 0 && write_bounded(out, out->buf, out->len) != 0)
		out->failed = true;
	out->len = 0;
	return out->failed ? -1 : 0;
}

void lout_write(struct lout *out, const void *p, size_t n)
{
	if (out->failed)
		return;
	if (out->len + n > sizeof out->buf) {
		lout_flush(out);
		if (n >= sizeof out->buf) {
			if (!out->failed && write_bounded(out, p, n) != 0)
				out->failed = true;
			return;
		}
	}
	memcpy(out->buf + out->len, p, n);
	out->len += n;
}

void lout_puts(struct lout *out, const char *s)
{
	lout_write(out, s, strlen(s));
}

void lout_printf(struct lout *out, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	lout_write(out, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}
