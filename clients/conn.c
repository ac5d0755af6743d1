#include "conn.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "fail.h"
#include "net.h"

void conn_init_fd(struct conn *c, int fd, const struct copts *o, const char *label)
{
	signal(SIGPIPE, SIG_IGN);	/* a gone peer is an error, not a signal */
	c->fd = fd;
	c->child = -1;
	c->verbose = o->verbose;
	c->timeout = o->timeout;
	c->label = label;
	c->line_max = o->line_max;
	c->lines_max = o->lines_max;
	c->line = malloc(o->line_max + 1);
	if (!c->line)
		fail(EX_OSERR, "out of memory");
	c->line[0] = '\0';
	c->len = 0;
	lout_init(&c->out, fd, o->timeout);
	lin_init(&c->in, fd, o->timeout, &c->out);
}

void conn_open(struct conn *c, const struct copts *o, const char *defport,
	       const char *label)
{
	struct endpoint ep;
	pid_t child = -1;
	int fd;

	if (o->cmd) {
		fd = net_tunnel(o->cmd, &child);
	} else {
		if (!endpoint_parse(o->server ? o->server : "localhost", defport, &ep))
			fail(EX_USAGE, "not HOST[:PORT] or [ADDRESS]:PORT: %s", o->server);
		fd = net_connect(&ep, o->connect_timeout);
	}
	conn_init_fd(c, fd, o, label);
	c->child = child;
}

void conn_close(struct conn *c)
{
	lout_flush(&c->out);
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	if (c->child > 0)
		net_reap(c->child);
	free(c->line);
	c->line = NULL;
}

void conn_trace(const struct conn *c, char dir, const char *p, size_t n)
{
	size_t i = 0;

	if (!c->verbose)
		return;
	while (i < n) {
		const char *lf = memchr(p + i, '\n', n - i);
		size_t end = lf ? (size_t)(lf - p) : n, len = end - i;

		if (len > 0 && p[end - 1] == '\r')
			len--;
		fprintf(stderr, "%c: ", dir);
		for (size_t k = i; k < i + len; k++) {
			unsigned char ch = (unsigned char)p[k];

			if ((ch >= 0x20 && ch != 0x7f) || ch == '\t')
				fputc(ch, stderr);
			else
				fprintf(stderr, "\\x%02x", ch);
		}
		fputc('\n', stderr);
		i = end + 1;
	}
}

enum cst conn_getline(struct conn *c)
{
	bool crlf;

	switch (lin_getline(&c->in, c->line, c->line_max, &c->len, &crlf)) {
	case LIN_OK:
		conn_trace(c, 'S', c->line, c->len);
		if (!c->verbose || c->len > 0)
			return C_OK;
		fputs("S: \n", stderr);	/* an empty line still shows */
		return C_OK;
	case LIN_TOOLONG: return C_TOOLONG;
	case LIN_EOF: return C_EOF;
	case LIN_TIMEOUT: return C_TIMEOUT;
	default: return C_ERROR;
	}
}

enum cst conn_read(struct conn *c, struct buf *b, size_t n)
{
	size_t start = b->len;

	while (n > 0) {
		enum lin_status st = lin_fill(&c->in);
		size_t take;

		if (st == LIN_EOF) return C_EOF;
		if (st == LIN_TIMEOUT) return C_TIMEOUT;
		if (st != LIN_OK) return C_ERROR;
		take = c->in.len - c->in.pos;
		if (take > n)
			take = n;
		if (!buf_add(b, c->in.buf + c->in.pos, take))
			return C_TOOLONG;
		c->in.pos += take;
		n -= take;
	}
	if (b->len > start)		/* an empty literal has no bytes to show */
		conn_trace(c, 'S', b->p + start, b->len - start);
	return C_OK;
}

void conn_need(struct conn *c, enum cst st)
{
	switch (st) {
	case C_OK:
		return;
	case C_TOOLONG:
		fail(EX_PROTOCOL, "%s sent more than the limit (-l %zu, -m)", c->label,
		     c->line_max);
	case C_BAD:
		fail(EX_PROTOCOL, "%s broke the protocol: %.200s", c->label, c->line);
	case C_TOOMANY:
		fail(EX_PROTOCOL, "%s sent more than %ld lines in one reply (-R)",
		     c->label, c->lines_max);
	case C_EOF:
		fail(EX_TEMPFAIL, "%s closed the connection", c->label);
	case C_TIMEOUT:
		fail(EX_TEMPFAIL, "no reply from %s within %d seconds (-w)", c->label,
		     c->timeout);
	default:
		fail(EX_TEMPFAIL, "reading from %s: %s", c->label, strerror(errno));
	}
}

void conn_line(struct conn *c)
{
	conn_need(c, conn_getline(c));
}

void conn_flush(struct conn *c)
{
	if (lout_flush(&c->out) != 0)
		fail(EX_TEMPFAIL, "writing to %s: connection lost", c->label);
}

void conn_write(struct conn *c, const char *p, size_t n)
{
	lout_write(&c->out, p, n);
	if (c->out.failed)
		fail(EX_TEMPFAIL, "writing to %s: connection lost", c->label);
}

static void send_line(struct conn *c, const char *shown, const char *fmt, va_list ap)
{
	char *line = str_vprintf(fmt, ap);	/* room for the CRLF */
	size_t n = strlen(line);

	if (shown)
		conn_trace(c, 'C', shown, strlen(shown));
	else
		conn_trace(c, 'C', line, n);
	memcpy(line + n, "\r\n", 2);
	lout_write(&c->out, line, n + 2);
	free(line);
	conn_flush(c);
}

void conn_send(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_line(c, NULL, fmt, ap);
	va_end(ap);
}

void conn_send_masked(struct conn *c, const char *shown, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_line(c, shown, fmt, ap);
	va_end(ap);
}
