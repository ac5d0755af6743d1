/* The mboxrd format (RFC 4155, DESIGN.md "Store"): a "From sender date" line
 * starts each message, LF line ends on disk, lines matching ^>*From get one
 * more '>' when written and lose one when read, a blank line after each
 * message.  This file converts between that and the wire form (CRLF). */
#ifndef FACTEUR_MBOX_H
#define FACTEUR_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct lout;

#define FROM_LINE_MAX 512

/* "From <sender> <asctime, UTC>\n"; returns its length. */
size_t mbox_from_line(char *dst, size_t dstsz, const char *sender, time_t when);

/* The date of a From_ line (UTC), or -1 if it has none we can read. */
time_t mbox_from_date(const char *line, size_t len);

/* Classifies the start of a line one byte at a time: is it "From ", or
 * ">...>From " (quoted), or neither?  Decided after at most (run of '>') + 5
 * bytes. */
enum linecls_result { LC_UNDECIDED, LC_FROM, LC_QUOTED, LC_OTHER };
struct linecls {
	unsigned char matched;	/* bytes of "From " matched */
	bool gt;		/* a '>' run was seen */
};
void linecls_reset(struct linecls *c);
enum linecls_result linecls_feed(struct linecls *c, unsigned char ch);

/* Wire (CRLF or LF) to mbox: CRLF becomes LF, ^>*From gets one more '>'.
 * Streaming: feed any pieces, then finish. */
typedef int (*emit_fn)(void *arg, const char *p, size_t n);
struct quoter {
	emit_fn emit;
	void *arg;
	struct linecls cls;
	bool at_start;		/* at the start of a line */
	bool deciding;		/* classifying the line start */
	bool cr;		/* a CR is held back: is an LF next? */
	char held[8];		/* "From" bytes held while deciding */
	size_t nheld;
	bool last_lf;		/* the last byte emitted was LF */
	uint64_t out;		/* bytes emitted */
	int err;
};
void quoter_init(struct quoter *q, emit_fn emit, void *arg);
int quoter_feed(struct quoter *q, const char *p, size_t n);
int quoter_finish(struct quoter *q);

/* Mbox to wire: the bytes of raw [start, end) of fd as a client sees them:
 * LF becomes CRLF (an LF already after a CR stays), one '>' comes off
 * ^>+From, and with `dotstuff` a line starting with '.' gets another.
 * The first `skip` wire bytes are dropped and at most `limit` are written
 * (UINT64_MAX for all).  out may be NULL to count only.  Returns the total
 * wire size of the range, or -1 on a read error. */
struct wire_opts {
	bool dotstuff;
	uint64_t skip;
	uint64_t limit;
};
int64_t mbox_to_wire(int fd, uint64_t start, uint64_t end,
		     const struct wire_opts *o, struct lout *out);

/* Raw offset just past the first `nlines` lines of [start, end), or end. */
uint64_t mbox_skip_lines(int fd, uint64_t start, uint64_t end, uint64_t nlines);

#endif
