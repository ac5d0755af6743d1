/* Where mail lives: SPOOL/<user>/INBOX and SPOOL/<user>/<folder path>.
 * Every path is walked with openat(O_NOFOLLOW) from the spool directory, so a
 * symlink planted anywhere in the spool cannot lead outside it. */
#ifndef FACTEUR_SPOOL_H
#define FACTEUR_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"

/* Open the spool root; -1 on failure. */
int spool_open(const char *path);

/* Open SPOOL/<user> (created 0700 when `create`); -1 on failure. */
int spool_user_dir(int spoolfd, const char *user, bool create);

/* An IMAP mailbox name as stored: '/'-separated levels, printable ASCII, no
 * empty level, no level starting with '.', bounded lengths (limits.h). */
bool mailbox_name_valid(const char *name, size_t len);

/* Is this name INBOX, in any case? */
bool mailbox_is_inbox(const char *name, size_t len);

/* Open the directory that holds `name` (relative to the user's directory),
 * creating the intermediate levels when `create`.  *leaf points into name at
 * its last level.  -1 on failure (ENOENT, ENOTDIR, ELOOP for a link...). */
int spool_walk(int userfd, const char *name, bool create, const char **leaf);

/* Open an mbox file in dirfd: a regular file with one link, never a symlink.
 * `create` makes it (0600) if missing.  -1 with errno on refusal. */
int spool_open_mbox(int dirfd, const char *leaf, bool create);

/* Room for the name of a store file beside an mbox: the dot, the leaf and
 * the longest suffix (".newindex"), with room to spare. */
#define SIDE_NAME_MAX (MAILBOX_COMPONENT_MAX + 16)

/* Name of a store file beside an mbox: ".<leaf><suffix>" into dst. */
bool spool_side_name(char *dst, size_t dstsz, const char *leaf, const char *suffix);

/* Open SPOOL/.tmp (created 0700 if missing) for spilling large messages. */
int spool_tmp_dir(int spoolfd);

#endif
