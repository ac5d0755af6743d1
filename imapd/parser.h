/* The IMAP tokenizer (RFC 3501 9): atoms, quoted strings, literals, numbers,
 * sequence sets, over a command read by cmdread.c.  Pure functions of the
 * command's bytes: what the fuzz target drives. */
#ifndef IMAPD_PARSER_H
#define IMAPD_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "limits.h"

struct cmd;

/* A token's bytes: into the command, or into the scratch area when a quoted
 * string had to be unescaped.  Not NUL-terminated. */
struct str {
	const char *p;
	size_t n;
};

struct tok {
	const struct cmd *c;
	unsigned seg;		/* current segment (always a text one) */
	size_t pos;		/* offset in it */
	char *scratch;		/* unescaped strings */
	size_t used, cap;
	bool big;		/* the last string was APPEND's big literal */
};

/* "*" in a set: 0 is no valid number, so it cannot be confused with one. */
#define SEQ_STAR 0

/* Ranges as written: either end may be SEQ_STAR and lo may exceed hi
 * ("*:1"); seqset_range() resolves them. */
struct seqset {
	uint32_t lo[IMAP_SEQSET_MAX], hi[IMAP_SEQSET_MAX];
	unsigned n;
};

/* Range r with "*" replaced by `star` (the largest number or UID in use),
 * ordered so that *lo <= *hi. */
void seqset_range(const struct seqset *set, unsigned r, uint32_t star,
		  uint32_t *lo, uint32_t *hi);
bool seqset_contains(const struct seqset *set, uint32_t n, uint32_t star);

int tok_init(struct tok *t, const struct cmd *c);
void tok_free(struct tok *t);

bool tok_end(const struct tok *t);		/* nothing left */
int tok_peek(const struct tok *t);		/* next byte, or -1 */
bool tok_char(struct tok *t, char c);		/* consume c if next */
bool tok_sp(struct tok *t);
bool tok_word(struct tok *t, const char *w);	/* an atom equal to w, any case */

bool tok_atom(struct tok *t, struct str *out);		/* 1*ATOM-CHAR */
bool tok_tag(struct tok *t, struct str *out);		/* 1*<ASTRING-CHAR except "+"> */
bool tok_string(struct tok *t, struct str *out);	/* quoted / literal */
bool tok_astring(struct tok *t, struct str *out);	/* 1*ASTRING-CHAR / string */
bool tok_nstring(struct tok *t, struct str *out, bool *nil);
/* list-mailbox: atom-like with "%" and "*" allowed, or a string. */
bool tok_list_mailbox(struct tok *t, struct str *out);
/* A flag: "\" atom or atom (keyword); "\*" when star_ok. */
bool tok_flag(struct tok *t, struct str *out, bool star_ok);
bool tok_number(struct tok *t, uint32_t *n);		/* 0 .. 2^32-1 */
bool tok_nz_number(struct tok *t, uint32_t *n);
bool tok_number64(struct tok *t, uint64_t *n);
bool tok_seqset(struct tok *t, struct seqset *set);
/* date-time: "dd-Mon-yyyy hh:mm:ss +zzzz" (quoted) -> Unix time. */
bool tok_date_time(struct tok *t, time_t *when);
/* date: d-Mon-yyyy, bare or quoted -> midnight UTC of that day. */
bool tok_date(struct tok *t, time_t *day);

/* Copy a token as a C string; false when it has a NUL or is too long. */
bool str_copy(const struct str *s, char *dst, size_t dstsz);
bool str_ieq(const struct str *s, const char *w);

#endif
