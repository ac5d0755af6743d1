/* RENAME INBOX (RFC 3501 6.3.5): the messages of INBOX move to a new
 * mailbox and INBOX stays, empty.  INBOX is not renamed (deliveries keep
 * going to it): its messages are copied, with their flags, into the new
 * mailbox under both write locks, made durable, and only then removed from
 * INBOX by a rewrite.  A crash in between leaves them in both mailboxes;
 * nothing is ever only in a file that is not durable yet. */
#include "folders.h"
#include "session.h"

#include "index.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

/* Bytes [off, off+n) of `from`'s mbox appended to `to`. */
static int copy_bytes(struct mailbox *from, struct mailbox *to, uint64_t off, uint64_t n,
		      char *buf)
{
	while (n > 0) {
		size_t want = n < CHUNK ? (size_t)n : CHUNK;
		ssize_t got = pread(from->fd, buf, want, (off_t)off);

		if (got <= 0) {
			if (got < 0 && errno == EINTR)
				continue;
			if (got == 0)
				errno = EIO;	/* the file is shorter than its index says */
			return -1;
		}
		if (mailbox_append_write(to, buf, (size_t)got) != 0)
			return -1;
		off += (uint64_t)got;
		n -= (uint64_t)got;
	}
	return 0;
}

/* Every message, as it is on disk (From_ line and mboxrd body), each
 * followed by its blank line; one append, so a failure leaves nothing. */
static int copy_messages(struct mailbox *in, struct mailbox *out)
{
	char *buf = malloc(CHUNK);
	uint64_t orig;
	int rc = -1;

	if (!buf || mailbox_append_begin(out, &orig) != 0) {
		free(buf);
		return -1;
	}
	for (uint32_t i = 0; i < in->ix.h.nrec; i++) {
		const struct idx_rec *r = &in->ix.rec[i];

		if (copy_bytes(in, out, r->offset, r->from_len + r->raw_len, buf) != 0 ||
		    mailbox_append_write(out, "\n", 1) != 0)
			goto out;
	}
	rc = mailbox_append_commit(out);
out:
	if (rc != 0) {
		int e = errno;
		mailbox_append_rollback(out, orig);
		errno = e;
	}
	free(buf);
	return rc;
}

/* The copies get the flags and keywords of the originals (same order: the
 * new mailbox held nothing before).  Only a cache is written: a failure
 * loses flags, never mail. */
static void copy_flags(struct imap *s, struct mailbox *in, struct mailbox *out)
{
	uint32_t n = in->ix.h.nrec;

	if (mailbox_sync(out) != 0 || out->ix.h.nrec != n) {
		log_msg(LOG_WARNING, "%s: RENAME INBOX: flags not carried over", s->conn.user);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct idx_rec *r = &in->ix.rec[i];
		uint64_t kw = 0;

		for (uint32_t k = 0; k < in->ix.h.nkeywords && k < 64; k++) {
			int bit;

			if (!(r->keywords & (1ull << k)))
				continue;
			bit = mailbox_keyword(out, in->ix.kw[k], true);
			if (bit >= 0)
				kw |= 1ull << bit;
		}
		out->ix.rec[i].flags = r->flags;
		out->ix.rec[i].keywords = kw;
	}
	if (index_write_full(out->dirfd, out->leaf, &out->ix, true) != 0)
		log_msg(LOG_WARNING, "%s: RENAME INBOX: flags not saved: %s", s->conn.user,
			strerror(errno));
}

/* Undo a new mailbox we made (while its lock is still ours). */
static void discard(struct mailbox *out)
{
	if (unlinkat(out->dirfd, out->leaf, 0) == 0)
		folder_remove_sidecars(out->dirfd, out->leaf);
}

static enum folder_result lock_synced(struct mailbox *mb)
{
	if (mailbox_lock(mb, F_WRLCK) != 0)
		return errno == ETIMEDOUT || errno == EAGAIN || errno == EDEADLK ? FR_BUSY : FR_ERROR;
	return mailbox_sync(mb) == 0 ? FR_OK : FR_ERROR;
}

/* INBOX and the new mailbox are open and locked: move the messages. */
static enum folder_result move(struct imap *s, struct mailbox *in, struct mailbox *out)
{
	bool *keep;
	int rc;

	if (in->ix.h.nrec == 0)
		return FR_OK;
	if (copy_messages(in, out) != 0)
		return FR_ERROR;
	copy_flags(s, in, out);
	if (!(keep = calloc(in->ix.h.nrec, sizeof *keep)))
		return FR_ERROR;
	rc = mailbox_rewrite(in, keep);		/* keeps nothing */
	free(keep);
	return rc == 0 ? FR_OK : FR_ERROR;
}

enum folder_result folder_move_inbox(struct imap *s, const char *to)
{
	struct mailbox in, out;
	enum folder_result r;
	int timeout = s->conn.cfg->lock_timeout;

	memset(&out, 0, sizeof out);	/* closable before it is opened */
	out.fd = out.dirfd = -1;
	out.lock = MB_UNLOCKED;
	index_init(&out.ix);
	if (mailbox_open(&in, s->userfd, "INBOX", true, timeout) != 0)
		return FR_ERROR;
	/* INBOX first, then the new mailbox: one order, no deadlock; and a busy
	 * INBOX is found before anything is made. */
	if ((r = lock_synced(&in)) != FR_OK || (r = folder_create(s, to, false)) != FR_OK)
		goto out;
	if (mailbox_open(&out, s->userfd, to, false, timeout) != 0)
		r = FR_ERROR;
	else if ((r = lock_synced(&out)) == FR_OK)
		r = move(s, &in, &out);
	if (r != FR_OK) {
		int e = errno;

		if (r == FR_ERROR)
			log_msg(LOG_ERR, "%s: RENAME INBOX %s: %s", s->conn.user, to, strerror(e));
		/* INBOX still has every message: the new mailbox goes again (only
		 * while it is locked: otherwise someone may have used it) */
		if (out.lock == F_WRLCK)
			discard(&out);
		errno = e;
	}
out:
	mailbox_close(&in);
	mailbox_close(&out);
	return r;
}
