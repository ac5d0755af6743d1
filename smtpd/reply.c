/* smtpd's replies: every line the client reads goes through reply(), which
 * logs it in the transcript, counts 5xx replies and ends the session at the
 * limit (-b). */
#include "session.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A reply line we write, CRLF included.  RFC 5321 4.5.3.1.5 says 512, but
 * EHLO's first line names two hosts of up to DOMAIN_MAX bytes each. */
#define REPLY_LINE_MAX 1024

static void vreply(struct smtp *s, bool more, const char *fmt, va_list ap)
{
	char line[REPLY_LINE_MAX];
	int n = vsnprintf(line, sizeof line - 2, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 3)
		n = (int)sizeof line - 3;
	if (more && n >= 4)
		line[3] = '-';
	if (s->conn.cfg->transcript)
		log_transcript('>', line, (size_t)n);
	memcpy(line + n, "\r\n", 2);
	lout_write(&s->conn.out, line, (size_t)n + 2);
}

void reply_more(struct smtp *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, true, fmt, ap);
	va_end(ap);
}

void reply_close(struct smtp *s, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreply(s, false, fmt, ap);
	va_end(ap);
	lout_flush(&s->conn.out);
	log_msg(LOG_INFO, "disconnect from %s: %lu message(s)",
		startup_peer_label(&s->conn.env), s->messages);
	exit(status);
}

void reply(struct smtp *s, const char *fmt, ...)
{
	va_list ap;

	/* The error that reaches the limit is answered by the 421 instead. */
	if (fmt[0] == '5' && ++s->conn.bad >= s->conn.cfg->bad_max) {
		log_msg(LOG_NOTICE, "%s: too many errors", startup_peer_label(&s->conn.env));
		reply_close(s, 1, "421 4.7.0 %s Too many errors, closing connection",
			    s->conn.cfg->hostname);
	}
	va_start(ap, fmt);
	vreply(s, false, fmt, ap);
	va_end(ap);
}
