/* pop3d: lets a user download and delete mail over POP3 (RFC 1939, with
 * CAPA from RFC 2449 and SASL PLAIN from RFC 5034) on stdin/stdout.  One
 * process per connection; the maildrop is a snapshot taken at login, and
 * deletions are applied atomically at QUIT.  This file: the command table,
 * the session loop's hooks and main(). */
#include "session.h"

#include "dispatch.h"
#include "log.h"
#include "login.h"
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void cmd_capa(void *v, char *args)
{
	struct pop3 *p = v;

	(void)args;
	ok(p, "Capability list follows");
	multi_line(p, "TOP");
	if (login_offered(&p->conn))
		multi_line(p, "USER");
	multi_line(p, "UIDL");
	multi_line(p, "RESP-CODES");
	multi_line(p, "AUTH-RESP-CODE");
	multi_line(p, "PIPELINING");
	if (login_offered(&p->conn))
		multi_line(p, "SASL PLAIN");
	multi_line(p, "EXPIRE NEVER");
	multi_line(p, "IMPLEMENTATION facteur");
	multi_end(p);
}

static void cmd_noop(void *v, char *args)
{
	(void)args;
	ok(v, "%s", "");
}

static void cmd_quit(void *v, char *args)
{
	struct pop3 *p = v;
	uint32_t left;
	bool updated;

	(void)args;
	if (p->conn.state != P_TRANS)
		reply_close(p, 0, "+OK facteur POP3 server signing off");
	updated = maildrop_update(&p->drop, p->conn.user, &left);
	/* The mailbox is closed before the client hears the answer: it may
	 * log in again at once, before this process has quite gone. */
	maildrop_close(&p->drop);
	if (!updated)
		reply_close(p, 1, "-ERR [SYS/TEMP] some deleted messages not removed, try again");
	reply_close(p, 0, "+OK facteur POP3 server signing off (%u messages left)", left);
}

static const struct command commands[] = {
	{ "CAPA", P_ANY, cmd_capa },
	{ "QUIT", P_ANY, cmd_quit },
	{ "USER", P_AUTH, cmd_user },
	{ "PASS", P_AUTH, cmd_pass },
	{ "AUTH", P_AUTH, cmd_auth },
	{ "STAT", P_TRANS, cmd_stat },
	{ "LIST", P_TRANS, cmd_list },
	{ "UIDL", P_TRANS, cmd_uidl },
	{ "RETR", P_TRANS, cmd_retr },
	{ "TOP", P_TRANS, cmd_top },
	{ "DELE", P_TRANS, cmd_dele },
	{ "RSET", P_TRANS, cmd_rset },
	{ "NOOP", P_TRANS, cmd_noop },
	{ NULL, 0, NULL },
};

static bool secret_command(const char *line)
{
	return strncasecmp(line, "PASS ", 5) == 0 || strncasecmp(line, "AUTH ", 5) == 0;
}

/* PASS and AUTH show their verb only. */
static void log_command(const char *line, size_t len)
{
	log_transcript('<', line, secret_command(line) ? 5 : len);
}

static void refuse(void *v, enum serve_refusal why)
{
	switch (why) {
	case SERVE_TOO_LONG: err(v, "line too long"); break;
	case SERVE_BAD_CHAR: err(v, "invalid character in command"); break;
	case SERVE_UNKNOWN: err(v, "unknown command"); break;
	}
}

static void wrong_state(void *v, const struct command *c)
{
	struct pop3 *p = v;

	(void)c;
	err(p, p->conn.state == P_AUTH ? "not logged in" : "already logged in");
}

static void timed_out(void *v)
{
	reply_close(v, 1, "-ERR autologout: idle for too long");
}

int main(int argc, char **argv)
{
	static const struct program_flags none = { "", "", NULL, NULL };
	static struct pop3 p;
	static struct config cfg;
	const struct serve sv = {
		commands, &p, &p.conn, p.line, true,
		refuse, wrong_state, timed_out, log_command,
	};

	config_defaults(&cfg, "pop3d", POP3_TIMEOUT, POP3_LINE_MAX);
	config_parse(&cfg, argc, argv, &none);
	p.conn.cfg = &cfg;
	p.serve = &sv;
	p.conn.state = P_AUTH;
	if (serve_open(&p.conn, cfg.timeout) != 0)
		reply_close(&p, 1, "-ERR [SYS/PERM] service not available (%s)", p.conn.env.error);
	ok(&p, "facteur POP3 server ready");
	serve_loop(&sv);
}
