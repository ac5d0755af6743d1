/* Changing the folder tree: CREATE, DELETE and RENAME of a mailbox (an mbox
 * file and its store files) or of a level (a directory).  A mailbox is
 * deleted or moved under its write lock, so no append or rewrite is half
 * done when its name goes; a session that had it open finds the name gone
 * at its next lock (view.c then says BYE). */
#include "folders.h"
#include "session.h"

#include "index.h"
#include "lock.h"
#include "log.h"
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UIDV_FILE ".uidvalidity"

static const char *const sidecars[] = { ".index", ".newindex", ".pending", ".new", ".pop3" };

void folder_remove_sidecars(int dirfd, const char *leaf)
{
	char name[SIDE_NAME_MAX];

	for (size_t i = 0; i < sizeof sidecars / sizeof *sidecars; i++)
		if (spool_side_name(name, sizeof name, leaf, sidecars[i]))
			unlinkat(dirfd, name, 0);
}

/* ---- UIDVALIDITY across incarnations of a name ---- */

static uint32_t parse_u32(const char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > UINT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

/* The file holds one fixed-width number, rewritten in place under its lock
 * (it is never replaced, so the lock needs no inode check). */
uint32_t folder_uidvalidity(const struct imap *s, uint32_t v, bool claim)
{
	char text[16];
	uint32_t high = 0, r = v;
	struct stat st;
	ssize_t n;
	int fd = openat(s->userfd, UIDV_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return v;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    lock_wait(fd, F_WRLCK, s->conn.cfg->lock_timeout) != 0) {
		close(fd);
		return v;
	}
	n = pread(fd, text, sizeof text, 0);
	if (n > 0)
		high = parse_u32(text, (size_t)n);
	if (claim && r <= high && high < UINT32_MAX)
		r = high + 1;
	if (r > high) {
		snprintf(text, sizeof text, "%010u\n", (unsigned)r);
		if (pwrite(fd, text, 11, 0) != 11 || fdatasync(fd) != 0)
			log_msg(LOG_WARNING, "%s: cannot save %s: %s", s->conn.user, UIDV_FILE,
				strerror(errno));
	}
	close(fd);
	return r;
}

/* ---- CREATE ---- */

/* spool_walk() could not make or open the levels of `name`: say whether a
 * mailbox or something else (a link) stands where a level should. */
static enum folder_result walk_failure(const struct imap *s, const char *name)
{
	char level[MAILBOX_NAME_MAX + 1];
	int e = errno;

	if (e != ENOTDIR && e != ELOOP && e != EEXIST)
		return FR_ERROR;
	for (const char *p = strchr(name, '/'); p; p = strchr(p + 1, '/')) {
		enum folder_kind k;

		memcpy(level, name, (size_t)(p - name));
		level[p - name] = '\0';
		if ((k = folder_kind(s->userfd, level)) != FK_DIR)
			return k == FK_MBOX ? FR_CANNOT : FR_TAKEN;
	}
	return FR_TAKEN;
}

static enum folder_result lock_failure(void)
{
	if (errno == ENOENT)
		return FR_NONEXISTENT;	/* removed while we waited */
	return errno == ETIMEDOUT || errno == EAGAIN || errno == EDEADLK ? FR_BUSY : FR_ERROR;
}

/* Give a new mailbox its index now, with a UIDVALIDITY above any the
 * user's earlier mailboxes had.  Failing here loses nothing: the index is
 * then made at the first SELECT. */
static void new_index(struct imap *s, const char *name)
{
	struct mailbox mb;

	if (mailbox_open(&mb, s->userfd, name, false, s->conn.cfg->lock_timeout) != 0)
		return;
	if (mailbox_lock(&mb, F_WRLCK) == 0) {
		/* store files left by an earlier mailbox of this name are stale:
		 * the lock is ours, nobody else writes them now */
		folder_remove_sidecars(mb.dirfd, mb.leaf);
		if (mailbox_sync(&mb) == 0) {
			uint32_t v = folder_uidvalidity(s, mb.ix.h.uidvalidity, true);

			if (v != mb.ix.h.uidvalidity) {
				mb.ix.h.uidvalidity = v;
				if (index_write_full(mb.dirfd, mb.leaf, &mb.ix, true) != 0)
					log_msg(LOG_WARNING, "%s: %s: cannot write the index: %s",
						s->conn.user, name, strerror(errno));
			}
		}
	}
	mailbox_close(&mb);
}

enum folder_result folder_create(struct imap *s, const char *name, bool level_only)
{
	enum folder_kind k = folder_kind(s->userfd, name);
	enum folder_result r = FR_OK;
	const char *leaf;
	int dirfd, fd;

	if (k == FK_ERROR)
		return FR_ERROR;
	if (k != FK_NONE)
		return k == FK_OTHER ? FR_TAKEN : k == FK_MBOX && level_only ? FR_CANNOT : FR_EXISTS;
	if ((dirfd = spool_walk(s->userfd, name, true, &leaf)) < 0)
		return walk_failure(s, name);
	if (level_only) {
		if (mkdirat(dirfd, leaf, 0700) != 0)
			r = errno == EEXIST ? FR_EXISTS : FR_ERROR;
	} else {
		fd = openat(dirfd, leaf, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
			    O_NOCTTY, 0600);
		if (fd < 0)
			r = errno == EEXIST ? FR_EXISTS : FR_ERROR;
		else
			close(fd);
	}
	if (r == FR_OK)
		fsync(dirfd);	/* the new name is durable */
	close(dirfd);
	if (r == FR_OK && !level_only)
		new_index(s, name);
	return r;
}

/* ---- DELETE ---- */

static enum folder_result open_failure(void)
{
	/* spool_open_mbox refuses links and files with several names */
	return errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EPERM ?
		FR_NONEXISTENT : FR_ERROR;
}

static enum folder_result delete_mbox(struct imap *s, const char *name)
{
	enum folder_result r = FR_OK;
	struct mailbox mb;

	if (mailbox_open(&mb, s->userfd, name, false, s->conn.cfg->lock_timeout) != 0)
		return open_failure();
	if (mailbox_lock(&mb, F_WRLCK) != 0) {
		r = lock_failure();
		goto out;
	}
	/* RFC 3501 6.3.4: its UIDVALIDITY retires with it */
	if (mailbox_sync(&mb) == 0)
		folder_uidvalidity(s, mb.ix.h.uidvalidity, false);
	if (unlinkat(mb.dirfd, mb.leaf, 0) != 0) {
		r = FR_ERROR;
		goto out;
	}
	folder_remove_sidecars(mb.dirfd, mb.leaf);
	fsync(mb.dirfd);
out:
	mailbox_close(&mb);
	return r;
}

/* A level goes only when it holds no names; store files left in it (of
 * mailboxes deleted by a process that died half-way) go with it. */
static enum folder_result clear_level(int fd)
{
	int copy = dup(fd);
	DIR *d = copy >= 0 ? fdopendir(copy) : NULL;
	struct dirent *de;
	bool names = false;

	if (!d) {
		if (copy >= 0)
			close(copy);
		return FR_ERROR;
	}
	rewinddir(d);
	while (!names && (de = readdir(d)) != NULL)
		names = de->d_name[0] != '.';
	rewinddir(d);
	while (!names && (de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	return names ? FR_CHILDREN : FR_OK;
}

static enum folder_result delete_level(struct imap *s, const char *name)
{
	enum folder_result r;
	const char *leaf;
	int dirfd = spool_walk(s->userfd, name, false, &leaf), fd;

	if (dirfd < 0)
		return open_failure();
	fd = openat(dirfd, leaf, FOLDER_DIR_FLAGS);
	if (fd < 0) {
		r = open_failure();
	} else {
		r = clear_level(fd);
		close(fd);
	}
	/* rmdir is the real test: a name created meanwhile keeps the level */
	if (r == FR_OK && unlinkat(dirfd, leaf, AT_REMOVEDIR) != 0)
		r = errno == ENOTEMPTY || errno == EEXIST ? FR_CHILDREN : FR_ERROR;
	if (r == FR_OK)
		fsync(dirfd);
	close(dirfd);
	return r;
}

enum folder_result folder_delete(struct imap *s, const char *name)
{
	switch (folder_kind(s->userfd, name)) {
	case FK_MBOX:
		return delete_mbox(s, name);
	case FK_DIR:
		return delete_level(s, name);
	case FK_ERROR:
		return FR_ERROR;
	default:
		return FR_NONEXISTENT;
	}
}

/* ---- RENAME ---- */

static bool side_name(char *dst, const char *leaf, const char *suffix)
{
	return spool_side_name(dst, SIDE_NAME_MAX, leaf, suffix);
}

/* The mbox and its index move together (same inode, so the index still
 * describes it: UIDs and flags survive).  link() then unlink() rather than
 * rename(): link never replaces a name another session created meanwhile.
 * Between the two the file has two names and the store refuses to open it,
 * so nobody writes to it through either. */
static enum folder_result move_mbox(struct imap *s, const char *from, int todir,
				    const char *toleaf)
{
	char ix_from[SIDE_NAME_MAX], ix_to[SIDE_NAME_MAX];
	enum folder_result r = FR_OK;
	struct mailbox mb;

	if (mailbox_open(&mb, s->userfd, from, false, s->conn.cfg->lock_timeout) != 0)
		return open_failure();
	if (mailbox_lock(&mb, F_WRLCK) != 0) {
		r = lock_failure();
		goto out;
	}
	if (mailbox_sync(&mb) == 0)	/* the index that moves is current */
		folder_uidvalidity(s, mb.ix.h.uidvalidity, false);
	if (!side_name(ix_from, mb.leaf, ".index") || !side_name(ix_to, toleaf, ".index")) {
		r = FR_ERROR;
		goto out;
	}
	if (linkat(mb.dirfd, mb.leaf, todir, toleaf, 0) != 0) {
		r = errno == EEXIST ? FR_EXISTS : FR_ERROR;
		goto out;
	}
	/* stale store files of an earlier mailbox of the new name; the lock
	 * (on the inode, so through both names) keeps everyone else out */
	folder_remove_sidecars(todir, toleaf);
	if ((renameat(mb.dirfd, ix_from, todir, ix_to) != 0 && errno != ENOENT) ||
	    unlinkat(mb.dirfd, mb.leaf, 0) != 0) {
		int e = errno;

		renameat(todir, ix_to, mb.dirfd, ix_from);
		unlinkat(todir, toleaf, 0);
		errno = e;
		r = FR_ERROR;
		goto out;
	}
	folder_remove_sidecars(mb.dirfd, mb.leaf);
	fsync(todir);
	fsync(mb.dirfd);
out:
	mailbox_close(&mb);
	return r;
}

/* A level moves whole.  rename() may only replace an empty directory, so a
 * name created at the target meanwhile loses nothing. */
static enum folder_result move_level(struct imap *s, const char *from, int todir,
				     const char *toleaf)
{
	enum folder_result r = FR_OK;
	const char *leaf;
	int dirfd = spool_walk(s->userfd, from, false, &leaf);

	if (dirfd < 0)
		return open_failure();
	if (renameat(dirfd, leaf, todir, toleaf) != 0)
		r = errno == ENOENT ? FR_NONEXISTENT :
		    errno == EEXIST || errno == ENOTEMPTY || errno == ENOTDIR ? FR_EXISTS :
		    errno == EINVAL ? FR_CANNOT : FR_ERROR;
	else {
		fsync(todir);
		fsync(dirfd);
	}
	close(dirfd);
	return r;
}

/* The names under a level keep within the limits at their new place. */
static enum folder_result fits(struct imap *s, const char *from, const char *to)
{
	size_t len;
	unsigned levels;

	if (folder_extent(s->userfd, from, &len, &levels) != 0)
		return FR_ERROR;
	if (levels && (strlen(to) + 1 + len > MAILBOX_NAME_MAX ||
		       folder_levels(to) + levels > MAILBOX_DEPTH_MAX))
		return FR_TOOLONG;
	return FR_OK;
}

enum folder_result folder_rename(struct imap *s, const char *from, const char *to)
{
	enum folder_kind k = folder_kind(s->userfd, from), t;
	enum folder_result r;
	size_t flen = strlen(from);
	const char *toleaf;
	int todir;

	if (k == FK_ERROR)
		return FR_ERROR;
	if (k != FK_MBOX && k != FK_DIR)
		return FR_NONEXISTENT;
	if (strcmp(from, to) == 0)
		return FR_EXISTS;
	if (strncmp(to, from, flen) == 0 && to[flen] == '/')
		return FR_CANNOT;	/* into itself */
	if ((t = folder_kind(s->userfd, to)) == FK_ERROR)
		return FR_ERROR;
	if (t != FK_NONE)
		return t == FK_OTHER ? FR_TAKEN : FR_EXISTS;
	if (k == FK_DIR && (r = fits(s, from, to)) != FR_OK)
		return r;
	if ((todir = spool_walk(s->userfd, to, true, &toleaf)) < 0)
		return walk_failure(s, to);
	r = k == FK_MBOX ? move_mbox(s, from, todir, toleaf) : move_level(s, from, todir, toleaf);
	close(todir);
	return r;
}
