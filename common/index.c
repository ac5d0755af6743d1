#include "index.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void index_init(struct index *ix)
{
	memset(ix, 0, sizeof *ix);
	memcpy(ix->h.magic, IDX_MAGIC, 8);
	ix->h.version = IDX_VERSION;
	ix->h.rec_size = sizeof(struct idx_rec);
	ix->h.uidnext = 1;
}

void index_free(struct index *ix)
{
	free(ix->rec);
	index_init(ix);
}

int index_reserve(struct index *ix, uint32_t n)
{
	struct idx_rec *r;
	uint32_t cap = ix->cap ? ix->cap : 64;

	if (n <= ix->cap)
		return 0;
	while (cap < n)
		cap = cap > UINT32_MAX / 2 ? n : cap * 2;
	r = realloc(ix->rec, (size_t)cap * sizeof *r);
	if (!r)
		return -1;
	ix->rec = r;
	ix->cap = cap;
	return 0;
}

static int side_name(char *dst, const char *leaf, const char *suffix)
{
	if (spool_side_name(dst, SIDE_NAME_MAX, leaf, suffix))
		return 0;
	errno = ENAMETOOLONG;
	return -1;
}

static int read_at(int fd, void *p, size_t n, uint64_t off)
{
	char *c = p;

	while (n > 0) {
		ssize_t r = pread(fd, c, n, (off_t)off);
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int write_at(int fd, const void *p, size_t n, uint64_t off)
{
	const char *c = p;

	while (n > 0) {
		ssize_t r = pwrite(fd, c, n, (off_t)off);
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static bool header_valid(const struct idx_header *h, uint64_t file_size)
{
	return memcmp(h->magic, IDX_MAGIC, 8) == 0 && h->version == IDX_VERSION &&
	       h->rec_size == sizeof(struct idx_rec) && h->uidvalidity != 0 &&
	       h->uidnext != 0 &&
	       h->nkeywords <= KEYWORDS_MAX &&
	       file_size >= IDX_REC_OFF + (uint64_t)h->nrec * sizeof(struct idx_rec);
}

/* UIDs and offsets strictly increase and stay under UIDNEXT. */
static bool records_valid(const struct index *ix)
{
	for (uint32_t i = 0; i < ix->h.nrec; i++) {
		const struct idx_rec *r = &ix->rec[i];
		if (r->uid == 0 || r->uid >= ix->h.uidnext ||
		    r->offset + r->from_len + r->raw_len > ix->h.mbox_size ||
		    (i > 0 && (r->uid <= r[-1].uid ||
			       r->offset < r[-1].offset + r[-1].from_len + r[-1].raw_len)))
			return false;
	}
	return true;
}

int index_load(int dirfd, const char *leaf, struct index *ix)
{
	char name[SIDE_NAME_MAX];
	struct stat st;
	int fd, rc = 1;

	index_free(ix);
	if (side_name(name, leaf, ".index") != 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	if (fstat(fd, &st) != 0 || read_at(fd, &ix->h, sizeof ix->h, 0) != 0 ||
	    !header_valid(&ix->h, (uint64_t)st.st_size))
		goto out;
	if (read_at(fd, ix->kw, sizeof ix->kw, IDX_KW_OFF) != 0 ||
	    index_reserve(ix, ix->h.nrec) != 0 ||
	    (ix->h.nrec && read_at(fd, ix->rec, (size_t)ix->h.nrec * sizeof *ix->rec,
				   IDX_REC_OFF) != 0))
		goto out;
	for (int k = 0; k < KEYWORDS_MAX; k++)
		ix->kw[k][KEYWORD_LEN_MAX] = '\0';
	if (!records_valid(ix))
		goto out;
	ix->file_ino = (uint64_t)st.st_ino;
	rc = 0;
out:
	close(fd);
	if (rc != 0)
		index_free(ix);
	return rc;
}

int index_peek(int dirfd, const char *leaf, uint64_t *ino, struct idx_header *h)
{
	char name[SIDE_NAME_MAX];
	struct stat st;
	int fd, rc = -1;

	if (side_name(name, leaf, ".index") != 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) == 0 && read_at(fd, h, sizeof *h, 0) == 0) {
		*ino = (uint64_t)st.st_ino;
		rc = 0;
	}
	close(fd);
	return rc;
}

int index_write_full(int dirfd, const char *leaf, struct index *ix, bool durable)
{
	char tmp[SIDE_NAME_MAX], name[SIDE_NAME_MAX];
	struct stat st;
	int fd, rc = -1;

	if (side_name(tmp, leaf, ".newindex") != 0 || side_name(name, leaf, ".index") != 0)
		return -1;
	/* Only the holder of the mbox's write lock gets here: a leftover is stale. */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	ix->h.generation++;
	if (write_at(fd, &ix->h, sizeof ix->h, 0) == 0 &&
	    write_at(fd, ix->kw, sizeof ix->kw, IDX_KW_OFF) == 0 &&
	    write_at(fd, ix->rec, (size_t)ix->h.nrec * sizeof *ix->rec, IDX_REC_OFF) == 0 &&
	    ftruncate(fd, IDX_REC_OFF + (off_t)ix->h.nrec * (off_t)sizeof *ix->rec) == 0 &&
	    (!durable || fsync(fd) == 0) && fstat(fd, &st) == 0 &&
	    renameat(dirfd, tmp, dirfd, name) == 0) {
		ix->file_ino = (uint64_t)st.st_ino;
		rc = 0;
		if (durable)
			fsync(dirfd);
	}
	close(fd);
	if (rc != 0)
		unlinkat(dirfd, tmp, 0);
	return rc;
}

int index_write_range(int dirfd, const char *leaf, struct index *ix,
		      uint32_t first, uint32_t last)
{
	char name[SIDE_NAME_MAX];
	struct stat st;
	int fd, rc = -1;

	if (side_name(name, leaf, ".index") != 0)
		return -1;
	fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != ix->file_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	ix->h.generation++;
	/* Records first, header last: a crash between leaves a header that does
	 * not yet count the new records, which the next sync scans again. */
	if ((first > last || write_at(fd, ix->rec + first,
				      (size_t)(last - first + 1) * sizeof *ix->rec,
				      IDX_REC_OFF + (uint64_t)first * sizeof *ix->rec) == 0) &&
	    write_at(fd, ix->kw, sizeof ix->kw, IDX_KW_OFF) == 0 &&
	    write_at(fd, &ix->h, sizeof ix->h, 0) == 0)
		rc = 0;
	close(fd);
	return rc;
}

int index_write_from(int dirfd, const char *leaf, struct index *ix, uint32_t first)
{
	if (first >= ix->h.nrec)
		return index_write_range(dirfd, leaf, ix, 1, 0);
	return index_write_range(dirfd, leaf, ix, first, ix->h.nrec - 1);
}

long index_find_uid(const struct index *ix, uint32_t uid)
{
	long lo = 0, hi = (long)ix->h.nrec - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		if (ix->rec[mid].uid == uid)
			return mid;
		if (ix->rec[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}
