/* Everything imapd says goes through here: untagged and tagged responses,
 * BYE, and the bad-command count. */
#include "session.h"

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *capabilities(void)
{
	return "IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN IDLE UIDPLUS MOVE NAMESPACE ID "
	       "UNSELECT CHILDREN";
}

/* One response line, whatever its length (COPYUID may be long): never
 * cut, since a cut line would corrupt the protocol. */
static void put(struct imap *s, const char *prefix, const char *fmt, va_list ap)
{
	char small[2048], *line = small;
	size_t plen = strlen(prefix);
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small + plen, sizeof small - plen, fmt, ap);
	if (n < 0) {
		va_end(again);
		return;
	}
	if ((size_t)n >= sizeof small - plen) {
		line = malloc(plen + (size_t)n + 1);
		if (!line)
			bye(s, 1, "[SERVERBUG] out of memory");
		vsnprintf(line + plen, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	memcpy(line, prefix, plen);
	if (s->conn.cfg->transcript)
		log_transcript('>', line, plen + (size_t)n);
	lout_write(&s->conn.out, line, plen + (size_t)n);
	lout_write(&s->conn.out, "\r\n", 2);
	if (line != small)
		free(line);
}

void untagged(struct imap *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(s, "* ", fmt, ap);
	va_end(ap);
}

void bye(struct imap *s, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put(s, "* BYE ", fmt, ap);
	va_end(ap);
	lout_flush(&s->conn.out);
	serve_exit(&s->conn, s->conn.user, "disconnect", status);
}

static void vtagged(struct imap *s, const char *status, const char *fmt, va_list ap)
{
	char prefix[TAG_MAX + 16];
	int limit = s->conn.state == I_NOTAUTH ? s->opt->preauth_bad_max : s->conn.cfg->bad_max;

	if (strcmp(status, "BAD") == 0 && ++s->conn.bad >= limit)
		bye(s, 1, "Too many bad commands");
	snprintf(prefix, sizeof prefix, "%s %s ", s->cmd.tag[0] ? s->cmd.tag : "*", status);
	put(s, prefix, fmt, ap);
}

void tagged(struct imap *s, const char *status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vtagged(s, status, fmt, ap);
	va_end(ap);
}

void done(struct imap *s, const char *status, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	free(s->done_text);
	s->done_text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!s->done_text)
		bye(s, 1, "[SERVERBUG] out of memory");
	va_start(ap, fmt);
	vsnprintf(s->done_text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->done_status = status;
}

void bad_syntax(struct imap *s)
{
	tagged(s, "BAD", "[CLIENTBUG] Invalid arguments to %s", s->name ? s->name : "command");
}
