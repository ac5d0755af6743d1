/* The message library: the MIME structure of a message (RFC 2045, 2046,
 * 5322), parsed; what a protocol shows of it (IMAP's BODYSTRUCTURE,
 * ENVELOPE, BODY[section]) is written by the protocol's own code.  The
 * other public headers: address.h (RFC 5322 address lists), msgsearch.h
 * (substring search and the Date: field); msgparse.h has the building
 * blocks (line reader, header fields, lexer, decoders).
 *
 * A message is a raw range of its mbox file (mboxrd, LF line ends, one extra
 * '>' on ^>+From lines); every size and offset IMAP reports is in the wire
 * form of that range (see mbox_to_wire).  The parser streams the file in
 * chunks and keeps only the parts' offsets and the MIME fields it needs, so
 * memory follows the number of parts, never the size of the message. */
#ifndef FACTEUR_MESSAGE_H
#define FACTEUR_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* A message: the raw content range (no From_ line) of an mbox file. */
struct msgsrc {
	int fd;
	uint64_t start, end;
	uint32_t hdr_len;	/* raw header with the blank line that ends it */
	uint64_t wire_size;	/* wire size of [start, end) when known (the
				 * index has it), else 0: saves a counting pass */
};

/* Bounds of what one part may keep (the whole header is never kept). */
#define MIME_FIELD_MAX     (8 * 1024)	/* one MIME field, unfolded */
#define MIME_KEEP_MAX      (4L * 1024 * 1024)	/* all kept fields, one message */
#define MIME_PARAMS_MAX    64		/* parameters of one field */
#define MIME_LANGS_MAX     32		/* tags in Content-Language */
#define MIME_BOUNDARY_MAX  200		/* RFC 2046 5.1.1 says 70 */

struct mime_param {
	char *name;		/* upper case */
	char *value;
};

enum mime_kind {
	MIME_LEAF,		/* a body, or a container past the limits */
	MIME_MULTIPART,		/* children are the body parts */
	MIME_MESSAGE,		/* message/rfc822: child is the message, NULL
				 * when it is not parsed (encoded, too deep) */
};

struct mime_part {
	struct mime_part *parent, *child, *next;
	unsigned nchildren;
	enum mime_kind kind;
	unsigned depth;		/* 0 for the message itself */
	int fd;
	char *type, *subtype;	/* upper case, never NULL */
	struct mime_param *params;
	unsigned nparams;
	char *id, *description, *encoding, *md5, *location;	/* NULL: absent */
	char *disposition;	/* upper case; NULL: absent */
	struct mime_param *dparams;
	unsigned ndparams;
	char **language;
	unsigned nlanguage;
	/* Raw offsets in the mbox: header [hdr_off, body_off), body
	 * [body_off, end).  The line end before a boundary belongs to the
	 * boundary, not to the part. */
	uint64_t hdr_off, body_off, end;
	uint64_t hdr_wire, body_wire;	/* sizes as clients see them */
	uint64_t body_lines;		/* line ends in the body (the one before
					 * a delimiter is not in it); at the end
					 * of the message a last partial line
					 * counts too */
};

/* Parse the structure of a message.  NULL only on an allocation or read
 * failure: any content gives a tree (hostile input is normal input). */
struct mime_part *mime_parse(const struct msgsrc *m);
void mime_free(struct mime_part *p);

/* The part with the given part numbers (RFC 3501 6.4.5): n = 0 is the
 * message itself; part 1 of a non-multipart message is its body, and part 1
 * of any other leaf is the leaf (once: a bounce's message/delivery-status
 * part 2 is also 2.1, but 2.1.1 is nothing, as Dovecot answers).  NULL
 * when there is no such part. */
const struct mime_part *mime_find(const struct mime_part *root,
				  const uint32_t *num, unsigned n);

#endif
