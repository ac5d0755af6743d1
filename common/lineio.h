/* The one buffered I/O layer: lines in (bounded, with an idle timeout) and
 * replies out (buffered, flushed before any blocking read so that a pipelined
 * batch of commands costs one write). */
#ifndef FACTEUR_LINEIO_H
#define FACTEUR_LINEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LIN_BUFSZ  (64 * 1024)
#define LOUT_BUFSZ (64 * 1024)

struct lout {
	int fd;
	int timeout;		/* seconds a single write may block */
	bool failed;		/* the peer is gone: further output is dropped */
	size_t len;
	char buf[LOUT_BUFSZ];
};

struct lin {
	int fd;
	int timeout;		/* idle timeout, seconds */
	struct lout *flush;	/* flushed before every blocking read */
	size_t pos, len;
	char buf[LIN_BUFSZ];
};

enum lin_status { LIN_OK, LIN_TOOLONG, LIN_EOF, LIN_TIMEOUT, LIN_ERROR };

void lin_init(struct lin *in, int fd, int timeout, struct lout *flush);

/* Read one line ended by LF (a CR before it is removed) into dst, which holds
 * max bytes plus a NUL.  max counts the terminator, as the RFCs do.  A longer
 * line is discarded through its LF and reported as LIN_TOOLONG; its tail is
 * never returned as a line.  *crlf tells whether the line ended in CRLF. */
enum lin_status lin_getline(struct lin *in, char *dst, size_t max,
			    size_t *len, bool *crlf);

/* Make at least one unread byte available in in->buf[in->pos..in->len).
 * Returns LIN_OK, LIN_EOF, LIN_TIMEOUT or LIN_ERROR. */
enum lin_status lin_fill(struct lin *in);

/* True when input is already buffered (the client pipelined). */
bool lin_pending(const struct lin *in);

void lout_init(struct lout *out, int fd, int timeout);
void lout_write(struct lout *out, const void *p, size_t n);
void lout_puts(struct lout *out, const char *s);
void lout_printf(struct lout *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Returns 0, or -1 once the peer is gone. */
int lout_flush(struct lout *out);

/* write() all of buf, each blocking step bounded by `timeout` seconds. */
int write_all(int fd, const void *buf, size_t n, int timeout);

#endif
