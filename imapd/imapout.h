/* IMAP string output (RFC 3501 4.3, 9): every string the server sends that
 * comes from a message or a client goes through here, so that quoting,
 * escaping and the choice of a literal are decided in one place. */
#ifndef FACTEUR_IMAPOUT_H
#define FACTEUR_IMAPOUT_H

#include <stdbool.h>
#include <stddef.h>

struct lout;

/* Longest string sent quoted; longer ones go out as literals. */
#define IMAP_QUOTED_MAX 1024

/* True when s can be sent as a quoted string: 7-bit, no NUL, CR or LF, not
 * too long. */
bool imap_quotable(const char *s, size_t n);

/* ASTRING-CHAR (RFC 3501 9): ATOM-CHAR or "]".  Inline and without strchr:
 * header field names and flags go through it a byte at a time. */
static inline bool imap_astring_char(unsigned char c)
{
	switch (c) {
	case '(': case ')': case '{': case '%': case '*': case '"': case '\\':
		return false;
	default:
		return c > 0x20 && c < 0x7f;
	}
}

/* True when s is a non-empty atom made of ASTRING-CHARs. */
bool imap_atomic(const char *s, size_t n);

/* string: quoted ("\"" and "\\" escaped) or a literal {n}CRLF...  NUL bytes,
 * which IMAP cannot carry at all, are sent as spaces. */
void imap_write_string(struct lout *out, const char *s, size_t n);

/* nstring: NIL when s is NULL, else a string. */
void imap_write_nstring(struct lout *out, const char *s, size_t n);

/* astring: a bare atom when possible, else a string. */
void imap_write_astring(struct lout *out, const char *s, size_t n);

/* nstring of a NUL-terminated string (NULL gives NIL). */
void imap_write_nstr(struct lout *out, const char *s);

#endif
