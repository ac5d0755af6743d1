#include "userfile.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "facteur-user: %s %s: %s\n", what, path, strerror(errno));
	return -1;
}

static int take_lock(struct userfile *f)
{
	char lockpath[4096];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

	snprintf(lockpath, sizeof lockpath, "%s.lock", f->path);
	f->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (f->lockfd < 0)
		return fail("cannot open", lockpath);
	while (fcntl(f->lockfd, F_SETLKW, &fl) != 0)
		if (errno != EINTR)
			return fail("cannot lock", lockpath);
	return 0;
}

static int read_all(struct userfile *f)
{
	struct stat sb;
	ssize_t got = 0;
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return (f->text = calloc(1, 1)) ? 0 : -1;
	if (fd < 0 || fstat(fd, &sb) != 0)
		return fail("cannot read", f->path);
	if (sb.st_size > USERFILE_MAX) {
		fprintf(stderr, "facteur-user: %s: over %ld bytes\n", f->path, USERFILE_MAX);
		close(fd);
		return -1;
	}
	f->text = malloc((size_t)sb.st_size + 1);
	if (f->text)
		got = read(fd, f->text, (size_t)sb.st_size);
	close(fd);
	if (!f->text || got != sb.st_size)
		return fail("cannot read", f->path);
	f->text[got] = '\0';
	return 0;
}

static int split_lines(struct userfile *f)
{
	char *p = f->text;

	f->line = calloc(USERFILE_LINES, sizeof *f->line);
	if (!f->line)
		return -1;
	while (*p) {
		char *nl = strchr(p, '\n');

		if (f->nlines == USERFILE_LINES) {
			fprintf(stderr, "facteur-user: %s: over %d lines\n", f->path, USERFILE_LINES);
			return -1;
		}
		f->line[f->nlines++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return 0;
}

int userfile_open(struct userfile *f, const char *path)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	f->lockfd = -1;
	if (take_lock(f) != 0 || read_all(f) != 0 || split_lines(f) != 0)
		return -1;
	return 0;
}

long userfile_find(const struct userfile *f, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < f->nlines; i++)
		if (f->line[i] && strncmp(f->line[i], name, n) == 0 && f->line[i][n] == ':')
			return (long)i;
	return -1;
}

const char *userfile_hash(const struct userfile *f, long i)
{
	const char *colon = strchr(f->line[i], ':');

	return colon ? colon + 1 : "";
}

int userfile_set(struct userfile *f, long i, const char *name, const char *hash)
{
	char *s;
	size_t n;

	if (i < 0 && f->nlines == USERFILE_LINES)
		return -1;
	if (!hash) {			/* remove: the line text stays in f->text */
		f->line[i] = NULL;
		return 0;
	}
	n = strlen(name) + strlen(hash) + 2;

	if (!(s = malloc(n)))
		return -1;
	snprintf(s, n, "%s:%s", name, hash);
	free(f->added);		/* one change per run: at most one line is new */
	f->added = s;
	f->line[i < 0 ? (long)f->nlines++ : i] = s;
	return 0;
}

static int write_all(int fd, const struct userfile *f)
{
	for (size_t i = 0; i < f->nlines; i++) {
		if (!f->line[i])
			continue;
		if (dprintf(fd, "%s\n", f->line[i]) < 0)
			return -1;
	}
	return fsync(fd);
}

/* The new file keeps the old one's owner and mode (root, 0600 by default);
 * only root can give it away, so another user's copy stays theirs. */
static int keep_owner(int fd, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return 0;
	if (geteuid() == 0 && fchown(fd, sb.st_uid, sb.st_gid) != 0)
		return -1;
	return fchmod(fd, sb.st_mode & 07777);
}

int userfile_commit(struct userfile *f)
{
	char tmp[4096], dir[4096];
	int fd, dfd, rc;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", f->path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail("cannot create", tmp);
	rc = keep_owner(fd, f->path) != 0 ? -1 : write_all(fd, f);
	if (close(fd) != 0 || rc != 0 || rename(tmp, f->path) != 0) {
		fail("cannot write", f->path);
		unlink(tmp);
		return -1;
	}
	snprintf(dir, sizeof dir, "%s", f->path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0)
		return fail("cannot sync the directory of", f->path);
	close(dfd);
	return 0;
}

void userfile_close(struct userfile *f)
{
	if (f->lockfd >= 0)
		close(f->lockfd);
	free(f->added);
	free(f->line);
	free(f->text);
}
