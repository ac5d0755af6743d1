/* sendmail -t: the recipients named in a message's To, Cc and Bcc fields
 * (RFC 5322 3.6.3), and the message without its Bcc fields.  The values
 * are read by the message library's address-list parser (message/address.h). */
#ifndef FACTEUR_HDRRCPT_H
#define FACTEUR_HDRRCPT_H

#include <stddef.h>

#define HDR_RCPT_MAX 1000	/* recipients taken from the header */
#define HDR_ADDR_MAX 256	/* RFC 5321 4.5.3.1.3: a path */

/* Adds the addr-spec of each mailbox in one field value to out (at most
 * HDR_RCPT_MAX in all; *n counts them).  Returns -1 when there would be
 * more, or an address is longer than HDR_ADDR_MAX. */
int hdr_address_list(const char *v, size_t len, char (*out)[HDR_ADDR_MAX + 1],
		     size_t *n);

/* Over the header of msg: recipients into out, Bcc fields cut out of msg
 * (*len shrinks).  -1 as above. */
int hdr_recipients(char *msg, size_t *len, char (*out)[HDR_ADDR_MAX + 1], size_t *n);

/* The address of a message's first line when it is "Return-Path: <addr>"
 * (what a server puts on top when it stores a message), else "". */
const char *hdr_return_path(const char *msg, size_t len, char *dst, size_t dstsz);

#endif
