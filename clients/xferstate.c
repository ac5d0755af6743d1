#include "xferstate.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "climits.h"
#include "fail.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		fail(EX_OSERR, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		fail(EX_IOERR, "fsync of the directory of %s: %s", path, strerror(errno));
	close(fd);
	free(copy);
}

static void remember(struct xstate *s, const char *uidl)
{
	s->uidls = realloc(s->uidls, (s->n + 1) * sizeof *s->uidls);
	if (!s->uidls || !(s->uidls[s->n++] = strdup(uidl)))
		fail(EX_OSERR, "out of memory");
}

static void parse(struct xstate *s, struct buf *text, long max)
{
	char *p = text->p, *lf;

	while (p && (lf = memchr(p, '\n', text->len - (size_t)(p - text->p)))) {
		*lf = '\0';
		if (strlen(p) != (size_t)(lf - p) || strlen(p) > UIDL_MAX)
			fail(EX_DATAERR, "%s: not a state file", s->path);
		if ((long)s->n >= max)
			fail(EX_DATAERR, "%s: more than %ld lines (-R)", s->path, max);
		if (*p)
			remember(s, p);
		p = lf + 1;
	}
	if (s->n)		/* qsort wants an array, even of none */
		qsort(s->uidls, s->n, sizeof *s->uidls, cmp);
	s->sorted = s->n;
}

void xstate_open(struct xstate *s, const char *path, long max)
{
	char chunk[65536];
	struct buf text;
	size_t good;
	bool created;
	ssize_t r;

	s->path = path;
	s->uidls = NULL;
	s->n = s->sorted = 0;
	s->fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	created = s->fd < 0 && errno == ENOENT;
	if (created)
		s->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (s->fd < 0)
		fail(EX_CANTCREAT, "state file %s: %s", path, strerror(errno));
	if (created)
		sync_dir(path);
	buf_init(&text, (size_t)max * (UIDL_MAX + 1) + 1);
	while ((r = read(s->fd, chunk, sizeof chunk)) > 0)
		if (!buf_add(&text, chunk, (size_t)r))
			fail(EX_DATAERR, "%s: more than %ld lines (-R)", path, max);
	if (r < 0)
		fail(EX_IOERR, "reading %s: %s", path, strerror(errno));
	good = text.len;
	while (good > 0 && text.p[good - 1] != '\n')
		good--;
	/* A torn last line: cut it, so the next append starts a line. */
	if (good < text.len && (ftruncate(s->fd, (off_t)good) != 0 || fdatasync(s->fd) != 0))
		fail(EX_IOERR, "truncating %s: %s", path, strerror(errno));
	parse(s, &text, max);
	buf_free(&text);
}

bool xstate_has(const struct xstate *s, const char *uidl)
{
	return s->sorted && bsearch(&uidl, s->uidls, s->sorted, sizeof *s->uidls, cmp);
}

void xstate_add(struct xstate *s, const char *uidl)
{
	char line[UIDL_MAX + 2];
	int n = snprintf(line, sizeof line, "%s\n", uidl);

	if (write(s->fd, line, (size_t)n) != n || fdatasync(s->fd) != 0)
		fail(EX_IOERR, "writing state file %s: %s", s->path, strerror(errno));
	remember(s, uidl);
}

void xstate_compact(struct xstate *s, bool (*keep)(void *arg, const char *uidl),
		    void *arg)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof tmp, "%s.new", s->path) >= (int)sizeof tmp)
		fail(EX_CANTCREAT, "state file name too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		fail(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
	for (size_t i = 0; i < s->n; i++)
		if (keep(arg, s->uidls[i]))
			fprintf(f, "%s\n", s->uidls[i]);
	if (fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0 || rename(tmp, s->path) != 0)
		fail(EX_IOERR, "rewriting %s: %s", s->path, strerror(errno));
	sync_dir(s->path);
}

void xstate_close(struct xstate *s)
{
	close(s->fd);
	for (size_t i = 0; i < s->n; i++)
		free(s->uidls[i]);
	free(s->uidls);
}
