/* POP3 replies (RFC 1939 3): a status line "+OK ..." or "-ERR ...", and
 * multi-line data ended by "." alone, with a leading "." stuffed. */
#ifndef FACTEUR_POP3REPLY_H
#define FACTEUR_POP3REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "climits.h"

/* 1 for +OK, 0 for -ERR, -1 for anything else. */
int pop3_status(const char *line, size_t len);

/* A data line: true when it is the terminating ".", else *out and *outlen are
 * the line with its stuffed dot removed. */
bool pop3_data_line(const char *line, size_t len, const char **out, size_t *outlen);

/* A listing line "N VALUE" (LIST, UIDL): false when N is not a message
 * number or VALUE is not 1 to vmax bytes of printable ASCII. */
bool pop3_list_line(const char *line, size_t len, uint32_t *num, char *value,
		    size_t vmax);

/* Read data lines through ".", giving each (unstuffed, with "\n") to emit.
 * More than max bytes is C_TOOLONG; a listing (listing true) longer than
 * c->lines_max lines is C_TOOMANY; emit's failure is C_ERROR. */
typedef int (*pop3_emit)(void *arg, const char *p, size_t n);
enum cst pop3_read_data(struct conn *c, pop3_emit emit, void *arg, uint64_t max,
			bool listing);

#endif
