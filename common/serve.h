/* The session loop every line-based program drives: open the connection
 * (line I/O on fds 0 and 1, start-up, the "connect from" log line), then
 * read a command line, check it, find it in the program's command table and
 * run it, until a handler or a hook ends the process.  What differs between
 * protocols (reply texts, which secrets the transcript masks, the goodbye
 * after the idle timeout) comes in through the hooks of struct serve; the
 * command handlers see only their own session. */
#ifndef FACTEUR_SERVE_H
#define FACTEUR_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "dispatch.h"
#include "limits.h"
#include "lineio.h"
#include "startup.h"

/* What every session has, whatever its protocol: the first member of
 * struct smtp, struct pop3 and struct imap. */
struct session_conn {
	const struct config *cfg;
	struct startup env;		/* the peer, the spool */
	struct lin in;
	struct lout out;
	unsigned state;			/* one of the program's state bits */
	int bad;			/* bad commands so far (-b) */
	int auth_failures;		/* failed logins so far (-f, login.c) */
	char user[USER_NAME_MAX + 1];	/* logged in, or "" */
};

/* Before the greeting (c->cfg set): lout on fd 1, lin on fd 0 (idle
 * `timeout`), startup().  Returns 0 (and logs the connection), or -1 with
 * c->env.error set: the caller refuses in its protocol and exits. */
int serve_open(struct session_conn *c, int timeout);

/* Why a command line is refused before it reaches a handler. */
enum serve_refusal {
	SERVE_TOO_LONG,		/* over the line limit (-c), discarded whole */
	SERVE_BAD_CHAR,		/* a NUL or a bare CR in the command */
	SERVE_UNKNOWN,		/* not in the command table */
};

struct serve {
	const struct command *table;
	void *session;			/* handed to handlers and hooks */
	struct session_conn *conn;	/* the session's own */
	char *line;			/* cfg->line_max + 1 bytes */
	bool log_user;			/* the end-of-session log names conn->user */
	/* Answer a refused line; the session goes on. */
	void (*refuse)(void *session, enum serve_refusal why);
	/* Answer a command that the current state does not allow. */
	void (*wrong_state)(void *session, const struct command *c);
	/* Say why the session ends after the idle timeout, and exit. */
	void (*timed_out)(void *session);
	/* Log a command line in the transcript (-v), secrets masked. */
	void (*log_command)(const char *line, size_t len);
};

/* The end of a session: log "WHAT from PEER[ user=USER]" (user may be
 * NULL or "") and exit with `status`. */
void serve_exit(const struct session_conn *c, const char *user, const char *what,
		int status) __attribute__((noreturn));

/* Read a continuation line of a login exchange (SMTP AUTH, IMAP
 * AUTHENTICATE) of at most `max` bytes into `line`; the transcript (-v)
 * shows "****".  Returns LIN_OK, LIN_TOOLONG (discarded) or LIN_TIMEOUT
 * (the caller ends the session); exits at the end of the input. */
enum lin_status serve_secret_line(struct session_conn *c, char *line, size_t max);

/* Read and run commands for ever; exits at the end of the input. */
void serve_loop(const struct serve *sv) __attribute__((noreturn));

/* Read one line of at most `max` bytes into sv->line for a handler (a SASL
 * continuation): NULL when it was too long (discarded, not answered).  The
 * timeout and the end of the input end the session as in serve_loop(). */
char *serve_read(const struct serve *sv, size_t max, size_t *len);

#endif
