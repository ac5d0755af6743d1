/* imapd: IMAP4rev1 (RFC 3501) with LITERAL+, SASL-IR, IDLE, UIDPLUS, MOVE,
 * NAMESPACE, ID, UNSELECT and CHILDREN, on stdin/stdout.  One process per
 * connection: read a command (cmdread.c), find it in the table, run it. */
#include "session.h"

#include "dispatch.h"
#include "log.h"
#include "msgbuf.h"
#include "serve.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cmd_capability(void *v, char *unused)
{
	struct imap *s = v;

	(void)unused;
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	untagged(s, "CAPABILITY %s", session_capabilities(s));
	done(s, "OK", "CAPABILITY completed");
}

static void cmd_noop(void *v, char *unused)
{
	struct imap *s = v;

	(void)unused;
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	done(s, "OK", "NOOP completed");
}

static void cmd_logout(void *v, char *unused)
{
	struct imap *s = v;

	(void)unused;
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	untagged(s, "BYE facteur IMAP4rev1 server logging out");
	tagged(s, "OK", "LOGOUT completed");
	lout_flush(&s->out);
	log_msg(LOG_INFO, "logout from %s%s%s", startup_peer_label(&s->env),
		s->user[0] ? " user=" : "", s->user);
	exit(0);
}

/* RFC 2971: the client's list is read and ignored; ours is fixed. */
static void cmd_id(void *v, char *unused)
{
	struct imap *s = v;
	struct str k, val;
	bool nil;
	int n = 0;

	(void)unused;
	if (!tok_sp(&s->tok))
		goto bad;
	if (!tok_word(&s->tok, "NIL")) {
		if (!tok_char(&s->tok, '('))
			goto bad;
		while (!tok_char(&s->tok, ')')) {
			if ((n && !tok_sp(&s->tok)) || !tok_string(&s->tok, &k) ||
			    !tok_sp(&s->tok) || !tok_nstring(&s->tok, &val, &nil) || ++n > 30)
				goto bad;
		}
	}
	if (!tok_end(&s->tok))
		goto bad;
	untagged(s, "ID (\"name\" \"facteur\" \"vendor\" \"facteur\")");
	done(s, "OK", "ID completed");
	return;
bad:
	bad_syntax(s);
}

static void cmd_namespace(void *v, char *unused)
{
	struct imap *s = v;

	(void)unused;
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	untagged(s, "NAMESPACE ((\"\" \"/\")) NIL NIL");
	done(s, "OK", "NAMESPACE completed");
}

static const struct command commands[] = {
	{ "CAPABILITY", I_ANY, cmd_capability },
	{ "NOOP", I_ANY, cmd_noop },
	{ "LOGOUT", I_ANY, cmd_logout },
	{ "ID", I_ANY, cmd_id },
	{ "LOGIN", I_NOTAUTH, cmd_login },
	{ "AUTHENTICATE", I_NOTAUTH, cmd_authenticate },
	{ "SELECT", I_AUTH | I_SELECTED, cmd_select },
	{ "EXAMINE", I_AUTH | I_SELECTED, cmd_examine },
	{ "CREATE", I_AUTH | I_SELECTED, cmd_create },
	{ "DELETE", I_AUTH | I_SELECTED, cmd_delete },
	{ "RENAME", I_AUTH | I_SELECTED, cmd_rename },
	{ "SUBSCRIBE", I_AUTH | I_SELECTED, cmd_subscribe },
	{ "UNSUBSCRIBE", I_AUTH | I_SELECTED, cmd_unsubscribe },
	{ "LIST", I_AUTH | I_SELECTED, cmd_list },
	{ "LSUB", I_AUTH | I_SELECTED, cmd_lsub },
	{ "NAMESPACE", I_AUTH | I_SELECTED, cmd_namespace },
	{ "STATUS", I_AUTH | I_SELECTED, cmd_status },
	{ "APPEND", I_AUTH | I_SELECTED, cmd_append },
	{ "IDLE", I_AUTH | I_SELECTED, cmd_idle },
	{ "CHECK", I_SELECTED, cmd_check },
	{ "CLOSE", I_SELECTED, cmd_close },
	{ "UNSELECT", I_SELECTED, cmd_unselect },
	{ "EXPUNGE", I_SELECTED, cmd_expunge },
	{ "SEARCH", I_SELECTED, cmd_search },
	{ "FETCH", I_SELECTED, cmd_fetch },
	{ "STORE", I_SELECTED, cmd_store },
	{ "COPY", I_SELECTED, cmd_copy },
	{ "MOVE", I_SELECTED, cmd_move },
	{ NULL, 0, NULL },
};

