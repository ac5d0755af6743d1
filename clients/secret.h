/* Passwords, never from the command line (ps shows it to every user): a
 * file named by a flag, an environment variable, ~/.netrc, or a prompt on
 * the terminal, in that order. */
#ifndef FACTEUR_SECRET_H
#define FACTEUR_SECRET_H

/* The user for host: *user when set, else the netrc login for host, else
 * $LOGNAME or $USER.  Exit EX_USAGE when there is none. */
const char *secret_user(const char *user, const char *host);

/* The password of user at host (a static buffer).  Exit EX_USAGE when no
 * source has one. */
const char *secret_password(const char *passfile, const char *envname,
			    const char *host, const char *user);

/* The netrc entry for host (first "machine host", else "default") whose
 * login is user (any login when user is NULL).  Pure, for tests: text is
 * the file's content.  Copies into login/password; false when none. */
#include <stdbool.h>
#include <stddef.h>
bool netrc_find(const char *text, const char *host, const char *user,
		char *login, size_t loginsz, char *password, size_t passsz);

/* The SASL PLAIN response (RFC 4616) "\0user\0pass" in base64, into dst;
 * exit EX_USAGE when either holds a line break or dst is too small. */
void sasl_plain_response(const char *user, const char *pass, char *dst, size_t dstsz);

#endif
