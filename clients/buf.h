/* A growable byte buffer with a hard maximum: what a server sends is held
 * here, and never more than max bytes of it. */
#ifndef FACTEUR_BUF_H
#define FACTEUR_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap, max;
};

void buf_init(struct buf *b, size_t max);
/* false (nothing added) when the result would pass max. */
bool buf_add(struct buf *b, const void *p, size_t n);
/* emit_fn shape: 0, or -1 when over max. */
int buf_emit(void *b, const char *p, size_t n);
void buf_free(struct buf *b);

/* A formatted string in fresh memory (free it); exit when out of memory. */
#include <stdarg.h>
char *str_vprintf(const char *fmt, va_list ap);
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
