/* The auth file as facteur-user edits it: read whole (bounded), changed in
 * memory line by line, written back atomically under a lock.  Comments,
 * blank lines and lines the tool does not understand are kept as they are. */
#ifndef ADMIN_USERFILE_H
#define ADMIN_USERFILE_H

#include <stdbool.h>
#include <stddef.h>

#define USERFILE_MAX    (4L * 1024 * 1024)	/* bytes; a larger file is refused */
#define USERFILE_LINES  65536			/* lines; likewise */

struct userfile {
	const char *path;
	int lockfd;		/* PATH.lock, held from open to close */
	char *text;		/* the file, lines cut at '\n' */
	char **line;		/* NULL for a removed line */
	char *added;		/* the one line this run made */
	size_t nlines;
};

/* Lock PATH.lock and read PATH (missing: empty); -1 with a message printed. */
int userfile_open(struct userfile *f, const char *path);

/* Index of the line for `name`, or -1. */
long userfile_find(const struct userfile *f, const char *name);

/* Replace line i (or add a line when i < 0) with "name:hash"; -1 on ENOMEM. */
int userfile_set(struct userfile *f, long i, const char *name, const char *hash);

/* The hash part of line i. */
const char *userfile_hash(const struct userfile *f, long i);

/* Temp file beside PATH, fsync, rename over PATH, fsync the directory:
 * readers see the old file or the new, never a half-written one. */
int userfile_commit(struct userfile *f);

/* Release the lock and the memory. */
void userfile_close(struct userfile *f);

#endif
