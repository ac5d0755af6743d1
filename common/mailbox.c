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

#define NAME_MAX_SIDE (MAILBOX_COMPONENT_MAX + 16)
#define COPY_BUF (1024 * 1024)

int mailbox_open(struct mailbox *mb, int userfd, const char *name, bool create,
		 int lock_timeout)
{
	const char *leaf;

	memset(mb, 0, sizeof *mb);
	mb->fd = mb->dirfd = -1;
	mb->lock = MB_UNLOCKED;
	mb->lock_timeout = lock_timeout;
	index_init(&mb->ix);
	mb->dirfd = spool_walk(userfd, name, create, &leaf);
	if (mb->dirfd < 0)
		return -1;
	if (strlen(leaf) > MAILBOX_COMPONENT_MAX) {
		mailbox_close(mb);
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(mb->leaf, leaf);
	mb->fd = spool_open_mbox(mb->dirfd, leaf, create);
	if (mb->fd < 0) {
		int e = errno;
		mailbox_close(mb);
		errno = e;
		return -1;
	}
	return 0;
}

void mailbox_close(struct mailbox *mb)
{
	if (mb->fd >= 0)
		close(mb->fd);		/* releases the lock */
	if (mb->dirfd >= 0)
		close(mb->dirfd);
	mb->fd = mb->dirfd = -1;
	mb->lock = MB_UNLOCKED;
	index_free(&mb->ix);
	mb->ix_loaded = false;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* ---- the append intent: ".<leaf>.pending" holds the size before an append
 * in progress.  A process killed in the middle of an append leaves it behind,
 * and the next lock holder truncates the partial message away. ---- */

static bool pending_path(const struct mailbox *mb, char *dst)
{
	return spool_side_name(dst, NAME_MAX_SIDE, mb->leaf, ".pending");
}

static int pending_write(struct mailbox *mb, uint64_t size)
{
	char name[NAME_MAX_SIDE], text[32];
	int fd, n, rc;

	if (!pending_path(mb, name))
		return -1;
	fd = openat(mb->dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	n = snprintf(text, sizeof text, "%llu\n", (unsigned long long)size);
	rc = write_all(fd, text, (size_t)n, 0);
	close(fd);
	return rc;
}

static void pending_clear(struct mailbox *mb)
{
	char name[NAME_MAX_SIDE];

	if (pending_path(mb, name))
		unlinkat(mb->dirfd, name, 0);
}

/* 1 if an interrupted append is recorded (*size set), 0 if not, -1 on error.
 * A record without a size was cut short before the append wrote anything
 * (the size is written first): *size is then UINT64_MAX, nothing to undo. */
static int pending_read(struct mailbox *mb, uint64_t *size)
{
	char name[NAME_MAX_SIDE], text[32], *end;
	ssize_t n;
	int fd;

	if (!pending_path(mb, name))
		return -1;
	fd = openat(mb->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n < 0)
		return -1;
	text[n] = '\0';
	*size = strtoull(text, &end, 10);
	if (end == text || *end != '\n')
		*size = UINT64_MAX;
	return 1;
}

/* Under F_WRLCK: undo an append whose process died before finishing it. */
static int recover_append(struct mailbox *mb)
{
	struct stat st;
	uint64_t size;
	int r = pending_read(mb, &size);

	if (r <= 0)
		return r;
	if (fstat(mb->fd, &st) != 0)
		return -1;
	if ((uint64_t)st.st_size > size && (ftruncate(mb->fd, (off_t)size) != 0 ||
					    fdatasync(mb->fd) != 0))
		return -1;
	pending_clear(mb);
	return 0;
}

bool mailbox_is_current(const struct mailbox *mb)
{
	struct stat fst, pst;

	return fstat(mb->fd, &fst) == 0 &&
	       fstatat(mb->dirfd, mb->leaf, &pst, AT_SYMLINK_NOFOLLOW) == 0 &&
	       same_file(&fst, &pst);
}

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Lock the file at the path.  A rewrite may replace it while we wait, and
 * under load again and again: retry on the new file for as long as the lock
 * timeout allows, as for any other wait on the lock. */
static int lock_current(struct mailbox *mb, int type)
{
	time_t end = now() + mb->lock_timeout;

	for (;;) {
		time_t left = end - now();
		int fd;

		if (lock_wait(mb->fd, type, left > 1 ? (int)left : 1) != 0)
			return -1;
		if (mailbox_is_current(mb)) {
			mb->lock = type;
			return 0;
		}
		/* Replaced (a rewrite renamed a new file over it) while we waited. */
		lock_release(mb->fd);
		if (now() > end) {
			errno = ETIMEDOUT;
			return -1;
		}
		fd = spool_open_mbox(mb->dirfd, mb->leaf, false);
		if (fd < 0)
			return -1;
		close(mb->fd);
		mb->fd = fd;
	}
}

int mailbox_lock(struct mailbox *mb, int type)
{
	uint64_t size;
	int r;

	if (lock_current(mb, type) != 0)
		return -1;
	r = pending_read(mb, &size);
	if (r == 0)
		return 0;
	/* Recovery writes: take the write lock (release first, so that two
	 * readers doing this cannot deadlock), then come back down if asked. */
	if (type != F_WRLCK) {
		mailbox_unlock(mb);
		if (lock_current(mb, F_WRLCK) != 0)
			return -1;
	}
	if (recover_append(mb) != 0 ||
	    (type != F_WRLCK && lock_wait(mb->fd, type, mb->lock_timeout) != 0)) {
		mailbox_unlock(mb);
		return -1;
	}
	mb->lock = type;
	return 0;
}

void mailbox_unlock(struct mailbox *mb)
{
	if (mb->lock != MB_UNLOCKED)
		lock_release(mb->fd);
	mb->lock = MB_UNLOCKED;
}

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

	if (!mb->ix_loaded || h->uidvalidity == 0 ||
	    h->mbox_dev != (uint64_t)st->st_dev || h->mbox_ino != (uint64_t)st->st_ino)
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

static void note_mbox(struct idx_header *h, const struct stat *st)
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
	note_mbox(&ix->h, st);
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
	note_mbox(&nix.h, st);
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

/* ---- append ---- */

int mailbox_append_begin(struct mailbox *mb, uint64_t *orig_size)
{
	struct stat st;
	char tail[2];
	const char *fix = "";

	if (mb->lock != F_WRLCK) {
		errno = ENOLCK;
		return -1;
	}
	if (fstat(mb->fd, &st) != 0)
		return -1;
	*orig_size = (uint64_t)st.st_size;
	if (lseek(mb->fd, st.st_size, SEEK_SET) < 0 || pending_write(mb, *orig_size) != 0)
		return -1;
	/* A message starts after a blank line; repair a file cut short. */
	if (st.st_size == 1) {
		if (read_exact(mb->fd, tail + 1, 1, 0) != 0)
			return -1;
		fix = tail[1] == '\n' ? "\n" : "\n\n";
	} else if (st.st_size >= 2) {
		if (read_exact(mb->fd, tail, 2, (uint64_t)st.st_size - 2) != 0)
			return -1;
		fix = tail[1] != '\n' ? "\n\n" : tail[0] != '\n' ? "\n" : "";
	}
	return mailbox_append_write(mb, fix, strlen(fix));
}

int mailbox_append_write(struct mailbox *mb, const void *p, size_t n)
{
	return n ? write_all(mb->fd, p, n, 0) : 0;
}

int mailbox_append_commit(struct mailbox *mb)
{
	if (fdatasync(mb->fd) != 0)
		return -1;
	pending_clear(mb);
	return 0;
}

void mailbox_append_rollback(struct mailbox *mb, uint64_t orig_size)
{
	/* If this fails the intent stays, and the next lock holder retries. */
	if (ftruncate(mb->fd, (off_t)orig_size) == 0 && fdatasync(mb->fd) == 0)
		pending_clear(mb);
}

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
	char tmp[NAME_MAX_SIDE];
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
	note_mbox(&nix.h, &st);
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
