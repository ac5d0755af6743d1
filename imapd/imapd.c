/* imapd: IMAP4rev1 (RFC 3501) with LITERAL+, SASL-IR, IDLE, UIDPLUS, MOVE,
 * NAMESPACE, ID, UNSELECT and CHILDREN, on stdin/stdout.  One process per
 * connection: read a command (cmdread.c), find it in the table, run it. */
#include "session.h"

#include "log.h"
#include "msgbuf.h"
#include "serve.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cmd_capability(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	untagged(s, "CAPABILITY %s", session_capabilities(s));
	done(s, "OK", "CAPABILITY completed");
}

static void cmd_noop(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	done(s, "OK", "NOOP completed");
}

static void cmd_logout(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	untagged(s, "BYE facteur IMAP4rev1 server logging out");
	tagged(s, "OK", "LOGOUT completed");
	lout_flush(&s->conn.out);
	serve_exit(&s->conn, s->conn.user, "logout", 0);
}

/* RFC 2971: the client's list is read and ignored; ours is fixed. */
static void cmd_id(struct imap *s)
{
	struct str k, val;
	bool nil;
	int n = 0;

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

static void cmd_namespace(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	untagged(s, "NAMESPACE ((\"\" \"/\")) NIL NIL");
	done(s, "OK", "NAMESPACE completed");
}

static const struct imap_command commands[] = {
	{ "CAPABILITY", I_ANY, 0, cmd_capability },
	{ "NOOP", I_ANY, 0, cmd_noop },
	{ "LOGOUT", I_ANY, 0, cmd_logout },
	{ "ID", I_ANY, 0, cmd_id },
	{ "LOGIN", I_NOTAUTH, 0, cmd_login },
	{ "AUTHENTICATE", I_NOTAUTH, 0, cmd_authenticate },
	{ "SELECT", I_AUTH | I_SELECTED, 0, cmd_select },
	{ "EXAMINE", I_AUTH | I_SELECTED, 0, cmd_examine },
	{ "CREATE", I_AUTH | I_SELECTED, 0, cmd_create },
	{ "DELETE", I_AUTH | I_SELECTED, 0, cmd_delete },
	{ "RENAME", I_AUTH | I_SELECTED, 0, cmd_rename },
	{ "SUBSCRIBE", I_AUTH | I_SELECTED, 0, cmd_subscribe },
	{ "UNSUBSCRIBE", I_AUTH | I_SELECTED, 0, cmd_unsubscribe },
	{ "LIST", I_AUTH | I_SELECTED, 0, cmd_list },
	{ "LSUB", I_AUTH | I_SELECTED, 0, cmd_lsub },
	{ "NAMESPACE", I_AUTH | I_SELECTED, 0, cmd_namespace },
	{ "STATUS", I_AUTH | I_SELECTED, 0, cmd_status },
	{ "APPEND", I_AUTH | I_SELECTED, 0, cmd_append },
	{ "IDLE", I_AUTH | I_SELECTED, 0, cmd_idle },
	{ "CHECK", I_SELECTED, 0, cmd_check },
	{ "CLOSE", I_SELECTED, 0, cmd_close },
	{ "UNSELECT", I_SELECTED, 0, cmd_unselect },
	{ "EXPUNGE", I_SELECTED, 0, cmd_expunge },
	{ "SEARCH", I_SELECTED, IC_SEQNUMS, cmd_search },
	{ "FETCH", I_SELECTED, IC_SEQNUMS, cmd_fetch },
	{ "STORE", I_SELECTED, IC_SEQNUMS, cmd_store },
	{ "COPY", I_SELECTED, 0, cmd_copy },
	{ "MOVE", I_SELECTED, 0, cmd_move },
	{ NULL, 0, 0, NULL },
};

/* UID FETCH, UID STORE, ...: the same handlers with s->uid set. */
static const struct imap_command uid_commands[] = {
	{ "FETCH", I_SELECTED, 0, cmd_fetch },
	{ "STORE", I_SELECTED, 0, cmd_store },
	{ "SEARCH", I_SELECTED, 0, cmd_search },
	{ "COPY", I_SELECTED, 0, cmd_copy },
	{ "MOVE", I_SELECTED, 0, cmd_move },
	{ "EXPUNGE", I_SELECTED, 0, cmd_expunge },
	{ NULL, 0, 0, NULL },
};

static const struct imap_command *find(const struct imap_command *table,
				       const struct str *w, char *name)
{
	if (!str_copy(w, name, 16))
		return NULL;
	for (char *c = name; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

/* After the command: what changed in the selected mailbox, then the
 * completion the handler left with done(). */
static void complete(struct imap *s, unsigned flags)
{
	if (!s->done_status)
		return;
	if (s->conn.state == I_SELECTED)
		view_update(s, !(flags & IC_SEQNUMS));
	tagged(s, s->done_status, "%s", s->done_text);
	free(s->done_text);
	s->done_text = NULL;
	s->done_status = NULL;
}

static void run(struct imap *s)
{
	static char name[16], uidname[16];
	const struct imap_command *c;
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
	else if (!(c->states & s->conn.state))
		tagged(s, "BAD", "[CLIENTBUG] %s not allowed %s", s->name,
		       s->conn.state == I_NOTAUTH ? "before login" :
		       s->conn.state == I_AUTH ? "without a selected mailbox" : "now");
	else {
		c->run(s);
		complete(s, c->flags);
	}
out:
	tok_free(&s->tok);
}

static void session(struct imap *s)
{
	for (;;) {
		s->conn.in.timeout = s->conn.state == I_NOTAUTH ? s->opt->preauth_timeout
								: s->conn.cfg->timeout;
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
	s.conn.cfg = &cfg;
	s.opt = &opt;
	s.userfd = -1;
	s.mb.fd = s.mb.dirfd = -1;
	s.conn.state = I_NOTAUTH;
	if (serve_open(&s.conn, opt.preauth_timeout) != 0)
		bye(&s, 1, "[UNAVAILABLE] Service not available (%s)", s.conn.env.error);
	untagged(&s, "OK [CAPABILITY %s] facteur IMAP4rev1 ready", session_capabilities(&s));
	session(&s);
	return 0;
}
