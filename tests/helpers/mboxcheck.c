/* mboxcheck [-l] [-i] [-x N | -a] MBOX: the test suite's view of a mailbox.
 *   (default) check the file is a well-formed mboxrd and print "N messages"
 *   -l        also print one line per message: offset raw_len wire_size
 *   -i        check that the index beside it agrees with the file
 *   -x N      write message N (1-based) in wire form (CRLF, unquoted)
 *   -a        write every message so, each after a line with its size
 * Exit 0 when well-formed (and consistent), 1 otherwise. */
#include "index.h"
#include "lineio.h"
#include "mbox.h"
#include "mboxscan.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct list {
	struct mbox_msg *m;
	size_t n, cap;
};

static int collect(void *arg, const struct mbox_msg *m)
{
	struct list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->m = realloc(l->m, l->cap * sizeof *l->m);
		if (!l->m)
			return -1;
	}
	l->m[l->n++] = *m;
	return 0;
}

/* Message m in wire form, after a line with its size when `sized`. */
static void write_message(int fd, const struct mbox_msg *m, bool sized, struct lout *out)
{
	struct wire_opts o = { false, 0, UINT64_MAX };
	char line[32];

	if (sized)
		lout_write(out, line, (size_t)snprintf(line, sizeof line, "%llu\n",
							(unsigned long long)m->wire_size));
	mbox_to_wire(fd, m->offset + m->from_len, m->offset + m->from_len + m->raw_len, &o, out);
}

/* Well-formed: empty, or starts with "From " and ends with a blank line. */
static int check_shape(int fd, off_t size)
{
	char head[5], tail[2];

	if (size == 0)
		return 0;
	if (size < 7 || pread(fd, head, 5, 0) != 5 || memcmp(head, "From ", 5) != 0) {
		fprintf(stderr, "does not start with a From_ line\n");
		return 1;
	}
	if (pread(fd, tail, 2, size - 2) != 2 || memcmp(tail, "\n\n", 2) != 0) {
		fprintf(stderr, "does not end with a blank line\n");
		return 1;
	}
	return 0;
}

static int check_index(const char *path, const struct list *l)
{
	char *copy = strdup(path), *dir = dirname(copy);
	char *copy2 = strdup(path), *leaf = basename(copy2);
	struct index ix;
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY), rc = 0;

	index_init(&ix);
	if (dirfd < 0 || index_load(dirfd, leaf, &ix) != 0) {
		fprintf(stderr, "no valid index\n");
		return 1;
	}
	if (ix.h.nrec != l->n) {
		fprintf(stderr, "index has %u records, mbox %zu messages\n", ix.h.nrec, l->n);
		rc = 1;
	}
	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		const struct idx_rec *r = &ix.rec[i];
		if (r->offset != l->m[i].offset || r->raw_len != l->m[i].raw_len ||
		    r->wire_size != l->m[i].wire_size) {
			fprintf(stderr, "index record %zu disagrees with the mbox\n", i + 1);
			rc = 1;
		}
	}
	printf("uidvalidity %u uidnext %u\n", ix.h.uidvalidity, ix.h.uidnext);
	index_free(&ix);
	close(dirfd);
	free(copy);
	free(copy2);
	return rc;
}

int main(int argc, char **argv)
{
	static struct lout out;
	bool list = false, idx = false;
	long extract = 0;
	bool all = false;
	struct list l = { 0 };
	struct stat st;
	int opt, fd, rc;

	while ((opt = getopt(argc, argv, "lix:a")) != -1) {
		if (opt == 'l')
			list = true;
		else if (opt == 'i')
			idx = true;
		else if (opt == 'x')
			extract = atol(optarg);
		else if (opt == 'a')
			all = true;
		else
			return 2;
	}
	if (optind + 1 != argc)
		return 2;
	fd = open(argv[optind], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[optind]);
		return 1;
	}
	if (mbox_scan(fd, 0, (uint64_t)st.st_size, collect, &l) != 0)
		return 1;
	if (extract || all) {
		size_t first = all ? 0 : (size_t)extract - 1, last = all ? l.n : (size_t)extract;

		if (!all && (extract < 1 || (size_t)extract > l.n)) {
			free(l.m);
			return 1;
		}
		lout_init(&out, 1, 60);
		for (size_t i = first; i < last; i++)
			write_message(fd, &l.m[i], all, &out);
		free(l.m);
		return lout_flush(&out) == 0 ? 0 : 1;
	}
	rc = check_shape(fd, st.st_size);
	printf("%zu messages\n", l.n);
	for (size_t i = 0; list && i < l.n; i++)
		printf("%llu %llu %llu\n", (unsigned long long)l.m[i].offset,
		       (unsigned long long)l.m[i].raw_len, (unsigned long long)l.m[i].wire_size);
	if (idx)
		rc |= check_index(argv[optind], &l);
	free(l.m);
	return rc;
}
