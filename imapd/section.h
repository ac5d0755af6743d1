/* BODY[section] (RFC 3501 6.4.5): the section-spec parsed, its name in the
 * response, its bytes located in a message parsed by the message library
 * and written, any window of them. */
#ifndef IMAPD_SECTION_H
#define IMAPD_SECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

struct lout;

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
