/* A message from fuzz bytes, stored as the store would hold it, for the
 * targets that read messages through the message library (message.h).
 *
 * The bytes are what a client sent (wire form, any line ends): the mbox
 * quoter turns them into mbox form, as smtpd and APPEND do, and they go
 * into an anonymous file after a From_ line, ended by a line end if they
 * lack one and by the blank separator, with another message after them (so
 * that a read past the end of the message shows).  mbox_scan() finds the
 * message as the index would; its msgsrc is what FETCH and SEARCH use. */
#ifndef FACTEUR_FUZZ_MBOXMSG_H
#define FACTEUR_FUZZ_MBOXMSG_H

#include "fuzz.h"

#include "mboxscan.h"
#include "message.h"

struct mboxmsg {
	int fd;
	struct mbox_msg scan;	/* what the index keeps */
	struct msgsrc src;	/* the message, as FETCH sees it */
};

/* Store p[0..n) as the message.  With `size_known` the msgsrc carries the
 * wire size (as the index has it), else 0 (the code counts it). */
void mboxmsg_store(struct mboxmsg *m, const void *p, size_t n, bool size_known);

/* The wire form of raw [start, end) of the file, and its size. */
uint64_t mboxmsg_wire(const struct mboxmsg *m, uint64_t start, uint64_t end,
		      struct fz_buf *wire);

#endif
