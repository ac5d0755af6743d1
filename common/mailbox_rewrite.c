/* Rewriting a mailbox (copy beside, fsync, rename over: an expunge) and
 * saving flag changes to its index. */
#include "mailbox.h"
#include "lineio.h"
#include "lock.h"
#include "log.h"
#include "mboxscan.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COPY_BUF (1024 * 1024)

/* ---- rewrite ---- */

struct copier {
	int in, out;
	char *buf;
	size_t len;
	uint64_t written;
};

static int copier_flush(struct copier *c)
{
	if (c->len && write_all(c->out, c->buf, c->len, 0) != 0)
		return -1;
	c->written += c->len;
	c->len = 0;
	return 0;
}

/* Append raw [off, off+n) of the input, then `extra` bytes. */
static int copier_copy(struct copier *c, uint64_t off, uint64_t n,
		       const char *extra, size_t extra_len)
{
	while (n > 0) {
		size_t room = COPY_BUF - c->len, want = n < room ? (size_t)n : room;
		ssize_t got;

		if (room == 0) {
			if (copier_flush(c) != 0)
				return -1;
			continue;
		}
		got = pread(c->in, c->buf + c->len, want, (off_t)off);
		if (got <= 0)
			return -1;
		c->len += (size_t)got;
		off += (uint64_t)got;
		n -= (uint64_t)got;
	}
	if (c->len + extra_len > COPY_BUF && copier_flush(c) != 0)
		return -1;
	memcpy(c->buf + c->len, extra, extra_len);
	c->len += extra_len;
	return 0;
}

/* Copy the kept messages to `out`, each followed by one blank line, and
 * build their index records at the new offsets in nix. */
static int copy_kept(struct mailbox *mb, const bool *keep, int out, struct index *nix)
{
	struct copier c = { mb->fd, out, malloc(COPY_BUF), 0, 0 };
	int rc = c.buf ? 0 : -1;

	for (uint32_t i = 0; rc == 0 && i < mb->ix.h.nrec; i++) {
		const struct idx_rec *r = &mb->ix.rec[i];

		if (!keep[i])
			continue;
		if (index_reserve(nix, nix->h.nrec + 1) != 0) {
			rc = -1;
			break;
		}
		nix->rec[nix->h.nrec] = *r;
		nix->rec[nix->h.nrec].offset = c.written + c.len;
		nix->h.nrec++;
		rc = copier_copy(&c, r->offset, r->from_len + r->raw_len, "\n", 1);
	}
	if (rc == 0)
		rc = copier_flush(&c);
	free(c.buf);
	return rc;
}

int mailbox_rewrite(struct mailbox *mb, const bool *keep)
{
	char tmp[SIDE_NAME_MAX];
	struct index nix;
	struct stat old, st;
	int out;

	if (mb->lock != F_WRLCK || fstat(mb->fd, &old) != 0 ||
	    !spool_side_name(tmp, sizeof tmp, mb->leaf, ".new")) {
		errno = errno ? errno : ENOLCK;
		return -1;
	}
	unlinkat(mb->dirfd, tmp, 0);	/* stale: only the lock holder writes it */
	out = openat(mb->dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     old.st_mode & 0777);
	if (out < 0)
		return -1;
	index_init(&nix);
	nix.h = mb->ix.h;
	nix.h.nrec = 0;
	memcpy(nix.kw, mb->ix.kw, sizeof nix.kw);
	nix.file_ino = mb->ix.file_ino;
	/* The new file is locked before it has a name others can open. */
	if (copy_kept(mb, keep, out, &nix) != 0 || fsync(out) != 0 ||
	    fstat(out, &st) != 0 || lock_try(out, F_WRLCK) != 0 ||
	    renameat(mb->dirfd, tmp, mb->dirfd, mb->leaf) != 0) {
		int e = errno;
		close(out);
		unlinkat(mb->dirfd, tmp, 0);
		index_free(&nix);
		errno = e;
		return -1;
	}
	fsync(mb->dirfd);
	close(mb->fd);			/* drops the lock on the old file */
	mb->fd = out;
	mailbox_note_file(&nix.h, &st);
	index_free(&mb->ix);
	mb->ix = nix;
	/* A crash before this line leaves the new mbox with the old index: the
	 * next sync rebuilds it and recognises the messages by fingerprint. */
	if (index_write_full(mb->dirfd, mb->leaf, &mb->ix, true) != 0)
		mb->ix_loaded = false;
	return 0;
}

/* ---- flags ---- */

int mailbox_save_flags(struct mailbox *mb, uint32_t first, uint32_t last)
{
	if (mb->lock != F_WRLCK) {
		errno = ENOLCK;
		return -1;
	}
	if (index_write_range(mb->dirfd, mb->leaf, &mb->ix, first, last) == 0)
		return 0;
	return index_write_full(mb->dirfd, mb->leaf, &mb->ix, false);
}

int mailbox_keyword(struct mailbox *mb, const char *kw, bool add)
{
	struct idx_header *h = &mb->ix.h;

	for (uint32_t k = 0; k < h->nkeywords; k++)
		if (strcasecmp(mb->ix.kw[k], kw) == 0)
			return (int)k;
	if (!add || h->nkeywords >= KEYWORDS_MAX || strlen(kw) > KEYWORD_LEN_MAX)
		return -1;
	strcpy(mb->ix.kw[h->nkeywords], kw);
	return (int)h->nkeywords++;
}

int mailbox_claim_recent(struct mailbox *mb, uint32_t *prev)
{
	*prev = mb->ix.h.recent_uid;
	if (mb->ix.h.recent_uid + 1 >= mb->ix.h.uidnext)
		return 0;
	mb->ix.h.recent_uid = mb->ix.h.uidnext - 1;
	return mailbox_save_flags(mb, 1, 0);
}
