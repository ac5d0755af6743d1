/* The index loader and mailbox sync (index.h, mailbox.h).  A small mbox and
 * an index file beside it in a scratch directory; mailbox_sync() must
 * succeed and leave an index, in memory and on disk, that describes the
 * mbox exactly as a fresh scan does.  The index is a cache: whatever its
 * bytes, the mbox is the truth.
 *
 * Input: mode (1 byte), mbox length (2 bytes), the mbox, then the rest.
 *   mode & 1  history: the first part of the mbox is synced first, then the
 *             whole is written (in place, or as a new file with mode & 4)
 *             and synced again; UIDs must not change meaning.  The rest is
 *             the cut point (2 bytes) and, with mode & 2, patches (offset 2,
 *             length 1, bytes) that damage the index between the syncs.
 *   else      the rest is the index file; with mode & 2 its header is made
 *             plausible (magic, version, sizes) so the records get read,
 *             with mode & 8 it also names this very mbox (device, inode).
 * Where the index is damaged yet claims this mbox (modes 3 and 10), it need
 * only be sound, not true (see check_agrees). */
#include "fuzz.h"

#include "index.h"
#include "mailbox.h"
#include "mboxscan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LEAF "INBOX"
#define INDEX_NAME ".INBOX.index"

static int userfd = -1;
static long stamp;		/* a distinct mtime for every version of the mbox */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet_log();
	userfd = open(fz_scratch(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (userfd < 0)
		fz_fail("scratch directory: %s", strerror(errno));
	return 0;
}

static void clear(void)
{
	static const char *const names[] = {
		LEAF, INDEX_NAME, ".INBOX.index.new", ".INBOX.new", "INBOX.tmp",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlinkat(userfd, names[i], 0);
}

/* A clock that always moves: file times on Linux are only as fine as the
 * kernel tick, and two writes in one tick would look like no change. */
static void touch(int fd)
{
	struct timespec t[2];

	stamp++;
	t[0].tv_sec = t[1].tv_sec = 1600000000 + stamp / 1000000;
	t[0].tv_nsec = t[1].tv_nsec = (stamp % 1000000) * 1000;
	if (futimens(fd, t) != 0)
		fz_fail("futimens: %s", strerror(errno));
}

/* Write the mbox in place (an append when the old text is a prefix) or as a
 * new file renamed over the old, as a rewrite does. */
static void write_mbox(const void *p, size_t n, bool replace)
{
	const char *name = replace ? "INBOX.tmp" : LEAF;
	int fd = openat(userfd, name, O_RDWR | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : 0), 0600);

	if (fd < 0 || ftruncate(fd, (off_t)n) != 0 || (n && pwrite(fd, p, n, 0) != (ssize_t)n))
		fz_fail("writing the mbox: %s", strerror(errno));
	touch(fd);
	close(fd);
	if (replace && renameat(userfd, name, userfd, LEAF) != 0)
		fz_fail("rename: %s", strerror(errno));
}

static void write_index(const void *p, size_t n)
{
	int fd = openat(userfd, INDEX_NAME, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n))
		fz_fail("writing the index: %s", strerror(errno));
	close(fd);
}

/* Just enough of a header to get past the first checks. */
static void plausible_header(uint8_t *p, size_t n, bool this_mbox)
{
	struct idx_header h;
	struct stat st;

	if (n < sizeof h)
		return;
	memcpy(&h, p, sizeof h);
	memcpy(h.magic, IDX_MAGIC, 8);
	h.version = IDX_VERSION;
	h.rec_size = sizeof(struct idx_rec);
	if (h.uidvalidity == 0)
		h.uidvalidity = 1;
	h.nkeywords %= KEYWORDS_MAX + 1;
	if (n < IDX_REC_OFF)
		h.nrec = 0;
	else if (h.nrec > (n - IDX_REC_OFF) / sizeof(struct idx_rec))
		h.nrec = (uint32_t)((n - IDX_REC_OFF) / sizeof(struct idx_rec));
	if (this_mbox && fstatat(userfd, LEAF, &st, 0) == 0) {
		h.mbox_dev = (uint64_t)st.st_dev;
		h.mbox_ino = (uint64_t)st.st_ino;
	}
	memcpy(p, &h, sizeof h);
}

/* Overwrite parts of the index file: a torn or damaged cache. */
static void patch_index(struct fz *f)
{
	int fd = openat(userfd, INDEX_NAME, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	while (f->n > 0) {
		uint16_t off = fz_u16(f);
		size_t len;
		const uint8_t *bytes = fz_take(f, fz_u8(f), &len);

		if (len && pwrite(fd, bytes, len, off) != (ssize_t)len)
			fz_fail("patching the index: %s", strerror(errno));
	}
	close(fd);
}

struct scan_out {
	struct mbox_msg *m;
	size_t n, cap;
};

static int collect(void *arg, const struct mbox_msg *m)
{
	struct scan_out *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct mbox_msg *nm = realloc(s->m, cap * sizeof *nm);
		if (!nm)
			return -1;
		s->m = nm;
		s->cap = cap;
	}
	s->m[s->n++] = *m;
	return 0;
}

/* The index in memory is the mbox's, and the file on disk says the same.
 * An index damaged so that it still claims this very mbox may be trusted:
 * the cache is checked by its last message only, by design.  There the
 * records need only be sound: in order, apart, and inside the file. */
