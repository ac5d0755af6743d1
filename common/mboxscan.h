/* Finding the messages in an mbox: one pass over the file that yields, per
 * message, what the index keeps (offsets, sizes, date, fingerprint). */
#ifndef FACTEUR_MBOXSCAN_H
#define FACTEUR_MBOXSCAN_H

#include <stddef.h>
#include <stdint.h>

/* Bytes from the start of a message (its From_ line first) that identify it
 * when the index must be rebuilt. */
#define FP_BYTES 1024

struct mbox_msg {
	uint64_t offset;	/* of the From_ line */
	uint64_t raw_len;	/* content on disk: after the From_ line, before the blank separator */
	uint64_t wire_size;	/* what a client receives: CRLF, unquoted */
	uint64_t fp;		/* fingerprint of the first FP_BYTES */
	int64_t idate;		/* from the From_ line; -1 if unreadable */
	uint32_t from_len;	/* From_ line with its LF */
	uint32_t hdr_len;	/* header with the blank line that ends it */
};

typedef int (*scan_fn)(void *arg, const struct mbox_msg *m);

/* Scan [from, size) of fd.  `from` must be 0 or the offset of a From_ line
 * that follows a blank line.  A message starts at a "From " line at the start
 * of the file or after a blank line.  Returns 0, -1 on a read error, or what a
 * non-zero fn returned. */
int mbox_scan(int fd, uint64_t from, uint64_t size, scan_fn fn, void *arg);

/* Fingerprint of a message's first bytes (FNV-1a 64). */
uint64_t mbox_fingerprint(const char *p, size_t n);

#endif
