/* The index: a sidecar file per mailbox (".<name>.index") that keeps
 * UIDVALIDITY, UIDNEXT and, per message, its place in the mbox, its size as
 * clients see it, its UID and its flags.  It is a cache guarded by the mbox
 * lock: deleting it loses no mail (see mailbox.c for how it is kept true). */
#ifndef FACTEUR_INDEX_H
#define FACTEUR_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"

#define IDX_MAGIC    "FCTRIDX1"
#define IDX_VERSION  1
#define IDX_KW_OFF   128
#define IDX_REC_OFF  (IDX_KW_OFF + KEYWORDS_MAX * (KEYWORD_LEN_MAX + 1))

/* System flags, one bit each. */
enum {
	FL_SEEN = 1, FL_ANSWERED = 2, FL_FLAGGED = 4, FL_DELETED = 8, FL_DRAFT = 16,
	FL_ALL = 31,
};

struct idx_header {
	char magic[8];
	uint32_t version, rec_size;
	uint32_t uidvalidity, uidnext;
	uint32_t recent_uid;	/* highest UID some session has seen as \Recent */
	uint32_t nrec;
	uint64_t mbox_dev, mbox_ino, mbox_size;
	int64_t mbox_mtime_sec, mbox_mtime_nsec;
	uint64_t generation;	/* bumped on every write */
	uint32_t nkeywords;
	uint32_t pad;
	char reserved[40];
};

struct idx_rec {
	uint64_t offset;	/* From_ line */
	uint64_t raw_len;	/* content on disk */
	uint64_t wire_size;	/* RFC822.SIZE, POP3 LIST */
	uint64_t fp;		/* fingerprint, to keep UIDs through a rebuild */
	int64_t idate;		/* INTERNALDATE, Unix seconds */
	uint64_t keywords;	/* bit i: keyword i of the header's table */
	uint32_t uid;
	uint32_t flags;
	uint32_t from_len;
	uint32_t hdr_len;
};

_Static_assert(sizeof(struct idx_header) == IDX_KW_OFF, "index header size");
_Static_assert(sizeof(struct idx_rec) == 64, "index record size");

struct index {
	struct idx_header h;
	char kw[KEYWORDS_MAX][KEYWORD_LEN_MAX + 1];
	struct idx_rec *rec;
	uint32_t cap;
	uint64_t file_ino;	/* the index file this copy was read from / written to */
};

void index_init(struct index *ix);
void index_free(struct index *ix);
int index_reserve(struct index *ix, uint32_t n);

/* Read ".<leaf>.index" in dirfd.  0 on success; 1 when it is missing or not
 * valid (ix is then empty); -1 on an I/O error. */
int index_load(int dirfd, const char *leaf, struct index *ix);

/* The inode and header of the file on disk, to skip reloading an unchanged
 * index.  The whole header is compared, not only the generation: an index
 * rebuilt after it was lost starts its generation again, and its new file
 * may get the inode number of an old one. */
int index_peek(int dirfd, const char *leaf, uint64_t *ino, struct idx_header *h);

/* Write the whole index beside the mbox and rename it into place.  With
 * `durable` the file and the directory are fsynced. */
int index_write_full(int dirfd, const char *leaf, struct index *ix, bool durable);

/* Update in place: records [first, ix->h.nrec) and the header.  The file must
 * be the one ix was loaded from (same inode and header). */
int index_write_from(int dirfd, const char *leaf, struct index *ix, uint32_t first);

/* Records [first, last] and the header, in place (flag changes). */
int index_write_range(int dirfd, const char *leaf, struct index *ix,
		      uint32_t first, uint32_t last);

/* Position of uid, or -1. */
long index_find_uid(const struct index *ix, uint32_t uid);

#endif
