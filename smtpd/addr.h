/* RFC 5321 4.1.2 paths: "<" [route ":"] local "@" domain ">", the null path
 * "<>", and the ESMTP parameters that may follow.  Pure functions over a
 * buffer: no I/O, easy to test and to fuzz. */
#ifndef SMTPD_ADDR_H
#define SMTPD_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "limits.h"

enum addr_status {
	ADDR_OK,
	ADDR_SYNTAX,		/* not a path */
	ADDR_TOO_LONG,		/* a part over its RFC 5321 4.5.3.1 limit */
	ADDR_8BIT,		/* non-ASCII without SMTPUTF8 */
};

struct smtp_path {
	bool null;			/* "<>" */
	bool routed;			/* a source route was given (and ignored) */
	bool quoted;			/* the local part was a quoted string */
	char local[LOCAL_PART_MAX + 1];	/* unquoted */
	char domain[DOMAIN_MAX + 1];
	char mailbox[PATH_MAX_SMTP + 1];/* as written, route dropped, no <> */
};

/* Parse a path at the start of s[0..len).  *used is set to the bytes taken. */
enum addr_status addr_parse_path(const char *s, size_t len, struct smtp_path *p,
				 size_t *used);

/* Iterate "KEY[=VALUE]" parameters separated by spaces.  Returns 1 with
 * key/value (value may be empty) set, 0 at the end, -1 on bad syntax.
 * *pos advances through s.  Keys and values point into s (not terminated). */
int addr_next_param(const char *s, size_t len, size_t *pos,
		    const char **key, size_t *klen,
		    const char **val, size_t *vlen);

/* Envelope sender as it goes in an mbox From_ line: one token, printable,
 * no spaces; "MAILER-DAEMON" for the null path. */
void addr_from_token(const struct smtp_path *p, char *dst, size_t dstsz);

#endif
