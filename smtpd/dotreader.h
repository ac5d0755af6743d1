/* The DATA byte machine: finds the end of the message (CRLF "." CRLF only),
 * removes dot-stuffing, refuses bare CR and bare LF, counts the size and the
 * Received: headers, and passes the message on in mbox form.  Pure: bytes
 * in, bytes out through a callback; the fuzz target drives it directly.
 *
 * Bare LF or bare CR anywhere in the data stops the reader with DOT_BARE:
 * the session then answers 421 and closes, since the client's idea of where
 * the message ends can no longer be trusted (SMTP smuggling). */
#ifndef SMTPD_DOTREADER_H
#define SMTPD_DOTREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mbox.h"

enum dot_status { DOT_MORE, DOT_DONE, DOT_BARE };

struct dotreader {
	int state;
	enum dot_status status;
	uint64_t size;		/* message octets as sent, dot-stuffing removed */
	uint64_t max;		/* beyond this nothing more is stored */
	bool too_big;
	bool nul;		/* a NUL byte was seen (RFC 5322 2.3 forbids it) */
	/* header analysis */
	bool in_header;
	unsigned hdr_col;	/* bytes seen of the current header line */
	bool hdr_match;		/* the line so far matches "Received:" */
	unsigned hops;
	struct quoter q;	/* wire lines in, mbox lines out */
};

void dotreader_init(struct dotreader *d, uint64_t max, emit_fn emit, void *arg);

/* Consume bytes; returns how many were used (input after the final "."
 * line is left for the command reader).  d->status tells what happened. */
size_t dotreader_feed(struct dotreader *d, const char *p, size_t n);

#endif