/* UID FETCH, UID STORE, ...: the same handlers with s->uid set. */
static const struct command uid_commands[] = {
	{ "FETCH", I_SELECTED, cmd_fetch },
	{ "STORE", I_SELECTED, cmd_store },
	{ "SEARCH", I_SELECTED, cmd_search },
	{ "COPY", I_SELECTED, cmd_copy },
	{ "MOVE", I_SELECTED, cmd_move },
	{ "EXPUNGE", I_SELECTED, cmd_expunge },
	{ NULL, 0, NULL },
};

static const struct command *find(const struct command *table, const struct str *w,
				  char *name)
{
	char *unused;

	if (!str_copy(w, name, 16))
		return NULL;
	for (char *c = name; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return command_find(table, name, &unused);
}

static void run(struct imap *s)
{
	static char name[16], uidname[16];
	const struct command *c;
	struct str tag, w;

	s->uid = false;
	s->name = NULL;
	if (tok_init(&s->tok, &s->cmd) != 0)
		bye(s, 1, "[SERVERBUG] out of memory");
	if (!tok_tag(&s->tok, &tag) || !tok_sp(&s->tok) || !tok_atom(&s->tok, &w)) {
		tagged(s, "BAD", "[CLIENTBUG] Expected a tag and a command");
		goto out;
	}
	c = find(commands, &w, name);
	s->name = name;
	if (!c && strcmp(name, "UID") == 0) {
		if (!tok_sp(&s->tok) || !tok_atom(&s->tok, &w) ||
		    !(c = find(uid_commands, &w, uidname))) {
			tagged(s, "BAD", "[CLIENTBUG] Unknown UID command");
			goto out;
		}
		s->uid = true;
		s->name = uidname;
	}
	if (!c)
		tagged(s, "BAD", "[CLIENTBUG] Unknown command");
	else if (!(c->states & s->state))
		tagged(s, "BAD", "[CLIENTBUG] %s not allowed %s", s->name,
		       s->state == I_NOTAUTH ? "before login" :
		       s->state == I_AUTH ? "without a selected mailbox" : "now");
	else
		c->run(s, NULL);
out:
	tok_free(&s->tok);
}

static void session(struct imap *s)
{
	for (;;) {
		s->in.timeout = s->state == I_NOTAUTH ? s->opt->preauth_timeout : s->cfg->timeout;
		if (cmd_read(s, &s->cmd) == CMD_OK)
			run(s);
	}
}

int main(int argc, char **argv)
{
	static struct imap s;
	static struct config cfg;
	static struct imap_opts opt;

	imap_opts_parse(&cfg, &opt, argc, argv);
	s.cfg = &cfg;
	s.opt = &opt;
	s.userfd = -1;
	s.mb.fd = s.mb.dirfd = -1;
	s.state = I_NOTAUTH;
	if (serve_open(&cfg, &s.env, &s.in, &s.out, opt.preauth_timeout) != 0)
		bye(&s, 1, "[UNAVAILABLE] Service not available (%s)", s.env.error);
	untagged(&s, "OK [CAPABILITY %s] facteur IMAP4rev1 ready", session_capabilities(&s));
	session(&s);
	return 0;
}