static void check_agrees(struct mailbox *mb, bool trusted)
{
	const struct index *ix = &mb->ix;
	struct scan_out s = { 0 };
	struct index disk;
	struct stat st;

	FZ_CHECK(fstat(mb->fd, &st) == 0, "fstat");
	FZ_CHECK(ix->h.mbox_size == (uint64_t)st.st_size &&
		 ix->h.mbox_ino == (uint64_t)st.st_ino && ix->h.mbox_dev == (uint64_t)st.st_dev,
		 "index names another mbox (size %llu, file %lld)",
		 (unsigned long long)ix->h.mbox_size, (long long)st.st_size);
	FZ_CHECK(mbox_scan(mb->fd, 0, (uint64_t)st.st_size, collect, &s) == 0, "mbox_scan");
	FZ_CHECK(trusted || ix->h.nrec == s.n, "index has %u messages, the mbox %zu",
		 ix->h.nrec, s.n);
	FZ_CHECK(ix->h.uidvalidity != 0, "UIDVALIDITY 0");
	for (uint32_t i = 0; i < ix->h.nrec; i++) {
		const struct idx_rec *r = &ix->rec[i];
		const struct mbox_msg *m = &s.m[i];

		FZ_CHECK(r->uid > 0 && r->uid < ix->h.uidnext && (i == 0 || r->uid > r[-1].uid),
			 "record %u: UID %u out of order (UIDNEXT %u)", i, r->uid, ix->h.uidnext);
		if (trusted) {
			FZ_CHECK(r->offset + r->from_len + r->raw_len <= (uint64_t)st.st_size &&
				 (i == 0 || r->offset >= r[-1].offset + r[-1].from_len + r[-1].raw_len),
				 "record %u (offset %llu) overlaps or leaves the mbox", i,
				 (unsigned long long)r->offset);
			continue;
		}
		FZ_CHECK(r->offset == m->offset && r->raw_len == m->raw_len &&
			 r->wire_size == m->wire_size && r->fp == m->fp && r->idate == m->idate &&
			 r->from_len == m->from_len && r->hdr_len == m->hdr_len,
			 "record %u does not describe message %u (offset %llu vs %llu)", i, i,
			 (unsigned long long)r->offset, (unsigned long long)m->offset);
	}
	free(s.m);

	index_init(&disk);
	FZ_CHECK(index_load(mb->dirfd, mb->leaf, &disk) == 0, "the index written cannot be loaded");
	FZ_CHECK(memcmp(&disk.h, &ix->h, sizeof disk.h) == 0 &&
		 memcmp(disk.kw, ix->kw, sizeof disk.kw) == 0 &&
		 (ix->h.nrec == 0 ||
		  memcmp(disk.rec, ix->rec, ix->h.nrec * sizeof *ix->rec) == 0),
		 "the index on disk differs from the one in memory");
	index_free(&disk);
}

/* Open, lock, sync and check, as a session would; the result is copied to
 * *keep when asked. */
static void sync_and_check(struct index *keep, bool trusted)
{
	struct mailbox mb;

	FZ_CHECK(mailbox_open(&mb, userfd, LEAF, false, 1) == 0, "mailbox_open: %s",
		 strerror(errno));
	FZ_CHECK(mailbox_lock(&mb, F_RDLCK) == 0, "mailbox_lock: %s", strerror(errno));
	FZ_CHECK(mailbox_sync(&mb) == 0, "mailbox_sync: %s", strerror(errno));
	check_agrees(&mb, trusted);
	/* A second sync with nothing changed keeps everything. */
	{
		struct idx_header h = mb.ix.h;
		FZ_CHECK(mailbox_sync(&mb) == 0 && memcmp(&h, &mb.ix.h, sizeof h) == 0,
			 "a second sync changed the index");
	}
	if (keep) {
		index_init(keep);
		keep->h = mb.ix.h;
		if (index_reserve(keep, mb.ix.h.nrec) != 0)
			fz_fail("out of memory");
		if (mb.ix.h.nrec)
			memcpy(keep->rec, mb.ix.rec, mb.ix.h.nrec * sizeof *keep->rec);
	}
	mailbox_close(&mb);
}

/* A UID never names two messages under one UIDVALIDITY; new ones are new. */
static void check_uids_kept(const struct index *old)
{
	struct index now;

	sync_and_check(&now, false);
	if (now.h.uidvalidity == old->h.uidvalidity) {
		FZ_CHECK(now.h.uidnext >= old->h.uidnext, "UIDNEXT went back");
		for (uint32_t i = 0; i < now.h.nrec; i++) {
			const struct idx_rec *r = &now.rec[i];
			long j;

			if (r->uid >= old->h.uidnext)
				continue;
			j = index_find_uid(old, r->uid);
			FZ_CHECK(j >= 0 && old->rec[j].fp == r->fp,
				 "UID %u now names another message", r->uid);
		}
	} else {
		FZ_CHECK(now.h.uidvalidity > old->h.uidvalidity, "UIDVALIDITY went back");
	}
	index_free(&now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t mode = fz_u8(&f);
	size_t len, cut, rest;
	const uint8_t *mbox = fz_take(&f, fz_u16(&f), &len);
	struct index old;
	uint8_t *ixbytes;

	clear();
	if (mode & 1) {
		cut = fz_u16(&f) % (len + 1);
		write_mbox(mbox, cut, false);
		sync_and_check(&old, false);
		write_mbox(mbox, len, mode & 4);
		if (mode & 2) {
			/* Damage voids the promise about UIDs, and a damaged
			 * index may be trusted (see check_agrees). */
			patch_index(&f);
			sync_and_check(NULL, true);
		} else {
			check_uids_kept(&old);
		}
		index_free(&old);
		return 0;
	}
	write_mbox(mbox, len, false);
	ixbytes = malloc(f.n + 1);
	if (!ixbytes)
		return 0;
	memcpy(ixbytes, f.p, f.n);
	rest = f.n;
	if (mode & 2)
		plausible_header(ixbytes, rest, mode & 8);
	if (rest > 0)
		write_index(ixbytes, rest);
	free(ixbytes);
	sync_and_check(NULL, (mode & 10) == 10);
	return 0;
}
