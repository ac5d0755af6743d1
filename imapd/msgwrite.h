/* IMAP's view of a parsed message (RFC 3501 7.4.2): BODYSTRUCTURE, BODY and
 * ENVELOPE, written from what the message library parsed. */
#ifndef IMAPD_MSGWRITE_H
#define IMAPD_MSGWRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "message.h"

struct lout;

/* BODYSTRUCTURE when extended, BODY otherwise.  Encapsulated messages'
 * envelopes are read again from the file.  Returns 0, or -1 on a read
 * error (the output is then incomplete). */
int mime_write_bodystructure(struct lout *out, const struct mime_part *root,
			     bool extended);

/* ENVELOPE of the message's top-level header.  0, or -1 on a read error. */
int mime_write_envelope(struct lout *out, const struct msgsrc *m);

/* The envelope of the header [start, hdr_end) of the file fd. */
int mime_envelope_raw(struct lout *out, int fd, uint64_t start, uint64_t hdr_end);

/* An envelope of NILs, for a message that is not parsed. */
void mime_envelope_raw_nil(struct lout *out);

#endif
