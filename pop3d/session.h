/* One POP3 session: the state the command handlers share. */
#ifndef POP3D_SESSION_H
#define POP3D_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "maildrop.h"
#include "serve.h"

/* RFC 1939 states, as bits for the command table (UPDATE is QUIT's work). */
enum { P_AUTH = 1, P_TRANS = 2, P_ANY = 3 };

struct pop3 {
	struct session_conn conn;
	char user_arg[USER_NAME_MAX + 1];	/* from USER, awaiting PASS */
	bool have_user;
	struct maildrop drop;			/* from login to QUIT */
	const struct serve *serve;		/* the session loop (pop3d.c) */
	char line[LINE_MAX_CEILING + 1];
};

/* Replies (reply.c).  ok()/err() write one line; err() counts towards -b. */
void ok(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -ERR [SYS/TEMP]: the store's refusal, not the client's error (not counted). */
void err_temp(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_close(struct pop3 *p, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* One line of a multi-line reply, dot-stuffed; and the terminating ".". */
void multi_line(struct pop3 *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void multi_end(struct pop3 *p);
/* Read one continuation line (AUTH); NULL (answered) when over `max`. */
char *read_line(struct pop3 *p, size_t max, bool secret);

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
