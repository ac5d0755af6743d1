/* The auth file: one user a line, "name:hash", hash a crypt(3) string.
 * Lines starting with '#' and blank lines are ignored; a malformed line is
 * logged (by number, never its content) and skipped. */
#ifndef FACTEUR_AUTH_H
#define FACTEUR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"

/* Open and check the file; -1 (errno set) if it cannot be read. */
int auth_open(const char *path);

/* Is `name` a user?  On success the canonical (lower-case) name is copied to
 * canon, which holds USER_NAME_MAX + 1 bytes.  The match ignores case. */
bool auth_user_exists(const char *name, size_t len, char *canon);

/* Check a password.  Unknown users, disabled users ('!' or '*' hashes) and
 * wrong passwords cost the same crypt(3) work and give the same answer. */
bool auth_verify(const char *name, size_t len, const char *pass, char *canon);

/* Lower-case letters, digits, '.', '_', '-'; starts with a letter or digit. */
bool user_name_valid(const char *name, size_t len);

/* Lower-case copy of a candidate name into out (USER_NAME_MAX + 1 bytes),
 * as the auth file's names are compared; false if it cannot be a user. */
bool auth_fold_name(const char *name, size_t len, char *out);

/* The name of the first user in the file (the postmaster default). */
bool auth_first_user(char *canon);

#endif
