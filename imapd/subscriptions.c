#include "subscriptions.h"

#include "lineio.h"
#include "lock.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUBS_FILE "subscriptions"
#define SUBS_PATH "." SUBS_FILE
/* Not of the form ".<leaf><suffix>" of any store sidecar (they all end in
 * a dotted suffix), so DELETE of a mailbox named "subscriptions" cannot
 * take it for one of its own files. */
#define SUBS_TEMP "." SUBS_FILE "~"
#define SUBS_BYTES_MAX ((size_t)SUBSCRIPTIONS_MAX * (MAILBOX_NAME_MAX + 1))

bool subs_has(const struct subs *l, const char *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return true;
	return false;
}

/* Cut the text into names, keeping the valid ones once each. */
static void parse(struct subs *l, size_t len)
{
	char *p = l->buf, *end = l->buf + len;

	while (p < end && l->n < SUBSCRIPTIONS_MAX) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		p[n] = '\0';
		if (mailbox_name_valid(p, n) && !subs_has(l, p))
			l->name[l->n++] = p;
		p += n + 1;
	}
}

/* Read at most SUBS_BYTES_MAX from fd. */
static int load_fd(int fd, struct subs *l)
{
	size_t len = 0;

	l->buf = malloc(SUBS_BYTES_MAX + 1);
	l->n = 0;
	if (!l->buf)
		return -1;
	while (len < SUBS_BYTES_MAX) {
		ssize_t r = pread(fd, l->buf + len, SUBS_BYTES_MAX - len, (off_t)len);

		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		len += (size_t)r;
	}
	parse(l, len);
	return 0;
}

int subs_load(int userfd, struct subs *l)
{
	struct stat st;
	int fd = openat(userfd, SUBS_PATH, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	l->buf = NULL;
	l->n = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	rc = load_fd(fd, l);
	close(fd);
	if (rc != 0)
		subs_free(l);
	return rc;
}

void subs_free(struct subs *l)
{
	free(l->buf);
	l->buf = NULL;
	l->n = 0;
}

/* Open and lock the list file, making sure the lock is on the file that is
 * at the path now: a writer may have renamed a new one in while we waited,
 * and then we wait on that one (for at most `timeout` seconds in all). */
static int lock_list(int userfd, int timeout)
{
	time_t until = time(NULL) + timeout;

	for (;;) {
		struct stat fst, pst;
		int left = (int)(until - time(NULL));
		int fd = openat(userfd, SUBS_PATH, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd < 0)
			return -1;
		if (left <= 0 || lock_wait(fd, F_WRLCK, left) != 0) {
			int e = left <= 0 ? ETIMEDOUT : errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode)) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		if (fstatat(userfd, SUBS_PATH, &pst, AT_SYMLINK_NOFOLLOW) == 0 &&
		    fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino)
			return fd;
		close(fd);
	}
}

/* Write the list without entry `skip` (or with `extra` at the end) beside
 * the old one, make it durable, and rename it into place. */
static int save(int userfd, const struct subs *l, int skip, const char *extra)
{
	char *text = malloc(SUBS_BYTES_MAX + MAILBOX_NAME_MAX + 2), *p = text;
	int fd, rc = -1;

	if (!text)
		return -1;
	for (unsigned i = 0; i < l->n; i++) {
		size_t n = strlen(l->name[i]);

		if ((int)i == skip)
			continue;
		memcpy(p, l->name[i], n);
		p += n;
		*p++ = '\n';
	}
	if (extra) {
		size_t n = strlen(extra);

		memcpy(p, extra, n);
		p += n;
		*p++ = '\n';
	}
	/* Only the lock holder writes the temporary file: a leftover is stale. */
	unlinkat(userfd, SUBS_TEMP, 0);
	fd = openat(userfd, SUBS_TEMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		rc = write_all(fd, text, (size_t)(p - text), 0) == 0 && fsync(fd) == 0 &&
		     renameat(userfd, SUBS_TEMP, userfd, SUBS_PATH) == 0 ? 0 : -1;
		close(fd);
		if (rc != 0)
			unlinkat(userfd, SUBS_TEMP, 0);
		else
			fsync(userfd);
	}
	free(text);
	return rc;
}

static int find(const struct subs *l, const char *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (strcmp(l->name[i], name) == 0)
			return (int)i;
	return -1;
}

enum subs_result subs_change(int userfd, const char *name, bool add, int lock_timeout)
{
	enum subs_result r = SUBS_OK;
	struct subs l;
	int fd = lock_list(userfd, lock_timeout), at;

	if (fd < 0)
		return errno == ETIMEDOUT || errno == EAGAIN ? SUBS_BUSY : SUBS_ERROR;
	if (load_fd(fd, &l) != 0) {
		r = SUBS_ERROR;
		goto out;
	}
	at = find(&l, name);
	if (add && at >= 0)
		goto out;
	if (!add && at < 0)
		r = SUBS_ABSENT;
	else if (add && l.n >= SUBSCRIPTIONS_MAX)
		r = SUBS_FULL;
	else if (save(userfd, &l, add ? -1 : at, add ? name : NULL) != 0)
		r = SUBS_ERROR;
out:
	subs_free(&l);
	close(fd);		/* releases the lock */
	return r;
}
