#include "spool.h"
#include "limits.h"
#include "ascii.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
/* A rewrite renames a new mbox in; an open that lands on the old one
 * (no link left) tries again, this many times at most. */
#define MBOX_OPEN_TRIES 16

int spool_open(const char *path)
{
	return open(path, DIR_FLAGS);
}

static int open_subdir(int dirfd, const char *name, bool create)
{
	int fd = openat(dirfd, name, DIR_FLAGS);

	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, 0700) != 0 && errno != EEXIST)
			return -1;
		fd = openat(dirfd, name, DIR_FLAGS);
	}
	return fd;
}

int spool_user_dir(int spoolfd, const char *user, bool create)
{
	return open_subdir(spoolfd, user, create);
}

int spool_tmp_dir(int spoolfd)
{
	return open_subdir(spoolfd, ".tmp", true);
}

bool mailbox_is_inbox(const char *name, size_t len)
{
	return ascii_ieq(name, len, "INBOX");
}

bool mailbox_name_valid(const char *name, size_t len)
{
	size_t level = 0, depth = 1;

	if (len == 0 || len > MAILBOX_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c > 0x7e)
			return false;
		if (c == '/') {
			if (level == 0 || ++depth > MAILBOX_DEPTH_MAX)
				return false;
			level = 0;
			continue;
		}
		if (level == 0 && c == '.')
			return false;	/* ".", "..", and the store's own files */
		if (++level > MAILBOX_COMPONENT_MAX)
			return false;
	}
	return level > 0;
}

int spool_walk(int userfd, const char *name, bool create, const char **leaf)
{
	char level[MAILBOX_COMPONENT_MAX + 1];
	const char *p = name, *slash;
	int dirfd = dup(userfd);

	while (dirfd >= 0 && (slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);
		int next;

		if (n == 0 || n > MAILBOX_COMPONENT_MAX) {
			close(dirfd);
			errno = EINVAL;
			return -1;
		}
		memcpy(level, p, n);
		level[n] = '\0';
		next = open_subdir(dirfd, level, create);
		close(dirfd);
		dirfd = next;
		p = slash + 1;
	}
	*leaf = p;
	return dirfd;
}

/* Open the file at the path once: -1 with errno, or the fd. */
static int open_mbox_once(int dirfd, const char *leaf, bool create)
{
	int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
	int fd = openat(dirfd, leaf, flags);

	if (fd < 0 && errno == ENOENT && create) {
		fd = openat(dirfd, leaf, flags | O_CREAT | O_EXCL, 0600);
		if (fd < 0 && errno == EEXIST)
			fd = openat(dirfd, leaf, flags);
		else if (fd >= 0)
			fsync(dirfd);	/* the new name is durable too */
	}
	return fd;
}

int spool_open_mbox(int dirfd, const char *leaf, bool create)
{
	struct stat st;

	for (int tries = 0; tries < MBOX_OPEN_TRIES; tries++) {
		int fd = open_mbox_once(dirfd, leaf, create);

		if (fd < 0)
			return -1;
		if (fstat(fd, &st) != 0) {
			close(fd);
			return -1;
		}
		/* No link left: a rewrite renamed a new file over the one just
		 * opened.  The mailbox exists; open the new file. */
		if (S_ISREG(st.st_mode) && st.st_nlink == 0) {
			close(fd);
			continue;
		}
		/* mail.local's rule: a regular file with exactly one link. */
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
			close(fd);
			errno = EPERM;
			return -1;
		}
		return fd;
	}
	errno = EAGAIN;		/* replaced at every try: busy, not missing */
	return -1;
}

bool spool_side_name(char *dst, size_t dstsz, const char *leaf, const char *suffix)
{
	int n = snprintf(dst, dstsz, ".%s%s", leaf, suffix);
	return n > 0 && (size_t)n < dstsz;
}
