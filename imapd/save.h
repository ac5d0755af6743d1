/* Saving messages into a mailbox for COPY, MOVE and APPEND: the target's
 * write lock, the appends with truncate-back on failure, fsync, and the
 * UIDs and flags of the new messages. */
#ifndef IMAPD_SAVE_H
#define IMAPD_SAVE_H

#include <stdbool.h>
#include <stdint.h>

#include "mailbox.h"

struct imap;

struct target {
	struct mailbox own;	/* when the target is not the selected mailbox */
	struct mailbox *mb;
	uint64_t orig_size;
	uint32_t first;		/* index position of the first new message */
	bool begun;
	bool held;		/* the selected mailbox, already write-locked */
};

/* Open the target by its canonical name, lock it for writing and sync it.
 * -1 with errno: ENOENT (the caller answers NO [TRYCREATE]) or another. */
int target_begin(struct imap *s, const char *name, struct target *t);
/* Append bytes (message after message, each already in mbox form). */
int target_write(struct target *t, const void *p, size_t n);
/* Append raw bytes [start, end) of another mbox file. */
int target_copy(struct target *t, int fd, uint64_t start, uint64_t end);
/* fsync; once that succeeded the messages are stored and this returns 0.
 * Then sync the index: the new messages are ix.rec[first .. nrec) (none
 * when the index could not be read). */
int target_commit(struct target *t);
/* Give the new messages their flags and save them. */
int target_set_flags(struct target *t, uint32_t k, uint32_t flags, uint64_t keywords);
int target_save_flags(struct target *t);
/* Unlock and close (rolling the appends back unless committed). */
void target_end(struct imap *s, struct target *t, bool committed);

#endif
