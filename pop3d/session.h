/* One POP3 session: the state the command handlers share. */
#ifndef POP3D_SESSION_H
#define POP3D_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "limits.h"
#include "lineio.h"
#include "mailbox.h"
#include "startup.h"

/* RFC 1939 states, as bits for the command table (UPDATE is QUIT's work). */
enum { P_AUTH = 1, P_TRANS = 2, P_ANY = 3 };

/* A message as the session sees it: numbered from the login snapshot. */
struct drop_msg {
	uint32_t uid;
	uint64_t size;			/* octets RETR sends, before dot-stuffing */
	bool deleted;
};

struct pop3 {
	const struct config *cfg;
	struct startup env;
	struct lin in;
	struct lout out;
	unsigned state;
	int bad;
	int auth_failures;
	char user_arg[USER_NAME_MAX + 1];	/* from USER, awaiting PASS */
	bool have_user;
	char user[USER_NAME_MAX + 1];		/* logged in */
	/* the maildrop (maildrop.c) */
	int droplock;			/* fd holding the session's maildrop lock */
	struct mailbox mb;
	uint32_t uidvalidity;
	struct drop_msg *msgs;
	uint32_t nmsgs;
	char line[LINE_MAX_CEILING + 1];
};

/* Replies.  ok()/err() write one line; err() counts towards -b. */
void ok(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_close(struct pop3 *p, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* One line of a multi-line reply, dot-stuffed; and the terminating ".". */
void multi_line(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void multi_end(struct pop3 *p);
/* Read one continuation line (AUTH); NULL (answered) when over `max`. */
char *read_line(struct pop3 *p, size_t max, bool secret);

/* maildrop.c */
enum drop_status { DROP_OK, DROP_IN_USE, DROP_BUSY };
enum drop_status maildrop_open(struct pop3 *p);
/* Message n (1-based) of the snapshot, or NULL (with the reply sent) when it
 * is out of range or deleted. */
struct drop_msg *maildrop_msg(struct pop3 *p, const char *arg);
/* Stream message m to the client: the header and `lines` body lines (all
 * of them when lines is UINT64_MAX).  Returns false when it is gone. */
bool maildrop_send(struct pop3 *p, const struct drop_msg *m, uint64_t lines);
/* QUIT in TRANSACTION: remove the deleted messages, atomically. */
bool maildrop_update(struct pop3 *p, uint32_t *left);
/* Let go of the mailbox and the maildrop lock. */
void maildrop_close(struct pop3 *p);

/* Command handlers. */
void cmd_user(void *p, char *args);
void cmd_pass(void *p, char *args);
void cmd_auth(void *p, char *args);
void cmd_stat(void *p, char *args);
void cmd_list(void *p, char *args);
void cmd_uidl(void *p, char *args);
void cmd_retr(void *p, char *args);
void cmd_top(void *p, char *args);
void cmd_dele(void *p, char *args);
void cmd_rset(void *p, char *args);

#endif
