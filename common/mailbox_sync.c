/* Keeping the index true (mailbox_sync): reload it when another process
 * changed it, index the messages appended since, or rebuild it from the mbox
 * keeping the UIDs of the messages it recognises. */
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

/* ---- keeping the index true ---- */

enum plan { UP_TO_DATE, SCAN_TAIL, REBUILD };

static int read_exact(int fd, void *p, size_t n, uint64_t off)
{
	return pread(fd, p, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* Is the indexed prefix of the mbox still what the index describes?  The
 * last indexed message must be unchanged and new data must start a message. */
static bool prefix_intact(struct mailbox *mb, const struct stat *st)
{
	const struct idx_header *h = &mb->ix.h;
	const struct idx_rec *last;
	char head[FP_BYTES], edge[7];
	uint64_t n;

	if (h->nrec == 0)
		return h->mbox_size == 0;
	if ((uint64_t)st->st_size > h->mbox_size &&
	    (read_exact(mb->fd, edge, 7, h->mbox_size - 2) != 0 ||
	     memcmp(edge, "\n\nFrom ", 7) != 0))
		return false;
	last = &mb->ix.rec[h->nrec - 1];
	n = last->from_len + last->raw_len;
	if (n > FP_BYTES)
		n = FP_BYTES;
	return read_exact(mb->fd, head, (size_t)n, last->offset) == 0 &&
	       mbox_fingerprint(head, (size_t)n) == last->fp;
}

static enum plan make_plan(struct mailbox *mb, const struct stat *st)
{
	const struct idx_header *h = &mb->ix.h;

	/* Not st_dev: every NFS client numbers the mount its own way, so the
	 * index another host wrote would look foreign here. */
	if (!mb->ix_loaded || h->uidvalidity == 0 || h->mbox_ino != (uint64_t)st->st_ino)
		return REBUILD;
	if (h->mbox_size == (uint64_t)st->st_size &&
	    h->mbox_mtime_sec == (int64_t)st->st_mtim.tv_sec &&
	    h->mbox_mtime_nsec == (int64_t)st->st_mtim.tv_nsec)
		return UP_TO_DATE;
	if ((uint64_t)st->st_size >= h->mbox_size && prefix_intact(mb, st))
		return SCAN_TAIL;
	return REBUILD;
}

/* Reload the index unless our copy is the file on disk: same inode, same
 * header (every write changes the generation, and a change to a record
 * writes the header after it). */
static int refresh_index(struct mailbox *mb)
{
	struct idx_header h;
	uint64_t ino;
	int rc;

	if (mb->ix_loaded && index_peek(mb->dirfd, mb->leaf, &ino, &h) == 0 &&
	    ino == mb->ix.file_ino && memcmp(&h, &mb->ix.h, sizeof h) == 0)
		return 0;
	rc = index_load(mb->dirfd, mb->leaf, &mb->ix);
	if (rc < 0)
		return -1;
	mb->ix_loaded = rc == 0;
	return 0;
}

void mailbox_note_file(struct idx_header *h, const struct stat *st)
{
	h->mbox_dev = (uint64_t)st->st_dev;
	h->mbox_ino = (uint64_t)st->st_ino;
	h->mbox_size = (uint64_t)st->st_size;
	h->mbox_mtime_sec = (int64_t)st->st_mtim.tv_sec;
	h->mbox_mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
}

static void fill_rec(struct idx_rec *r, const struct mbox_msg *m)
{
	memset(r, 0, sizeof *r);
	r->offset = m->offset;
	r->raw_len = m->raw_len;
	r->wire_size = m->wire_size;
	r->fp = m->fp;
	r->idate = m->idate;
	r->from_len = m->from_len;
	r->hdr_len = m->hdr_len;
}

static int add_new(void *arg, const struct mbox_msg *m)
{
	struct index *ix = arg;

	if (ix->h.uidnext == UINT32_MAX) {
		errno = EOVERFLOW;	/* UIDs used up: the caller renumbers */
		return -1;
	}
	if (index_reserve(ix, ix->h.nrec + 1) != 0)
		return -1;
	fill_rec(&ix->rec[ix->h.nrec], m);
	ix->rec[ix->h.nrec].uid = ix->h.uidnext++;
	ix->h.nrec++;
	return 0;
}

/* The index is a cache: when it cannot be written (a full disk, a file size
 * limit) the copy in memory still serves this session, and the next sync
 * reads the file again and redoes the work. */
static int save_index(struct mailbox *mb, int written)
{
	if (written != 0) {
		log_msg(LOG_WARNING, "cannot write the index of %s: %s", mb->leaf, strerror(errno));
		mb->ix_loaded = false;
	}
	return 0;
}

static int sync_tail(struct mailbox *mb, const struct stat *st)
{
	struct index *ix = &mb->ix;
	uint32_t first = ix->h.nrec;

	if (mbox_scan(mb->fd, ix->h.mbox_size, (uint64_t)st->st_size, add_new, ix) != 0)
		return -1;
	mailbox_note_file(&ix->h, st);
	return save_index(mb, index_write_from(mb->dirfd, mb->leaf, ix, first));
}

/* ---- rebuilding, keeping UIDs where the messages can be recognised ---- */

struct fp_pos {
	uint64_t fp;
	uint32_t pos;
};

static int cmp_fp_pos(const void *a, const void *b)
{
	const struct fp_pos *x = a, *y = b;

	if (x->fp != y->fp)
		return x->fp < y->fp ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* First old record with this fingerprint at position >= from, or -1. */
static long find_old(const struct fp_pos *t, uint32_t n, uint64_t fp, uint32_t from)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t[mid].fp < fp || (t[mid].fp == fp && t[mid].pos < from))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t[lo].fp == fp ? (long)t[lo].pos : -1;
}

/* Give the rescanned messages in `nix` the UIDs and flags they had in `old`.
 * The UIDs can be kept when the recognised messages keep their order and
 * every new message comes after them; otherwise UIDVALIDITY changes. */
static int carry_over(struct index *nix, const struct index *old)
{
	struct fp_pos *t = NULL;
	uint32_t n = old->h.nrec, next = 0, last_match = 0, fresh = 0;
	bool any = false, keep = true;

	if (n && !(t = malloc((size_t)n * sizeof *t)))
		return -1;
	for (uint32_t i = 0; i < n; i++)
		t[i] = (struct fp_pos){ old->rec[i].fp, i };
	if (n)
		qsort(t, n, sizeof *t, cmp_fp_pos);
	for (uint32_t i = 0; i < nix->h.nrec; i++) {
		struct idx_rec *r = &nix->rec[i];
		long j = find_old(t, n, r->fp, next);

		if (j < 0) {
			r->uid = 0;
			continue;
		}
		r->uid = old->rec[j].uid;
		r->flags = old->rec[j].flags;
		r->keywords = old->rec[j].keywords;
		next = (uint32_t)j + 1;
		last_match = i;
		any = true;
	}
	free(t);
	for (uint32_t i = 0; i < nix->h.nrec; i++) {
		if (nix->rec[i].uid != 0)
			continue;
		if (any && i < last_match)
			keep = false;	/* a stranger among known ones: no UID fits */
		fresh++;
	}
	if (fresh >= UINT32_MAX - old->h.uidnext)
		keep = false;		/* the new ones would run past the last UID */
	memcpy(nix->kw, old->kw, sizeof nix->kw);
	nix->h.nkeywords = old->h.nkeywords;
	if (keep && old->h.uidvalidity) {
		nix->h.uidvalidity = old->h.uidvalidity;
		nix->h.uidnext = old->h.uidnext;
		nix->h.recent_uid = old->h.recent_uid;
		for (uint32_t i = 0; i < nix->h.nrec; i++)
			if (nix->rec[i].uid == 0)
				nix->rec[i].uid = nix->h.uidnext++;
		return 0;
	}
	nix->h.uidvalidity = (uint32_t)time(NULL);
	if (nix->h.uidvalidity <= old->h.uidvalidity)
		nix->h.uidvalidity = old->h.uidvalidity + 1;
	if (nix->h.uidvalidity == 0)
		nix->h.uidvalidity = 1;	/* past the largest: any other value tells clients */
	nix->h.uidnext = 1;
	for (uint32_t i = 0; i < nix->h.nrec; i++)
		nix->rec[i].uid = nix->h.uidnext++;
	return 0;
}

static int sync_rebuild(struct mailbox *mb, const struct stat *st)
{
	struct index nix;

	index_init(&nix);
	nix.h.generation = mb->ix.h.generation + 1;
	if (mbox_scan(mb->fd, 0, (uint64_t)st->st_size, add_new, &nix) != 0 ||
	    carry_over(&nix, &mb->ix) != 0) {
		index_free(&nix);
		return -1;
	}
	mailbox_note_file(&nix.h, st);
	index_free(&mb->ix);
	mb->ix = nix;
	mb->ix_loaded = true;
	return save_index(mb, index_write_full(mb->dirfd, mb->leaf, &mb->ix, false));
}

int mailbox_sync(struct mailbox *mb)
{
	for (;;) {
		struct stat st;
		enum plan p;

		if (mb->lock == MB_UNLOCKED) {
			errno = ENOLCK;
			return -1;
		}
		if (fstat(mb->fd, &st) != 0 || refresh_index(mb) != 0)
			return -1;
		p = make_plan(mb, &st);
		if (p == UP_TO_DATE)
			return 0;
		if (mb->lock != F_WRLCK) {
			/* Upgrade by release and retake: two upgraders cannot deadlock. */
			mailbox_unlock(mb);
			if (mailbox_lock(mb, F_WRLCK) != 0)
				return -1;
			continue;
		}
		if (p == SCAN_TAIL && sync_tail(mb, &st) == 0)
			return 0;
		/* A tail that cannot be read is an error; one that ran out of
		 * UIDs is renumbered under a new UIDVALIDITY by the rebuild. */
		if (p == SCAN_TAIL && errno != EOVERFLOW)
			return -1;
		return sync_rebuild(mb, &st);
	}
}

