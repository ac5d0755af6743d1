/* pop3d's replies: status lines (+OK, -ERR, counted towards -b),
 * multi-line responses with dot-stuffing, the closing reply, and the one
 * continuation line AUTH reads. */
#include "session.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A response line, CRLF included (RFC 2449 4). */
#define REPLY_LINE_MAX 512

static void put_line(struct pop3 *p, const char *text, size_t n, bool log)
{
	if (log && p->conn.cfg->transcript)
		log_transcript('>', text, n);
	lout_write(&p->conn.out, text, n);
	lout_write(&p->conn.out, "\r\n", 2);
}

/* One line out: a status line when `prefix` is "+OK ", "-ERR " or "" (logged;
 * the space before an empty text dropped), or, when it is NULL, a line of a
 * multi-line response (dot-stuffed, not logged). */
static void vline(struct pop3 *p, const char *prefix, const char *fmt, va_list ap)
{
	char line[REPLY_LINE_MAX];
	int n = snprintf(line, sizeof line, "%s", prefix ? prefix : "");
	int text = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);

	if (text < 0)
		return;
	n += text;
	if (n >= (int)sizeof line)
		n = (int)sizeof line - 1;
	if (!prefix) {
		if (line[0] == '.')
			lout_write(&p->conn.out, ".", 1);
		put_line(p, line, (size_t)n, false);
		return;
	}
	if (n > 0 && line[n - 1] == ' ')	/* "+OK" with no text */
		n--;
	put_line(p, line, (size_t)n, true);
}

void ok(struct pop3 *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, "+OK ", fmt, ap);
	va_end(ap);
}

void reply_close(struct pop3 *p, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, "", fmt, ap);
	va_end(ap);
	lout_flush(&p->conn.out);
	serve_exit(&p->conn, p->conn.user, "disconnect", status);
}

void err(struct pop3 *p, const char *fmt, ...)
{
	va_list ap;

	/* The bad command that reaches the limit is answered by the close. */
	if (++p->conn.bad >= p->conn.cfg->bad_max)
		reply_close(p, 1, "-ERR too many bad commands, closing connection");
	va_start(ap, fmt);
	vline(p, "-ERR ", fmt, ap);
	va_end(ap);
}

void err_temp(struct pop3 *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, "-ERR [SYS/TEMP] ", fmt, ap);
	va_end(ap);
}

void multi_line(struct pop3 *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(p, NULL, fmt, ap);
	va_end(ap);
}

void multi_end(struct pop3 *p)
{
	put_line(p, ".", 1, false);
}

char *read_line(struct pop3 *p, size_t max, bool secret)
{
	size_t len = 0;
	char *line = serve_read(p->serve, max, &len);

	if (p->conn.cfg->transcript)
		log_transcript('<', secret ? "****" : p->line, secret ? 4 : len);
	if (!line)
		err(p, "line too long");
	return line;
}
