#include "serve.h"
#include "limits.h"
#include "log.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int serve_open(const struct config *cfg, struct startup *env, struct lin *in,
	       struct lout *out, int timeout)
{
	lout_init(out, 1, WRITE_TIMEOUT);
	lin_init(in, 0, timeout, out);
	if (startup(cfg, env) != 0)
		return -1;
	log_msg(LOG_INFO, "connect from %s", startup_peer_label(env));
	return 0;
}

void serve_exit(const struct startup *env, const char *user, const char *what,
		int status)
{
	bool named = user && user[0];

	log_msg(LOG_INFO, "%s from %s%s%s", what, startup_peer_label(env),
		named ? " user=" : "", named ? user : "");
	exit(status);
}

char *serve_read(const struct serve *sv, size_t max, size_t *len)
{
	enum lin_status st;
	bool crlf;

	st = lin_getline(sv->in, sv->line, max, len, &crlf);
	if (st == LIN_TIMEOUT)
		sv->timed_out(sv->session);
	/* No QUIT: what the session had not committed is dropped (RFC 1939
	 * 6: nothing is deleted; RFC 5321: no message is delivered). */
	if (st == LIN_EOF || st == LIN_ERROR)
		serve_exit(sv->env, sv->user, "lost connection", 1);
	return st == LIN_TOOLONG ? NULL : sv->line;
}

static void run_line(const struct serve *sv, size_t len)
{
	const struct command *c;
	char *args;

	if (sv->cfg->transcript)
		sv->log_command(sv->line, len);
	if (memchr(sv->line, '\0', len) || strchr(sv->line, '\r')) {
		sv->refuse(sv->session, SERVE_BAD_CHAR);
		return;
	}
	c = command_find(sv->table, sv->line, &args);
	if (!c)
		sv->refuse(sv->session, SERVE_UNKNOWN);
	else if (!(c->states & *sv->state))
		sv->wrong_state(sv->session, c);
	else
		c->run(sv->session, args);
}

void serve_loop(const struct serve *sv)
{
	for (;;) {
		size_t len;

		/* A handler may have set another timeout (DATA): back to -t. */
		sv->in->timeout = sv->cfg->timeout;
		if (serve_read(sv, (size_t)sv->cfg->line_max, &len))
			run_line(sv, len);
		else
			sv->refuse(sv->session, SERVE_TOO_LONG);
	}
}
