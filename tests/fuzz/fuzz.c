/* Helpers shared by the fuzz targets (fuzz.h). */
#define _GNU_SOURCE		/* memfd_create, nftw */
#include "fuzz.h"
#include "log.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

uint8_t fz_u8(struct fz *f)
{
	uint8_t v = 0;

	if (f->n > 0) {
		v = f->p[0];
		f->p++;
		f->n--;
	}
	return v;
}

uint16_t fz_u16(struct fz *f)
{
	uint16_t hi = fz_u8(f);

	return (uint16_t)(hi << 8 | fz_u8(f));
}

uint32_t fz_u32(struct fz *f)
{
	uint32_t hi = fz_u16(f);

	return hi << 16 | fz_u16(f);
}

const uint8_t *fz_take(struct fz *f, size_t want, size_t *got)
{
	const uint8_t *p = f->p;

	*got = want < f->n ? want : f->n;
	f->p += *got;
	f->n -= *got;
	return p;
}

/* splitmix64: small, and every seed gives a usable sequence. */
uint64_t fz_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void fz_split_init(struct fz_split *s, uint32_t seed)
{
	s->state = seed;
	s->shape = seed & 3;
}

size_t fz_split_next(struct fz_split *s, size_t left)
{
	static const size_t span[] = { 3, 64, 4096 };
	uint64_t r = fz_random(&s->state);
	unsigned shape = s->shape < 3 ? s->shape : (unsigned)(r >> 60) % 3;
	size_t n = 1 + (size_t)(r % span[shape]);

	return n < left ? n : left;
}

void fz_buf_add(struct fz_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			fz_fail("out of memory");
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

int fz_buf_emit(void *b, const char *p, size_t n)
{
	fz_buf_add(b, p, n);
	return 0;
}

void fz_buf_free(struct fz_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static char scratch[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_scratch(void)
{
	if (scratch[0])
		nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fz_scratch(void)
{
	const char *tmp = getenv("TMPDIR");

	if (scratch[0])
		return scratch;
	snprintf(scratch, sizeof scratch, "%s/facteur-fuzz.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch))
		fz_fail("mkdtemp %s: %s", scratch, strerror(errno));
	atexit(remove_scratch);
	return scratch;
}

int fz_memfd(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		fz_fail("memfd_create: %s", strerror(errno));
	return fd;
}

void fz_fd_set(int fd, const void *p, size_t n)
{
	if (ftruncate(fd, 0) != 0 || (n && pwrite(fd, p, n, 0) != (ssize_t)n))
		fz_fail("filling a scratch file: %s", strerror(errno));
}

void fz_fd_get(int fd, struct fz_buf *b)
{
	char chunk[65536];
	off_t off = 0;
	ssize_t got;

	b->len = 0;
	while ((got = pread(fd, chunk, sizeof chunk, off)) > 0) {
		fz_buf_add(b, chunk, (size_t)got);
		off += got;
	}
	if (got < 0)
		fz_fail("reading a scratch file: %s", strerror(errno));
}

void fz_quiet_log(void)
{
	if (log_open("fuzz", "/dev/null") != 0)
		fz_fail("cannot open /dev/null for the log");
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("\nfuzz property failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fz_same(const char *what, const void *got, size_t glen,
	     const void *want, size_t wlen)
{
	const unsigned char *g = got, *w = want;
	size_t i = 0;

	while (i < glen && i < wlen && g[i] == w[i])
		i++;
	if (i == glen && i == wlen)
		return;
	fz_fail("%s: %zu bytes instead of %zu, first difference at offset %zu "
		"(0x%02x instead of 0x%02x)", what, glen, wlen, i,
		i < glen ? g[i] : 0, i < wlen ? w[i] : 0);
}
