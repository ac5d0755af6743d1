/* pop3d: lets a user download and delete mail over POP3 (RFC 1939, with
 * CAPA from RFC 2449 and SASL PLAIN from RFC 5034) on stdin/stdout.  One
 * process per connection; the maildrop is a snapshot taken at login, and
 * deletions are applied atomically at QUIT. */
#include "session.h"

#include "dispatch.h"
#include "log.h"
#include "login.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void put_line(struct pop3 *p, const char *text, size_t n, bool log)
{
	if (log && p->cfg->transcript)
		log_transcript('>', text, n);
	lout_write(&p->out, text, n);
	lout_write(&p->out, "\r\n", 2);
}

static void vstatus(struct pop3 *p, const char *prefix, const char *fmt, va_list ap)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%s", prefix);

	n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (n >= (int)sizeof line)
		n = (int)sizeof line - 1;
	if (n > 0 && line[n - 1] == ' ')	/* "+OK" with no text */
		n--;
	put_line(p, line, (size_t)n, true);
}

void ok(struct pop3 *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstatus(p, "+OK ", fmt, ap);
	va_end(ap);
}

void reply_close(struct pop3 *p, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vstatus(p, "", fmt, ap);
	va_end(ap);
	lout_flush(&p->out);
	log_msg(LOG_INFO, "disconnect from %s%s%s", startup_peer_label(&p->env),
		p->user[0] ? " user=" : "", p->user);
	exit(status);
}

void err(struct pop3 *p, const char *fmt, ...)
{
	va_list ap;

	/* The bad command that reaches the limit is answered by the close. */
	if (++p->bad >= p->cfg->bad_max)
		reply_close(p, 1, "-ERR too many bad commands, closing connection");
	va_start(ap, fmt);
	vstatus(p, "-ERR ", fmt, ap);
	va_end(ap);
}

void multi_line(struct pop3 *p, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (line[0] == '.')
		lout_write(&p->out, ".", 1);
	put_line(p, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, false);
}

void multi_end(struct pop3 *p)
{
	put_line(p, ".", 1, false);
}

static void timeout_exit(struct pop3 *p)
{
	reply_close(p, 1, "-ERR autologout: idle for too long");
}

char *read_line(struct pop3 *p, size_t max, bool secret)
{
	enum lin_status st;
	size_t len;
	bool crlf;

	st = lin_getline(&p->in, p->line, max, &len, &crlf);
	if (st == LIN_TIMEOUT)
		timeout_exit(p);
	if (st == LIN_EOF || st == LIN_ERROR) {
		log_msg(LOG_INFO, "lost connection from %s", startup_peer_label(&p->env));
		exit(1);
	}
	if (p->cfg->transcript)
		log_transcript('<', secret ? "****" : p->line, secret ? 4 : len);
	if (st == LIN_TOOLONG) {
		err(p, "line too long");
		return NULL;
	}
	return p->line;
}

static void cmd_capa(void *v, char *args)
{
	struct pop3 *p = v;

	(void)args;
	ok(p, "Capability list follows");
	multi_line(p, "TOP");
	if (login_offered(p->cfg, &p->env))
		multi_line(p, "USER");
	multi_line(p, "UIDL");
	multi_line(p, "RESP-CODES");
	multi_line(p, "AUTH-RESP-CODE");
	multi_line(p, "PIPELINING");
	if (login_offered(p->cfg, &p->env))
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
	if (p->state != P_TRANS)
		reply_close(p, 0, "+OK facteur POP3 server signing off");
	updated = maildrop_update(p, &left);
	/* The maildrop is free before the client hears the answer: it may
	 * log in again at once, before this process has quite gone. */
	maildrop_close(p);
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

static void session(struct pop3 *p)
{
	for (;;) {
		const struct command *c;
		enum lin_status st;
		size_t len;
		bool crlf;
		char *args;

		st = lin_getline(&p->in, p->line, (size_t)p->cfg->line_max, &len, &crlf);
		if (st == LIN_TIMEOUT)
			timeout_exit(p);
		if (st == LIN_EOF || st == LIN_ERROR) {
			/* No QUIT: nothing is deleted (RFC 1939 6). */
			log_msg(LOG_INFO, "lost connection from %s%s%s", startup_peer_label(&p->env),
				p->user[0] ? " user=" : "", p->user);
			exit(1);
		}
		if (st == LIN_TOOLONG) {
			err(p, "line too long");
			continue;
		}
		if (p->cfg->transcript) {
			if (secret_command(p->line))
				log_transcript('<', p->line, 5);
			else
				log_transcript('<', p->line, len);
		}
		if (memchr(p->line, '\0', len) || strchr(p->line, '\r')) {
			err(p, "invalid character in command");
			continue;
		}
		c = command_find(commands, p->line, &args);
		if (!c)
			err(p, "unknown command");
		else if (!(c->states & p->state))
			err(p, p->state == P_AUTH ? "not logged in" : "already logged in");
		else
			c->run(p, args);
	}
}

int main(int argc, char **argv)
{
	static struct pop3 p;
	static struct config cfg;

	config_defaults(&cfg, "pop3d", POP3_TIMEOUT, POP3_LINE_MAX);
	config_parse(&cfg, argc, argv, "");
	p.cfg = &cfg;
	p.droplock = -1;
	lout_init(&p.out, 1, WRITE_TIMEOUT);
	lin_init(&p.in, 0, cfg.timeout, &p.out);
	p.state = P_AUTH;
	if (startup(&cfg, &p.env) != 0)
		reply_close(&p, 1, "-ERR [SYS/PERM] service not available (%s)", p.env.error);
	log_msg(LOG_INFO, "connect from %s", startup_peer_label(&p.env));
	ok(&p, "facteur POP3 server ready");
	session(&p);
	return 0;
}
