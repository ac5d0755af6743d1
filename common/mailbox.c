/* A mailbox: opening it, its lock (with the append intent that undoes an
 * interrupted append) and appends.  Keeping the index true is in
 * mailbox_sync.c, rewrites and flags in mailbox_rewrite.c. */
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
	return spool_side_name(dst, SIDE_NAME_MAX, mb->leaf, ".pending");
}

static int pending_write(struct mailbox *mb, uint64_t size)
{
	char name[SIDE_NAME_MAX], text[32];
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
	char name[SIDE_NAME_MAX];

	if (pending_path(mb, name))
		unlinkat(mb->dirfd, name, 0);
}

/* 1 if an interrupted append is recorded (*size set), 0 if not, -1 on error.
 * A record without a size was cut short before the append wrote anything
 * (the size is written first): *size is then UINT64_MAX, nothing to undo. */
static int pending_read(struct mailbox *mb, uint64_t *size)
{
	char name[SIDE_NAME_MAX], text[32], *end;
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

static int read_exact(int fd, void *p, size_t n, uint64_t off)
{
	return pread(fd, p, n, (off_t)off) == (ssize_t)n ? 0 : -1;
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
