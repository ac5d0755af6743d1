/* SMTP replies (RFC 5321 4.2): one line "ddd text", or several "ddd-text"
 * ending with "ddd text", all with the same code; and the EHLO keywords the
 * client acts on. */
#ifndef FACTEUR_SMTPREPLY_H
#define FACTEUR_SMTPREPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"

#define SMTP_TEXT_MAX 1024	/* reply text kept for messages */

struct ehlo {
	bool size;		/* SIZE advertised */
	uint64_t size_max;	/* its value, 0 when none */
	bool eightbit;		/* 8BITMIME */
	bool auth_plain, auth_login;
};

struct smtp_reply {
	int code;
	char text[SMTP_TEXT_MAX];	/* the lines, joined by " / " */
	long lines;
	struct ehlo ehlo;		/* keywords found in the lines */
};

/* One line: 1 when it is the last of its reply, 0 when more follow, -1
 * when it is not a reply line.  *code is its code. */
int smtp_reply_line(const char *line, size_t len, int *code);

/* An EHLO line's keyword (text after "250-" or "250 "), into e. */
void smtp_ehlo_keyword(const char *kw, size_t len, struct ehlo *e);

/* Read a whole reply: C_OK, C_BAD (malformed or mixed codes), C_TOOMANY
 * (more than c->lines_max lines), or a line error. */
enum cst smtp_read_reply(struct conn *c, struct smtp_reply *r);

#endif
