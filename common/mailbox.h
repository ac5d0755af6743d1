/* A mailbox: one mbox file, its lock and its index.  The rules (DESIGN.md,
 * "Store"): fcntl locks with bounded waits, shared to read and exclusive to
 * write; after a lock is granted, check the file is still the one at the
 * path; append = lock, note the size, write, fsync, or truncate back;
 * rewrite = copy beside, fsync, rename over.  The index is kept true by
 * mailbox_sync() under the lock.  An append in progress is recorded in
 * ".<name>.pending" (the size before it), so that a process killed in the
 * middle of one leaves no partial message: the next lock holder truncates it
 * away before anything else. */
#ifndef FACTEUR_MAILBOX_H
#define FACTEUR_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index.h"
#include "limits.h"

/* F_RDLCK is 0 on some systems: "no lock" needs its own value. */
#define MB_UNLOCKED (-1)

struct mailbox {
	int dirfd;			/* the directory that holds the mbox */
	char leaf[MAILBOX_COMPONENT_MAX + 1];
	int fd;				/* the mbox, read-write */
	int lock;			/* MB_UNLOCKED, F_RDLCK or F_WRLCK */
	int lock_timeout;		/* seconds */
	struct index ix;
	bool ix_loaded;			/* ix mirrors the index file */
};

/* Open mailbox `name` ("INBOX" or a folder path) under the user's directory.
 * With `create` the mbox (and its directories) are made when missing.
 * No lock is held afterwards.  -1 with errno on failure. */
int mailbox_open(struct mailbox *mb, int userfd, const char *name, bool create,
		 int lock_timeout);
void mailbox_close(struct mailbox *mb);

/* Lock (F_RDLCK or F_WRLCK), waiting at most lock_timeout; reopens when the
 * file at the path was replaced meanwhile. */
int mailbox_lock(struct mailbox *mb, int type);
void mailbox_unlock(struct mailbox *mb);

/* Whether mb->fd is still the file at the mailbox's path.  No lock needed:
 * while it is, the bytes of the messages it held stay where they were
 * (appends only add at the end; a rewrite renames a new file in). */
bool mailbox_is_current(const struct mailbox *mb);

/* Bring mb->ix up to date with the mbox.  Needs a lock; when the index must
 * be written the lock is upgraded to F_WRLCK (and stays so). */
int mailbox_sync(struct mailbox *mb);

/* Append, under F_WRLCK.  begin notes the size and makes sure the new
 * message starts after a blank line; write appends bytes; commit fsyncs;
 * rollback truncates to the noted size. */
int mailbox_append_begin(struct mailbox *mb, uint64_t *orig_size);
int mailbox_append_write(struct mailbox *mb, const void *p, size_t n);
int mailbox_append_commit(struct mailbox *mb);
void mailbox_append_rollback(struct mailbox *mb, uint64_t orig_size);

/* Rewrite keeping the messages i with keep[i] (index order), under F_WRLCK
 * after mailbox_sync().  Atomic: a crash leaves the old or the new file. */
int mailbox_rewrite(struct mailbox *mb, const bool *keep);

/* Save flag changes of records [first, last] (under F_WRLCK). */
int mailbox_save_flags(struct mailbox *mb, uint32_t first, uint32_t last);

/* The bit of keyword kw in the index's table; with `add`, a new keyword gets
 * a bit (saved with the next write).  -1 if absent or the table is full. */
int mailbox_keyword(struct mailbox *mb, const char *kw, bool add);

/* Mark every message as seen-as-recent by this session: returns the highest
 * UID some earlier session had claimed (messages above it are \Recent here).
 * Under F_WRLCK. */
int mailbox_claim_recent(struct mailbox *mb, uint32_t *prev);

/* For the store's own files: record in h the mbox file st describes. */
struct stat;
void mailbox_note_file(struct idx_header *h, const struct stat *st);

#endif
