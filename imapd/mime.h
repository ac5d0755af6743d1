/* The structure of a message as IMAP shows it (RFC 3501 6.4.5, 7.4.2 over
 * RFC 2045/2046/5322): BODYSTRUCTURE, ENVELOPE and BODY[section].
 *
 * A message is a raw range of its mbox file (mboxrd, LF line ends, one extra
 * '>' on ^>+From lines); every size and offset IMAP reports is in the wire
 * form of that range (see mbox_to_wire).  The parser streams the file in
 * chunks and keeps only the parts' offsets and the MIME fields it needs, so
 * memory follows the number of parts, never the size of the message. */
#ifndef FACTEUR_MIME_H
#define FACTEUR_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

struct lout;

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
	uint64_t body_lines;		/* lines of the body, a last partial one included */
};

/* Parse the structure of a message.  NULL only on an allocation or read
 * failure: any content gives a tree (hostile input is normal input). */
struct mime_part *mime_parse(const struct msgsrc *m);
void mime_free(struct mime_part *p);

/* BODYSTRUCTURE when extended, BODY otherwise.  Encapsulated messages'
 * envelopes are read again from the file.  Returns 0, or -1 on a read
 * error (the output is then incomplete). */
int mime_write_bodystructure(struct lout *out, const struct mime_part *root,
			     bool extended);

/* ENVELOPE of the message's top-level header.  0, or -1 on a read error. */
int mime_write_envelope(struct lout *out, const struct msgsrc *m);

/* The part with the given part numbers (RFC 3501 6.4.5): n = 0 is the
 * message itself; part 1 of a non-multipart message is its body.  NULL when
 * there is no such part. */
const struct mime_part *mime_find(const struct mime_part *root,
				  const uint32_t *num, unsigned n);

/* ---- BODY[section] ---- */

#define SECTION_PARTS_MAX   (IMAP_MIME_DEPTH_MAX + 2)
#define SECTION_FIELDS_MAX  128		/* names in HEADER.FIELDS (...) */
#define SECTION_NAMES_SIZE  4096	/* their bytes, NULs included */
#define SECTION_SYNTH_MAX   (256 * 1024)	/* HEADER.FIELDS kept in memory */

enum section_text {
	SEC_BODY,		/* no text specifier: the whole message or part */
	SEC_HEADER,
	SEC_FIELDS,		/* HEADER.FIELDS */
	SEC_FIELDS_NOT,		/* HEADER.FIELDS.NOT */
	SEC_TEXT,
	SEC_MIME,
};

struct section {
	uint32_t part[SECTION_PARTS_MAX];
	unsigned nparts;
	enum section_text text;
	unsigned nfields;
	uint16_t field_off[SECTION_FIELDS_MAX];	/* into names, NUL-terminated */
	uint16_t field_len[SECTION_FIELDS_MAX];
	char names[SECTION_NAMES_SIZE];
};

struct section_data {
	bool exists;		/* false: no such part (the data is empty) */
	uint64_t start, end;	/* a raw range of the mbox ... */
	char *buf;		/* ... or bytes made in memory (HEADER.FIELDS) */
	size_t len;
	struct section *filter;	/* ... or, when those were too many, the
				 * header [start, end) filtered again on write */
	uint64_t wire_size;	/* bytes section_write produces in all */
};

/* Parse the bytes between "[" and "]".  Field names may be atoms, quoted
 * strings or literals ({n}CRLF...).  0, or -1 on bad syntax or a list over
 * the bounds above. */
int section_parse(const char *text, size_t len, struct section *s);

/* "BODY[...]" as it must appear in the FETCH response: keywords in upper
 * case, field names as the client gave them, each an astring. */
void section_write_name(struct lout *out, const struct section *s);

/* Locate the data.  Only sections with part numbers parse the MIME
 * structure; HEADER, HEADER.FIELDS, TEXT and the whole message read at most
 * the header.  0, or -1 on an allocation or read error. */
int section_resolve(const struct msgsrc *m, const struct section *s,
		    struct section_data *d);

/* The same with the structure of m parsed already (root from mime_parse;
 * NULL: parsed here when needed), for a FETCH of several parts. */
int section_resolve_parsed(const struct msgsrc *m, const struct mime_part *root,
			   const struct section *s, struct section_data *d);

/* Write the wire bytes [skip, skip + limit) of the data (UINT64_MAX: all).
 * 0, or -1 on a read error. */
int section_write(struct lout *out, const struct msgsrc *m,
		  const struct section_data *d, uint64_t skip, uint64_t limit);

void section_data_free(struct section_data *d);

#endif
