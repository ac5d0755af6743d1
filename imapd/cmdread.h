/* Reading one IMAP command: its lines and literals (RFC 3501 4.3, RFC 7888
 * LITERAL+), under the limits of limits.h, before anything is parsed.
 *
 * A command is kept as segments: the text of each line (without CRLF) and
 * the bytes of each literal.  A literal larger than the literal limit is
 * accepted only as APPEND's message: it goes, converted to mbox form, into
 * a message buffer (memory, then a temporary file) instead of memory. */
#ifndef IMAPD_CMDREAD_H
#define IMAPD_CMDREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

#define TAG_MAX 64
#define CMD_SEGS_MAX (2 * IMAP_LITERALS_MAX + 1)

struct seg {
	size_t off, len;	/* in cmd->data */
	bool literal;
	bool big;		/* the message literal: its bytes are in cmd->msg */
};

struct msgbuf;

struct cmd {
	char *data;
	size_t len, cap;
	struct seg seg[CMD_SEGS_MAX];
	unsigned nseg;
	unsigned nliterals;
	char tag[TAG_MAX + 1];
	bool append;		/* the command is APPEND */
	struct msgbuf *msg;	/* APPEND's message when it was big */
	uint64_t msg_size;	/* its size on the wire */
};

enum cmd_status {
	CMD_OK,
	CMD_REFUSED,		/* answered already (BAD/NO); read the next one */
	CMD_CLOSE,		/* answered with BYE: the session must end */
};

struct imap;

/* A literal announced at the end of a line of len bytes: "{n}" or "{n+}"
 * (sync false).  A number too large to hold stays over every limit. */
bool literal_marker(const char *line, size_t len, uint64_t *n, bool *sync);

/* Read the next command.  Timeouts and a lost client end the process. */
enum cmd_status cmd_read(struct imap *s, struct cmd *c);
void cmd_reset(struct cmd *c);

#endif
