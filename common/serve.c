#include "serve.h"
#include "limits.h"
#include "log.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int serve_open(struct session_conn *c, int timeout)
{
	lout_init(&c->out, 1, WRITE_TIMEOUT);
	lin_init(&c->in, 0, timeout, &c->out);
	if (startup(c->cfg, &c->env) != 0)
		return -1;
	log_msg(LOG_INFO, "connect from %s%s", startup_peer_label(&c->env),
		c->env.proxy_tls ? " (TLS at the balancer)" : "");
	return 0;
}

void serve_exit(const struct session_conn *c, const char *user, const char *what,
		int status)
{
	bool named = user && user[0];

	log_msg(LOG_INFO, "%s from %s%s%s", what, startup_peer_label(&c->env),
		named ? " user=" : "", named ? user : "");
	exit(status);
}

char *serve_read(const struct serve *sv, size_t max, size_t *len)
{
	enum lin_status st;
	bool crlf;

	st = lin_getline(&sv->conn->in, sv->line, max, len, &crlf);
	if (st == LIN_TIMEOUT)
		sv->timed_out(sv->session);
	/* No QUIT: what the session had not committed is dropped (RFC 1939
	 * 6: nothing is deleted; RFC 5321: no message is delivered). */
	if (st == LIN_EOF || st == LIN_ERROR)
		serve_exit(sv->conn, sv->log_user ? sv->conn->user : NULL,
			   "lost connection", 1);
	return st == LIN_TOOLONG ? NULL : sv->line;
}

enum lin_status serve_secret_line(struct session_conn *c, char *line, size_t max)
{
	size_t len;
	bool crlf;
	enum lin_status st = lin_getline(&c->in, line, max, &len, &crlf);

	if (st == LIN_EOF || st == LIN_ERROR)
		exit(1);
	if (st != LIN_TIMEOUT && c->cfg->transcript)
		log_transcript('<', "****", 4);
	return st;
}

static void run_line(const struct serve *sv, size_t len)
{
	const struct command *c;
	char *args;

	if (sv->conn->cfg->transcript)
		sv->log_command(sv->line, len);
	if (memchr(sv->line, '\0', len) || strchr(sv->line, '\r')) {
		sv->refuse(sv->session, SERVE_BAD_CHAR);
		return;
	}
	c = command_find(sv->table, sv->line, &args);
	if (!c)
		sv->refuse(sv->session, SERVE_UNKNOWN);
	else if (!(c->states & sv->conn->state))
		sv->wrong_state(sv->session, c);
	else
		c->run(sv->session, args);
}

void serve_loop(const struct serve *sv)
{
	for (;;) {
		size_t len;

		/* A handler may have set another timeout (DATA): back to -t. */
		sv->conn->in.timeout = sv->conn->cfg->timeout;
		if (serve_read(sv, (size_t)sv->conn->cfg->line_max, &len))
			run_line(sv, len);
		else
			sv->refuse(sv->session, SERVE_TOO_LONG);
	}
}
