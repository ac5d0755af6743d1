#include "dotreader.h"

#include <ctype.h>
#include <string.h>

enum {
	D_START,	/* at the start of a line */
	D_DOT,		/* a '.' opened the line */
	D_DOT_CR,	/* ".\r" */
	D_MID,		/* inside a line */
	D_CR,		/* a CR ended the last piece: an LF must follow */
};

void dotreader_init(struct dotreader *d, uint64_t max, emit_fn emit, void *arg)
{
	memset(d, 0, sizeof *d);
	d->max = max;
	d->in_header = true;
	d->hdr_match = true;
	quoter_init(&d->q, emit, arg);
}

/* Header lines are watched for "Received:" until the blank line. */
static void watch_header(struct dotreader *d, const char *p, size_t n)
{
	static const char key[] = "received:";

	for (size_t i = 0; i < n && d->in_header; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\n') {
			if (d->hdr_col == 1)	/* only the CR: the blank line */
				d->in_header = false;
			d->hdr_col = 0;
			d->hdr_match = true;
			continue;
		}
		if (d->hdr_col < 9 && d->hdr_match && tolower(c) != key[d->hdr_col])
			d->hdr_match = false;
		if (++d->hdr_col == 9 && d->hdr_match)
			d->hops++;
	}
}

/* Unstuffed message bytes (wire form, CRLF) go on to the mbox quoter. */
static void pass(struct dotreader *d, const char *p, size_t n)
{
	if (d->in_header)
		watch_header(d, p, n);
	d->size += n;
	if (!d->nul && memchr(p, '\0', n))
		d->nul = true;
	if (d->size > d->max)
		d->too_big = true;	/* keep reading to the end, store nothing */
	if (!d->too_big)
		quoter_feed(&d->q, p, n);
}

static size_t bare(struct dotreader *d, const char *at, const char *start)
{
	d->status = DOT_BARE;
	return (size_t)(at - start);
}

size_t dotreader_feed(struct dotreader *d, const char *buf, size_t n)
{
	const char *p = buf, *e = buf + n;

	while (p < e && d->status == DOT_MORE) {
		switch (d->state) {
		case D_START:
			if (*p == '.') {
				d->state = D_DOT;
				p++;
			} else {
				d->state = D_MID;
			}
			break;
		case D_DOT:
			if (*p == '\r') {
				d->state = D_DOT_CR;
				p++;
			} else if (*p == '\n') {
				return bare(d, p, buf);
			} else {
				d->state = D_MID;	/* the stuffed dot is dropped */
			}
			break;
		case D_DOT_CR:
			if (*p != '\n')
				return bare(d, p, buf);
			p++;
			d->status = DOT_DONE;
			quoter_finish(&d->q);
			break;
		case D_CR:
			if (*p != '\n')
				return bare(d, p, buf);
			pass(d, "\r\n", 2);
			p++;
			d->state = D_START;
			break;
		case D_MID: {
			const char *lf = memchr(p, '\n', (size_t)(e - p));
			const char *end = lf ? lf : e;
			const char *cr = memchr(p, '\r', (size_t)(end - p));

			if (lf && cr != lf - 1)		/* LF without CR, or a CR inside */
				return bare(d, cr ? cr : lf, buf);
			if (!lf && cr && cr != e - 1)
				return bare(d, cr, buf);
			if (lf) {
				pass(d, p, (size_t)(lf + 1 - p));
				p = lf + 1;
				d->state = D_START;
			} else if (cr) {
				pass(d, p, (size_t)(cr - p));
				p = e;
				d->state = D_CR;
			} else {
				pass(d, p, (size_t)(e - p));
				p = e;
			}
			break;
		}
		}
	}
	return (size_t)(p - buf);
}
