/* IMAP commands from fuzz bytes (imapcmd.h). */
#include "imapcmd.h"

#include "limits.h"

#include <stdlib.h>
#include <string.h>

enum cut { CUT_DONE, CUT_REFUSED, CUT_END };

/* One command into b and c->seg; CUT_REFUSED when the session would have
 * answered BAD and read on, CUT_END when it would read no further. */
static enum cut cut_one(struct fz *f, struct cmd *c, struct fz_buf *b)
{
	for (;;) {
		const uint8_t *lf = f->n ? memchr(f->p, '\n', f->n) : NULL;
		size_t raw, len, got;
		const uint8_t *line, *lit;
		uint64_t n;
		bool sync;

		if (!lf)
			return CUT_END;
		raw = (size_t)(lf - f->p) + 1;
		if (raw > IMAP_LINE_MAX)
			return CUT_END;		/* BYE: too long, no resync */
		line = fz_take(f, raw, &got);
		len = raw - 1 - (raw >= 2 && line[raw - 2] == '\r');
		c->seg[c->nseg++] = (struct seg){ b->len, len, false, false };
		fz_buf_add(b, line, len);
		if (!literal_marker((const char *)line, len, &n, &sync))
			return CUT_DONE;
		if (++c->nliterals > IMAP_LITERALS_MAX || n > IMAP_LITERAL_MAX)
			return sync ? CUT_REFUSED : CUT_END;
		lit = fz_take(f, (size_t)n, &got);
		if (got < n)
			return CUT_END;		/* the client never sent it all */
		c->seg[c->nseg++] = (struct seg){ b->len, got, true, false };
		fz_buf_add(b, lit, got);
	}
}

bool imapcmd_next(struct fz *f, struct cmd *c)
{
	static struct fz_buf b;
	enum cut r;

	memset(c, 0, sizeof *c);
	do {
		c->nseg = c->nliterals = 0;
		b.len = 0;
		r = cut_one(f, c, &b);
	} while (r == CUT_REFUSED);
	if (r == CUT_END)
		return false;
	c->len = c->cap = b.len;
	c->data = malloc(b.len ? b.len : 1);
	if (!c->data)
		fz_fail("out of memory");
	if (b.len)
		memcpy(c->data, b.p, b.len);
	strcpy(c->tag, "*");
	return true;
}

void imapcmd_free(struct cmd *c)
{
	free(c->data);
	c->data = NULL;
}
