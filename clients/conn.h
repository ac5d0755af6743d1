/* One connection to a server, as the clients see it: bounded lines in
 * (common/lineio.h, with the reply timeout), lines out, and the -v
 * transcript on stderr (C: for what we send, S: for what the server
 * says, passwords masked). */
#ifndef FACTEUR_CONN_H
#define FACTEUR_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lineio.h"
#include "opts.h"

struct buf;

struct conn {
	struct lin in;
	struct lout out;
	int fd;
	pid_t child;		/* the -c command, or -1 */
	bool verbose;
	int timeout;
	const char *label;	/* "POP3 server", for messages */
	size_t line_max;	/* a line, terminator included */
	long lines_max;		/* lines of a multi-line reply */
	char *line;		/* the last line read, NUL-terminated */
	size_t len;
};

/* What reading a line or a reply gave: C_BAD is a reply that breaks the
 * protocol's grammar, C_TOOMANY one with more lines than -R allows. */
enum cst { C_OK, C_TOOLONG, C_EOF, C_TIMEOUT, C_ERROR, C_BAD, C_TOOMANY };

/* Connect to o->server (defport when it names none) or start o->cmd. */
void conn_open(struct conn *c, const struct copts *o, const char *defport,
	       const char *label);
/* Over an open descriptor (tests and fuzzing). */
void conn_init_fd(struct conn *c, int fd, const struct copts *o, const char *label);
/* Flush, close, and wait for the -c command. */
void conn_close(struct conn *c);

/* Read one line into c->line; traced. */
enum cst conn_getline(struct conn *c);
/* Append exactly n bytes to b (the caller has checked n against b->max). */
enum cst conn_read(struct conn *c, struct buf *b, size_t n);
/* Same, or exit with a message that says what went wrong. */
void conn_line(struct conn *c);
void conn_need(struct conn *c, enum cst st);

/* Send a line (CRLF added); the trace shows `shown` instead when it is not
 * NULL.  Exit if the server is gone. */
void conn_send(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void conn_send_masked(struct conn *c, const char *shown, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Raw bytes (message data, already in wire form), not traced: the caller
 * traces them as lines. */
void conn_write(struct conn *c, const char *p, size_t n);
void conn_flush(struct conn *c);

/* The transcript: dir 'C' or 'S', one line per LF in p. */
void conn_trace(const struct conn *c, char dir, const char *p, size_t n);

#endif
