/* smtpd: receives mail over SMTP on stdin/stdout and delivers it to local
 * mailboxes (RFC 5321 with EHLO, PIPELINING, SIZE, 8BITMIME,
 * ENHANCEDSTATUSCODES and AUTH).  One process per connection. */
#include "session.h"

#include "auth.h"
#include "dispatch.h"
#include "log.h"
#include "serve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Bytes of an AUTH mechanism name a transcript shows. */
#define MECH_LOG_MAX 20

static void cmd_rset(void *v, char *args)
{
	struct smtp *s = v;

	if (*args) {
		reply(s, "501 5.5.4 Syntax: RSET");
		return;
	}
	transaction_reset(s);
	reply(s, "250 2.0.0 Ok");
}

static void cmd_noop(void *v, char *args)
{
	(void)args;
	reply(v, "250 2.0.0 Ok");
}

static void cmd_quit(void *v, char *args)
{
	struct smtp *s = v;

	(void)args;
	reply_close(s, 0, "221 2.0.0 %s closing connection", s->conn.cfg->hostname);
}

/* VRFY would tell a stranger who has a mailbox: answer 252 (RFC 5321 3.5.3). */
static void cmd_vrfy(void *v, char *args)
{
	if (*args == '\0') {
		reply(v, "501 5.5.4 Syntax: VRFY address");
		return;
	}
	reply(v, "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
}

static void cmd_help(void *v, char *args)
{
	(void)args;
	reply_more(v, "214 2.0.0 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP AUTH");
	reply(v, "214 2.0.0 See RFC 5321; facteur delivers to local mailboxes only");
}

static void cmd_not_implemented(void *v, char *args)
{
	(void)args;
	reply(v, "502 5.5.1 Command not implemented");
}

static const struct command commands[] = {
	{ "HELO", S_ANY, cmd_helo },
	{ "EHLO", S_ANY, cmd_ehlo },
	{ "MAIL", S_READY, cmd_mail },
	{ "RCPT", S_MAIL | S_RCPT, cmd_rcpt },
	{ "DATA", S_RCPT, cmd_data },
	{ "RSET", S_ANY, cmd_rset },
	{ "NOOP", S_ANY, cmd_noop },
	{ "QUIT", S_ANY, cmd_quit },
	{ "VRFY", S_ANY, cmd_vrfy },
	{ "HELP", S_ANY, cmd_help },
	{ "AUTH", S_READY, cmd_auth },
	{ "EXPN", S_ANY, cmd_not_implemented },
	{ "TURN", S_ANY, cmd_not_implemented },
	{ "ETRN", S_ANY, cmd_not_implemented },
	{ "BDAT", S_ANY, cmd_not_implemented },
	{ "STARTTLS", S_ANY, cmd_not_implemented },
	{ NULL, 0, NULL },
};

/* The 503 for a command given in the wrong state says what comes first. */
static void wrong_state_hook(void *v, const struct command *c)
{
	struct smtp *s = v;

	if (s->conn.state == S_START)
		reply(s, "503 5.5.1 Error: send HELO/EHLO first");
	else if (strcmp(c->name, "MAIL") == 0)
		reply(s, "503 5.5.1 Error: nested MAIL command");
	else if (strcmp(c->name, "AUTH") == 0)
		reply(s, "503 5.5.1 Error: AUTH not allowed during a mail transaction");
	else if (strcmp(c->name, "RCPT") == 0)
		reply(s, "503 5.5.1 Error: need MAIL command");
	else if (s->conn.state == S_MAIL)
		reply(s, "503 5.5.1 Error: need RCPT command");
	else
		reply(s, "503 5.5.1 Error: need MAIL command");
}

/* AUTH's initial response is a password: the transcript shows the
 * mechanism only (at most MECH_LOG_MAX bytes of it). */
static void log_command(const char *line, size_t len)
{
	if (len > 5 && strncasecmp(line, "AUTH ", 5) == 0) {
		size_t mech = strcspn(line + 5, " ");
		char masked[sizeof "AUTH " + MECH_LOG_MAX + sizeof " ****"];
		snprintf(masked, sizeof masked, "%.*s%s",
			 (int)(5 + (mech < MECH_LOG_MAX ? mech : MECH_LOG_MAX)),
			 line, line[5 + mech] ? " ****" : "");
		log_transcript('<', masked, strlen(masked));
		return;
	}
	log_transcript('<', line, len);
}

static void refuse(void *v, enum serve_refusal why)
{
	switch (why) {
	case SERVE_TOO_LONG: reply(v, "500 5.5.2 Error: line too long"); break;
	case SERVE_BAD_CHAR: reply(v, "500 5.5.2 Error: invalid character in command"); break;
	case SERVE_UNKNOWN: reply(v, "500 5.5.2 Error: command not recognized"); break;
	}
}

static void timed_out(void *v)
{
	struct smtp *s = v;

	reply_close(s, 1, "421 4.4.2 %s Error: timeout exceeded", s->conn.cfg->hostname);
}

int main(int argc, char **argv)
{
	static struct smtp s;
	static struct config cfg;
	static struct smtp_opts opt;
	const struct serve sv = {
		commands, &s, &s.conn, s.line, false,
		refuse, wrong_state_hook, timed_out, log_command,
	};

	smtp_opts_parse(&cfg, &opt, argc, argv);
	s.conn.cfg = &cfg;
	s.opt = &opt;
	s.conn.state = S_START;
	if (serve_open(&s.conn, cfg.timeout) != 0)
		reply_close(&s, 1, "421 4.3.0 %s Service not available (%s)",
			    cfg.hostname, s.conn.env.error);
	reply(&s, "220 %s %s facteur", cfg.hostname, opt.legacy_helo ? "SMTP" : "ESMTP");
	serve_loop(&sv);
}
