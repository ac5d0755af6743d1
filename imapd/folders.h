/* Folders as the store keeps them (DESIGN.md, "Store"): a mailbox is an
 * mbox file, a level of hierarchy is a directory, so a name is one or the
 * other: a mailbox cannot have inferiors (\NoInferiors) and a level is not
 * selectable (\Noselect).  Names starting with "." are the store's own
 * files.  INBOX, case-insensitive, is the file "INBOX" in the user's
 * directory; nothing may be created under it.
 *
 * foldertree.c reads the tree (what a name is, LIST's walk), folderops.c
 * changes it (CREATE, DELETE, RENAME), inboxmove.c is RENAME INBOX.  Every
 * path is opened with O_NOFOLLOW from the user's directory: a link planted
 * in the spool is never listed, followed, created through or deleted. */
#ifndef IMAPD_FOLDERS_H
#define IMAPD_FOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listmatch.h"

struct imap;

/* Opening a level: never through a link. */
#define FOLDER_DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

enum folder_kind {
	FK_NONE,	/* no such name */
	FK_MBOX,	/* a mailbox: a regular file with one link */
	FK_DIR,		/* a level */
	FK_OTHER,	/* taken by something else (a link, a device...) */
	FK_ERROR,	/* could not tell: errno */
};

enum folder_result {
	FR_OK,
	FR_NONEXISTENT,
	FR_EXISTS,
	FR_CANNOT,	/* the layout does not allow it (under a mailbox, INBOX...) */
	FR_TAKEN,	/* the name or a level of it is something else (a link...) */
	FR_CHILDREN,	/* a level with names under it */
	FR_TOOLONG,	/* the names under it would get too long or too deep */
	FR_BUSY,	/* a lock was not granted in time */
	FR_ERROR,	/* errno */
};

/* ---- reading the tree (foldertree.c) ---- */
enum folder_kind folder_kind(int userfd, const char *name);

/* A name under INBOX in any case ("inbox/x"): never a folder, because
 * INBOX is a mailbox and its name is case-insensitive. */
bool folder_under_inbox(const char *name);

/* The longest name (after "<name>/") and the most levels under the level
 * `name`: what RENAME checks before it moves a level.  -1 on error. */
int folder_extent(int userfd, const char *name, size_t *len, unsigned *levels);

/* Levels in a name: "a/b" has 2. */
unsigned folder_levels(const char *name);

/* LIST attributes (RFC 3501 7.2.2, RFC 3348). */
enum {
	FA_NOSELECT = 1,
	FA_NOINFERIORS = 2,
	FA_CHILDREN = 4,
	FA_NOCHILDREN = 8,
};

struct folder_entry {
	char *name;
	unsigned attrs;
};

/* Names found for one LIST or LSUB, at most LIST_RESULTS_MAX. */
struct folder_set {
	struct folder_entry *e;
	size_t n, cap;
	bool full;		/* the limit was reached */
};

/* -1 when out of memory or full. */
int folder_set_add(struct folder_set *fs, const char *name, size_t n, unsigned attrs);
/* Sort by name (bytes), keeping one entry a name: the one with the fewest
 * attributes (a selectable one before a \Noselect one). */
void folder_set_sort(struct folder_set *fs);
void folder_set_free(struct folder_set *fs);

/* Add every name (INBOX aside) that matches lp, walking only into levels
 * where a match can still be found, at most MAILBOX_DEPTH_MAX deep.
 * -1 when out of memory or out->full. */
int folder_find(int userfd, const struct listpat *lp, struct folder_set *out);

/* ---- changing it (folderops.c) ---- */
/* `level_only`: CREATE "name/" makes a level, not a mailbox. */
enum folder_result folder_create(struct imap *s, const char *name, bool level_only);
enum folder_result folder_delete(struct imap *s, const char *name);
enum folder_result folder_rename(struct imap *s, const char *from, const char *to);

/* Remove the store files of mailbox `leaf` in dirfd (index, append intent,
 * rewrite and index temporaries, POP3 state). */
void folder_remove_sidecars(int dirfd, const char *leaf);

/* RFC 3501 2.3.1.1: a mailbox made again under an old name must not reuse
 * UIDs under the same UIDVALIDITY.  The user's ".uidvalidity" keeps the
 * highest value given to a new mailbox or seen on one deleted or renamed;
 * with `claim` the result is above it (and recorded), else v is recorded. */
uint32_t folder_uidvalidity(const struct imap *s, uint32_t v, bool claim);

/* ---- RENAME INBOX (inboxmove.c) ---- */
enum folder_result folder_move_inbox(struct imap *s, const char *to);

#endif
