/* IDLE (RFC 2177): after "+ idling", the selected mailbox is checked every
 * second and what changed is sent at once, until the client says DONE. */
#include "session.h"

#include "deadline.h"

#include <poll.h>
#include <stdlib.h>
#include <strings.h>

#define IDLE_TICK_MS 1000

/* Wait up to one tick for input; true when a line can be read. */
static bool input_ready(struct imap *s)
{
	struct pollfd pfd = { .fd = s->conn.in.fd, .events = POLLIN };

	if (lin_pending(&s->conn.in))
		return true;
	if (lout_flush(&s->conn.out) != 0)
		exit(1);
	return poll(&pfd, 1, IDLE_TICK_MS) > 0;
}

void cmd_idle(struct imap *s)
{
	long long until = now_ms() + (long long)s->conn.cfg->timeout * 1000;
	char line[16];
	enum lin_status st;
	size_t len;
	bool crlf;

	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	lout_puts(&s->conn.out, "+ idling\r\n");
	for (;;) {
		if (now_ms() > until)
			bye(s, 1, "Autologout; idle for too long");
		if (!input_ready(s)) {
			if (s->conn.state == I_SELECTED)
				view_update(s, true);
			continue;
		}
		st = lin_getline(&s->conn.in, line, sizeof line - 1, &len, &crlf);
		if (st == LIN_TIMEOUT)
			bye(s, 1, "Autologout; idle for too long");
		if (st == LIN_EOF || st == LIN_ERROR)
			exit(1);
		if (st == LIN_OK && strcasecmp(line, "DONE") == 0)
			break;
		tagged(s, "BAD", "[CLIENTBUG] Expected DONE");
		return;
	}
	done(s, "OK", "IDLE terminated");
}
