/* smtpd: receives mail over SMTP on stdin/stdout and delivers it to local
 * mailboxes (RFC 5321 with EHLO, PIPELINING, SIZE, 8BITMIME,
 * ENHANCEDSTATUSCODES and AUTH).  One process per connection. */
#include "session.h"

#include "auth.h"
#include "dispatch.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void vreply(struct smtp *s, bool more, const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof line - 2, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 3)
		n = (int)sizeof line - 3;
	if (more && n >= 4)
		line[3] = '-';
	if (s->cfg->transcript)
		log_transcript('>', line, (size_t)n);
	memcpy(line + n, "\r\n", 2);
	lout_write(&s->out, line, (size_t)n + 2);
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
	lout_flush(&s->out);
	log_msg(LOG_INFO, "disconnect from %s: %lu message(s)",
		startup_peer_label(&s->env), s->messages);
	exit(status);
}

void reply(struct smtp *s, const char *fmt, ...)
{
	va_list ap;

	/* The error that reaches the limit is answered by the 421 instead. */
	if (fmt[0] == '5' && ++s->bad >= s->cfg->bad_max) {
		log_msg(LOG_NOTICE, "%s: too many errors", startup_peer_label(&s->env));
		reply_close(s, 1, "421 4.7.0 %s Too many errors, closing connection",
			    s->cfg->hostname);
	}
	va_start(ap, fmt);
	vreply(s, false, fmt, ap);
	va_end(ap);
}

void transaction_reset(struct smtp *s)
{
	memset(&s->from, 0, sizeof s->from);
	s->nusers = 0;
	s->nrcpt = 0;
	s->first_rcpt[0] = '\0';
	if (s->state & (S_MAIL | S_RCPT))
		s->state = S_READY;
}

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
	reply_close(s, 0, "221 2.0.0 %s closing connection", s->cfg->hostname);
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
static void wrong_state(struct smtp *s, const struct command *c)
{
	if (s->state == S_START)
		reply(s, "503 5.5.1 Error: send HELO/EHLO first");
	else if (strcmp(c->name, "MAIL") == 0)
		reply(s, "503 5.5.1 Error: nested MAIL command");
	else if (strcmp(c->name, "AUTH") == 0)
		reply(s, "503 5.5.1 Error: AUTH not allowed during a mail transaction");
	else if (strcmp(c->name, "RCPT") == 0)
		reply(s, "503 5.5.1 Error: need MAIL command");
	else if (s->state == S_MAIL)
		reply(s, "503 5.5.1 Error: need RCPT command");
	else
		reply(s, "503 5.5.1 Error: need MAIL command");
}

static void log_command(const char *line, size_t len)
{
	/* AUTH's initial response is a password: show the mechanism only. */
	if (len > 5 && strncasecmp(line, "AUTH ", 5) == 0) {
		size_t mech = strcspn(line + 5, " ");
		char masked[64];
		snprintf(masked, sizeof masked, "%.*s%s", (int)(5 + (mech < 20 ? mech : 20)),
			 line, line[5 + mech] ? " ****" : "");
		log_transcript('<', masked, strlen(masked));
		return;
	}
	log_transcript('<', line, len);
}

static void session(struct smtp *s)
{
	for (;;) {
		const struct command *c;
		enum lin_status st;
		size_t len;
		bool crlf;
		char *args;

		s->in.timeout = s->cfg->timeout;
		st = lin_getline(&s->in, s->line, (size_t)s->cfg->line_max, &len, &crlf);
		if (st == LIN_TIMEOUT)
			reply_close(s, 1, "421 4.4.2 %s Error: timeout exceeded", s->cfg->hostname);
		if (st == LIN_EOF || st == LIN_ERROR) {
			log_msg(LOG_INFO, "lost connection from %s", startup_peer_label(&s->env));
			exit(1);
		}
		if (st == LIN_TOOLONG) {
			reply(s, "500 5.5.2 Error: line too long");
			continue;
		}
		if (s->cfg->transcript)
			log_command(s->line, len);
		if (memchr(s->line, '\0', len) || strchr(s->line, '\r')) {
			reply(s, "500 5.5.2 Error: invalid character in command");
			continue;
		}
		c = command_find(commands, s->line, &args);
		if (!c)
			reply(s, "500 5.5.2 Error: command not recognized");
		else if (!(c->states & s->state))
			wrong_state(s, c);
		else
			c->run(s, args);
	}
}

int main(int argc, char **argv)
{
	static struct smtp s;
	static struct config cfg;

	config_defaults(&cfg, "smtpd", SMTP_TIMEOUT, SMTP_LINE_MAX);
	config_parse(&cfg, argc, argv, "d:m:p:T:r:R:HAe:");
	s.cfg = &cfg;
	lout_init(&s.out, 1, WRITE_TIMEOUT);
	lin_init(&s.in, 0, cfg.timeout, &s.out);
	s.state = S_START;
	if (startup(&cfg, &s.env) != 0)
		reply_close(&s, 1, "421 4.3.0 %s Service not available (%s)",
			    cfg.hostname, s.env.error);
	log_msg(LOG_INFO, "connect from %s", startup_peer_label(&s.env));
	reply(&s, "220 %s %s facteur", cfg.hostname, cfg.legacy_helo ? "SMTP" : "ESMTP");
	session(&s);
	return 0;
}
