/* The login rules of the three programs, in one place:
 * - whether a login may be offered at all (plaintext-login policy: off
 *   loopback a password travels only over TLS, unless -C);
 * - what a failed login costs: it is logged (the name escaped), delayed a
 *   little more each time, the session ends after -f of them, and it is
 *   counted in the spool's failure record (failrec.h) so that a client that
 *   reconnects is refused too once its address or the user name tried has
 *   -F failures within -W seconds. */
#ifndef FACTEUR_LOGIN_H
#define FACTEUR_LOGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "serve.h"

enum login_result {
	LOGIN_OK,		/* canon holds the user */
	LOGIN_FAILED,		/* answer "failed" and go on */
	LOGIN_HELD,		/* refused unchecked: the record is over -F */
	LOGIN_CUTOFF,		/* -f failures in this session: answer and close */
};

/* May a password be sent on this connection? */
bool login_offered(const struct session_conn *c);

/* Check user and password under the rules above; c->auth_failures counts
 * this session's failures.  canon holds USER_NAME_MAX + 1 bytes. */
enum login_result login_check(struct session_conn *c, const char *user, size_t ulen,
			      const char *pass, char *canon);

#endif
