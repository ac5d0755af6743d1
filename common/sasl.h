/* SASL helpers shared by SMTP AUTH, POP3 AUTH and IMAP AUTHENTICATE:
 * strict base64 and the PLAIN message (RFC 4616). */
#ifndef FACTEUR_SASL_H
#define FACTEUR_SASL_H

#include <stdbool.h>
#include <stddef.h>

/* Decode base64 (RFC 4648, padding required, no white space) into dst of
 * dstsz bytes.  Returns the decoded length or -1 on bad input or overflow. */
long base64_decode(const char *src, size_t len, char *dst, size_t dstsz);

/* Encode into dst (NUL-terminated); returns false when dst is too small. */
bool base64_encode(const char *src, size_t len, char *dst, size_t dstsz);

#define SASL_FIELD_MAX 256

struct sasl_plain {
	char authzid[SASL_FIELD_MAX + 1];
	char user[SASL_FIELD_MAX + 1];
	char pass[SASL_FIELD_MAX + 1];
	size_t user_len;
};

/* Decode a base64 PLAIN response.  The authorization identity must be empty
 * or equal to the user (no proxy logins).  false on any malformation. */
bool sasl_plain_decode(const char *b64, size_t len, struct sasl_plain *out);

/* The same for a response as a client sends it (a C string), where "="
 * is the empty initial response (RFC 4954 4, RFC 5034 4, RFC 9051 6.2.2);
 * smtpd and pop3d read it so in a continuation line too. */
bool sasl_plain_read(const char *resp, struct sasl_plain *out);

#endif
