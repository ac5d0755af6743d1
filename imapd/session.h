/* One IMAP session: the state the command handlers share. */
#ifndef IMAPD_SESSION_H
#define IMAPD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cmdread.h"
#include "imap_opts.h"
#include "limits.h"
#include "mailbox.h"
#include "parser.h"
#include "serve.h"

/* RFC 3501 3: states, as bits for the command table. */
enum {
	I_NOTAUTH = 1,
	I_AUTH = 2,
	I_SELECTED = 4,
	I_ANY = 7,
};

/* A message as the client knows it: message sequence number = position. */
struct view_msg {
	uint32_t uid;
	uint32_t flags;		/* as last reported */
	uint64_t keywords;
	bool recent;		/* \Recent in this session */
	bool gone;		/* expunged elsewhere, not yet reported */
};

/* What the dispatcher does after a command, from the command table. */
enum {
	/* By message sequence numbers (FETCH, STORE, SEARCH; not their UID
	 * forms): the updates after it hold back EXPUNGE (RFC 3501 7.4.1). */
	IC_SEQNUMS = 1,
};

struct imap;
typedef void imap_handler(struct imap *s);

struct imap_command {
	const char *name;
	unsigned states;		/* I_NOTAUTH... bits */
	unsigned flags;			/* IC_... */
	imap_handler *run;
};

struct imap {
	struct session_conn conn;
	const struct imap_opts *opt;
	int userfd;
	/* the selected mailbox (view.c) */
	char mailbox[MAILBOX_NAME_MAX + 1];
	bool readonly;
	struct mailbox mb;
	uint32_t uidvalidity;
	struct view_msg *view;
	uint32_t nview, capview;
	uint32_t nkeywords;		/* keywords the client has been told of */
	/* the command being run */
	struct cmd cmd;
	struct tok tok;
	bool uid;			/* a UID command */
	const char *name;		/* the command, upper case */
	/* its tagged completion, set by done(): the dispatcher writes it
	 * after telling the client what changed in the selected mailbox */
	const char *done_status;
	char *done_text;
};

/* ---- responses (respond.c) ---- */
void untagged(struct imap *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The tagged completion.  BAD counts towards the bad-command limit. */
void tagged(struct imap *s, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* OK or NO at the end of a command, kept for the dispatcher: it first
 * tells what changed in the selected mailbox (view_update), then writes
 * this tagged response.  tagged() writes at once, without the update. */
void done(struct imap *s, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void bye(struct imap *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* The common BAD for arguments that do not parse. */
void bad_syntax(struct imap *s);
const char *capabilities(void);
/* What this session offers now: LOGINDISABLED instead of AUTH=PLAIN before
 * login when a password may not be sent (imap_auth.c). */
const char *session_capabilities(const struct imap *s);

/* ---- the selected mailbox (view.c) ---- */
bool view_select(struct imap *s, const char *name, bool readonly);
void view_close(struct imap *s);
/* Sync with the store and tell the client what changed.  EXPUNGE responses
 * are held back when !expunge_ok (RFC 3501 7.4.1). */
void view_update(struct imap *s, bool expunge_ok);
/* Lock the mailbox, bring the index up to date and announce keywords new
 * to this client (untagged FLAGS).  false when that fails: logged, and the
 * caller answers.  view_unlock() after. */
bool view_lock(struct imap *s, int type);
void view_unlock(struct imap *s);
/* The index position of view entry i, or -1 when it is gone. */
long view_pos(const struct imap *s, uint32_t i);
/* Resolve a sequence set to view entries: calls fn for each (in order,
 * once each).  UID sets match UIDs.  false when a message number is out of
 * range (answered BAD). */
bool view_each(struct imap *s, const struct seqset *set, bool uid,
	       void (*fn)(struct imap *s, uint32_t i, void *arg), void *arg);
void view_send_flags(struct imap *s);
/* "(\Seen ...)" for flags and keywords. */
void write_flags(struct imap *s, uint32_t flags, uint64_t keywords, bool recent);

/* A mailbox name from the client (INBOX in any case becomes "INBOX");
 * false when it is not a valid name. */
bool mailbox_name(const char *raw, size_t n, char *dst);

/* ---- command handlers: the dispatcher (imapd.c) runs them from its table ---- */
void cmd_login(struct imap *s);
void cmd_authenticate(struct imap *s);
void cmd_select(struct imap *s);
void cmd_examine(struct imap *s);
void cmd_close(struct imap *s);
void cmd_unselect(struct imap *s);
void cmd_check(struct imap *s);
void cmd_expunge(struct imap *s);
void cmd_create(struct imap *s);
void cmd_delete(struct imap *s);
void cmd_rename(struct imap *s);
void cmd_subscribe(struct imap *s);
void cmd_unsubscribe(struct imap *s);
void cmd_list(struct imap *s);
void cmd_lsub(struct imap *s);
void cmd_status(struct imap *s);
void cmd_append(struct imap *s);
void cmd_fetch(struct imap *s);
void cmd_store(struct imap *s);
void cmd_search(struct imap *s);
void cmd_copy(struct imap *s);
void cmd_move(struct imap *s);
void cmd_idle(struct imap *s);

#endif
