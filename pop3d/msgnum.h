/* POP3's numeric arguments (RFC 1939): message numbers and TOP's line
 * count, read strictly (digits only: no sign, no space, no overflow).  Pure
 * functions of the text, apart from the replies, so that they can be
 * tested and fuzzed alone. */
#ifndef POP3D_MSGNUM_H
#define POP3D_MSGNUM_H

#include <stdbool.h>
#include <stdint.h>

enum msgnum_status {
	MSGNUM_OK,
	MSGNUM_EMPTY,		/* no argument */
	MSGNUM_SYNTAX,		/* a byte that is not a digit */
	MSGNUM_RANGE,		/* 0, or above nmsgs */
};

/* A message number in [1, nmsgs] into *n.  The digits are read only while
 * the number is in range: "99x" with 2 messages is out of range. */
enum msgnum_status msgnum_parse(const char *arg, uint32_t nmsgs, uint32_t *n);

/* TOP's line count: digits; a count too large to hold stays huge
 * (UINT64_MAX - 1, never UINT64_MAX, which means the whole message). */
bool msgnum_lines(const char *arg, uint64_t *lines);

#endif
