/* Reading the folder tree: what a name is, and LIST's walk over the user's
 * directory.  Nothing here changes the store. */
#include "folders.h"

#include "ascii.h"
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum folder_kind folder_kind(int userfd, const char *name)
{
	const char *leaf;
	struct stat st;
	int fd = spool_walk(userfd, name, false, &leaf), rc, e;

	if (fd < 0)
		/* a level missing, or a mailbox or a link where a level should be */
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? FK_NONE : FK_ERROR;
	rc = fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW);
	e = errno;
	close(fd);
	if (rc != 0) {
		errno = e;
		return e == ENOENT ? FK_NONE : FK_ERROR;
	}
	if (S_ISREG(st.st_mode) && st.st_nlink == 1)
		return FK_MBOX;
	return S_ISDIR(st.st_mode) ? FK_DIR : FK_OTHER;
}

bool folder_under_inbox(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash && ascii_ieq(name, (size_t)(slash - name), "INBOX");
}

unsigned folder_levels(const char *name)
{
	unsigned n = 1;

	for (; *name; name++)
		n += *name == '/';
	return n;
}

/* A directory stream over the level open at fd, from its first entry (a
 * dup shares the position, which an earlier walk left at the end). */
static DIR *open_level(int fd)
{
	int copy = dup(fd);
	DIR *d = copy >= 0 ? fdopendir(copy) : NULL;

	if (!d && copy >= 0)
		close(copy);
	if (d)
		rewinddir(d);
	return d;
}

static int extent(int fd, size_t base, unsigned level, size_t *len, unsigned *levels)
{
	DIR *d = open_level(fd);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t n = base + strlen(de->d_name);
		struct stat st;
		int sub;

		if (de->d_name[0] == '.')
			continue;
		*len = n > *len ? n : *len;
		*levels = level > *levels ? level : *levels;
		/* deeper than a name may be is too deep already: no need to look */
		if (level > MAILBOX_DEPTH_MAX ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		sub = openat(dirfd(d), de->d_name, FOLDER_DIR_FLAGS);
		if (sub < 0)
			continue;
		rc = extent(sub, n + 1, level + 1, len, levels);
		close(sub);
	}
	closedir(d);
	return rc;
}

int folder_extent(int userfd, const char *name, size_t *len, unsigned *levels)
{
	const char *leaf;
	int dirfd = spool_walk(userfd, name, false, &leaf), fd, rc;

	*len = 0;
	*levels = 0;
	if (dirfd < 0)
		return -1;
	fd = openat(dirfd, leaf, FOLDER_DIR_FLAGS);
	close(dirfd);
	if (fd < 0)
		return -1;
	rc = extent(fd, 0, 1, len, levels);
	close(fd);
	return rc;
}

/* ---- the set of names one LIST or LSUB answers with ---- */

int folder_set_add(struct folder_set *fs, const char *name, size_t n, unsigned attrs)
{
	char *copy;

	if (fs->n >= LIST_RESULTS_MAX) {
		fs->full = true;
		return -1;
	}
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 32;
		struct folder_entry *e = realloc(fs->e, cap * sizeof *e);

		if (!e)
			return -1;
		fs->e = e;
		fs->cap = cap;
	}
	if (!(copy = malloc(n + 1)))
		return -1;
	memcpy(copy, name, n);
	copy[n] = '\0';
	fs->e[fs->n++] = (struct folder_entry){ copy, attrs };
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct folder_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	/* of two entries for one name, the one with fewer attributes first */
	return c ? c : x->attrs < y->attrs ? -1 : x->attrs > y->attrs;
}

void folder_set_sort(struct folder_set *fs)
{
	size_t o = 0;

	if (fs->n)
		qsort(fs->e, fs->n, sizeof *fs->e, by_name);
	for (size_t i = 0; i < fs->n; i++) {
		if (o && strcmp(fs->e[o - 1].name, fs->e[i].name) == 0) {
			free(fs->e[i].name);
			continue;
		}
		fs->e[o++] = fs->e[i];
	}
	fs->n = o;
}

void folder_set_free(struct folder_set *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		free(fs->e[i].name);
	free(fs->e);
	fs->e = NULL;
	fs->n = fs->cap = 0;
}

/* ---- LIST's walk ---- */

struct walk {
	const struct listpat *lp;
	struct folder_set *out;
	char name[MAILBOX_NAME_MAX + 2];	/* the name being looked at */
};

static long walk_level(struct walk *w, int fd, size_t len, unsigned levels);

/* Whether a level holds any name: a store file does not count, anything
 * else does (a level with one is not deleted, so it has children). */
static bool has_names(int fd)
{
	DIR *d = open_level(fd);
	struct dirent *de;
	bool any = false;

	while (d && !any && (de = readdir(d)) != NULL)
		any = de->d_name[0] != '.';
	if (d)
		closedir(d);
	return any;
}

/* The level w->name[0..len) (`levels` deep), found to match as `m`. */
static int level(struct walk *w, int parent, const char *leaf, size_t len,
		 unsigned levels, int m)
{
	int fd = openat(parent, leaf, FOLDER_DIR_FLAGS);
	bool children;

	if (fd < 0)
		return 0;
	if ((m & LM_BELOW) && levels < MAILBOX_DEPTH_MAX) {
		long names;

		w->name[len] = '/';
		names = walk_level(w, fd, len + 1, levels);
		if (names < 0) {
			close(fd);
			return -1;
		}
		children = names > 0;
	} else {
		children = has_names(fd);
	}
	close(fd);
	if (!(m & LM_MATCH))
		return 0;
	return folder_set_add(w->out, w->name, len, FA_NOSELECT |
			      (children ? FA_CHILDREN : FA_NOCHILDREN));
}

/* One entry of the level open at fd, whose names start w->name[0..len). */
static int entry(struct walk *w, int fd, const char *leaf, size_t len, unsigned levels)
{
	size_t n = strlen(leaf), full = len + n;
	struct stat st;
	int m;

	/* INBOX is listed apart, and a name that only differs from it in case
	 * could not be reached (SELECT would open INBOX). */
	if (levels == 0 && ascii_ieq(leaf, n, "INBOX"))
		return 0;
	if (full > MAILBOX_NAME_MAX)
		return 0;
	memcpy(w->name + len, leaf, n);
	if (!mailbox_name_valid(w->name, full) ||
	    fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	m = listpat_match(w->lp, w->name, full, false);
	if (S_ISREG(st.st_mode) && st.st_nlink == 1)
		return m & LM_MATCH ? folder_set_add(w->out, w->name, full, FA_NOINFERIORS) : 0;
	if (!S_ISDIR(st.st_mode) || !m)
		return 0;
	return level(w, fd, leaf, full, levels + 1, m);
}

/* Returns how many names the level holds (matching or not), -1 on failure. */
static long walk_level(struct walk *w, int fd, size_t len, unsigned levels)
{
	DIR *d = open_level(fd);
	struct dirent *de;
	long names = 0;

	if (!d)
		return 0;	/* unreadable: nothing to list in it */
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names++;
		if (entry(w, dirfd(d), de->d_name, len, levels) != 0) {
			names = -1;
			break;
		}
	}
	closedir(d);
	return names;
}

int folder_find(int userfd, const struct listpat *lp, struct folder_set *out)
{
	struct walk *w = malloc(sizeof *w);
	long rc;

	if (!w)
		return -1;
	w->lp = lp;
	w->out = out;
	rc = walk_level(w, userfd, 0, 0);
	free(w);
	return rc < 0 ? -1 : 0;
}
