/* What the fuzz targets share: reading control values off the front of an
 * input, cutting a buffer into pieces, scratch files, and failing loudly
 * when a property does not hold (the fuzzer then keeps the input). */
#ifndef FACTEUR_FUZZ_H
#define FACTEUR_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The input as a stream: control values first, the payload after.  Reads
 * past the end give zeros, so every input is usable. */
struct fz {
	const uint8_t *p;
	size_t n;
};

uint8_t fz_u8(struct fz *f);
uint16_t fz_u16(struct fz *f);
uint32_t fz_u32(struct fz *f);
/* Up to want bytes off the front; *got says how many there were. */
const uint8_t *fz_take(struct fz *f, size_t want, size_t *got);

/* Piece lengths for feeding a buffer in random splits.  The seed comes from
 * the input, so a crash replays with the same cuts.  Mostly small pieces
 * (the edge cases live at the cuts), sometimes large ones. */
struct fz_split {
	uint64_t state;
	unsigned shape;
};
void fz_split_init(struct fz_split *s, uint32_t seed);
size_t fz_split_next(struct fz_split *s, size_t left);
/* The generator behind the cuts, for other choices a target makes. */
uint64_t fz_random(uint64_t *state);

/* A growable byte buffer; fz_buf_emit makes it an emit_fn (mbox.h). */
struct fz_buf {
	char *p;
	size_t len, cap;
};
void fz_buf_add(struct fz_buf *b, const void *p, size_t n);
int fz_buf_emit(void *b, const char *p, size_t n);
void fz_buf_free(struct fz_buf *b);

/* A private scratch directory under $TMPDIR, removed at exit. */
const char *fz_scratch(void);
/* An anonymous file: set its whole content, or read it all back. */
int fz_memfd(const char *name);
void fz_fd_set(int fd, const void *p, size_t n);
void fz_fd_get(int fd, struct fz_buf *b);

/* The code under test logs what it rejects: send that to /dev/null. */
void fz_quiet_log(void);

/* Report a broken property and abort. */
void fz_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define FZ_CHECK(cond, ...) \
	do { if (!(cond)) fz_fail(__VA_ARGS__); } while (0)

/* Compare two byte strings; on a difference, fail naming `what` and the
 * first offset where they part. */
void fz_same(const char *what, const void *got, size_t glen,
	     const void *want, size_t wlen);

#endif
