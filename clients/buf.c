#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "fail.h"

void buf_init(struct buf *b, size_t max)
{
	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

bool buf_add(struct buf *b, const void *p, size_t n)
{
	if (n > b->max - b->len)
		return false;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np)
			fail(EX_OSERR, "out of memory");
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return true;
}

int buf_emit(void *b, const char *p, size_t n)
{
	return buf_add(b, p, n) ? 0 : -1;
}

void buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b, b->max);
}
