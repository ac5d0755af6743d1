/* A new password: asked twice without echo on a terminal, or one line of
 * standard input for scripts; then hashed with yescrypt. */
#ifndef ADMIN_PASSWORD_H
#define ADMIN_PASSWORD_H

#include <stddef.h>

#define PASSWORD_MAX 256	/* bytes, as SASL_FIELD_MAX: a longer one could never log in */

/* Read the password into pw (PASSWORD_MAX + 1 bytes); -1 with a message. */
int password_read(char *pw);

/* yescrypt hash of pw into out (CRYPT_OUTPUT_SIZE bytes); -1 with a message. */
int password_hash(const char *pw, char *out, size_t outsz);

#endif
