/* What SEARCH needs from a message's contents (RFC 3501 6.4.4): substring
 * tests on header fields, the body and the whole text, and the Date: field.
 * Everything streams the file with bounded memory. */
#ifndef FACTEUR_MSGSEARCH_H
#define FACTEUR_MSGSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "message.h"

/* Longest header field compared (unfolded); the rest of a longer one is not. */
#define SEARCH_FIELD_MAX (64 * 1024)

/* Matching is a case-insensitive substring test (ASCII and Latin-1 letters
 * folded) of the needle's bytes against the text as UTF-8.  Header values
 * are unfolded (RFC 5322 2.2.3), their RFC 2047 encoded words decoded and
 * every run of white space in them read as one space (as Dovecot compares
 * them: "is\r\n\tfolded" contains "is folded"); text bodies are
 * decoded from base64 or quoted-printable and from ISO-8859-1/15 or
 * windows-1252 (other charsets are compared as they are).  CRs are ignored
 * on both sides, so line breaks compare alike however they are stored.  An
 * empty needle matches anything.  Read errors count as no match. */

/* A field named `field` (any field when NULL) whose value contains the
 * needle; with an empty needle, whether such a field exists. */
bool msg_header_contains(const struct msgsrc *m, const char *field,
			 const char *needle, size_t n);

/* The same for an address field (From, To, Cc, Bcc, ...): the value is
 * compared as msg_addr_list_write() writes it (address.h), so comments and
 * folding white space inside an address do not hide it:
 * `<user (c)@ (c) example.org>` contains "user@example.org". */
bool msg_address_contains(const struct msgsrc *m, const char *field,
			  const char *needle, size_t n);

/* The body: the text parts of the message, preambles and epilogues,
 * non-text parts and the headers of encapsulated messages not. */
bool msg_body_contains(const struct msgsrc *m, const char *needle, size_t n);

/* The header or the body, the MIME headers of the body's parts and the
 * headers of encapsulated messages. */
bool msg_text_contains(const struct msgsrc *m, const char *needle, size_t n);

/* The Date: field (RFC 5322 3.3 with the obsolete forms of 4.3) as a time;
 * -1 when there is none or it cannot be read. */
int msg_sent_date(const struct msgsrc *m, time_t *t);

/* The same, with the field's own zone in minutes east of UTC: SENTON and
 * friends compare the date "disregarding time and timezone", that is the
 * calendar date at t + zone. */
int msg_sent_date_zone(const struct msgsrc *m, time_t *t, int *zone);

/* The date parser itself, for a field value. */
int msg_parse_date(const char *s, size_t n, time_t *t, int *zone);

#endif
