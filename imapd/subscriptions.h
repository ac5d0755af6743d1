/* The subscription list (RFC 3501 6.3.6, 6.3.7, 6.3.9): the file
 * SPOOL/<user>/.subscriptions, one mailbox name a line.  A change is made
 * under an fcntl lock on the file and lands by renaming a new file over it:
 * a reader sees the old list or the new one, never part of one, and two
 * sessions subscribing at once lose neither name. */
#ifndef IMAPD_SUBSCRIPTIONS_H
#define IMAPD_SUBSCRIPTIONS_H

#include <stdbool.h>

#include "limits.h"

struct subs {
	char *buf;				/* the file's text, lines cut by NULs */
	const char *name[SUBSCRIPTIONS_MAX];
	unsigned n;
};

/* Read the list (empty when there is none); -1 on an I/O error.  Lines that
 * are not valid mailbox names, repeats, and lines past the limit are left
 * out (and dropped by the next change). */
int subs_load(int userfd, struct subs *l);
void subs_free(struct subs *l);
bool subs_has(const struct subs *l, const char *name);

enum subs_result {
	SUBS_OK,
	SUBS_ABSENT,	/* removing a name that is not in the list */
	SUBS_FULL,	/* adding past SUBSCRIPTIONS_MAX */
	SUBS_BUSY,	/* the lock was not granted in time */
	SUBS_ERROR,	/* errno set */
};

/* Add `name` (a no-op when it is there) or remove it. */
enum subs_result subs_change(int userfd, const char *name, bool add, int lock_timeout);

#endif
