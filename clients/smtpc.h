/* The SMTP side of a client: greeting, EHLO with a fall back to HELO on
 * 500/502 (servers that answer EHLO so, like the course's V2), AUTH
 * PLAIN/LOGIN, the envelope, and DATA with the message turned to wire form
 * (CRLF line ends, dot-stuffing, a last line end added when missing).
 * Reply codes are returned; broken replies and lost connections exit. */
#ifndef FACTEUR_SMTPC_H
#define FACTEUR_SMTPC_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "smtpreply.h"

struct smtp {
	struct conn c;
	struct ehlo ehlo;	/* empty after a HELO */
	struct smtp_reply r;	/* the last reply */
};

void smtp_open(struct smtp *s, const struct copts *o, const char *helo);
/* Exit EX_NOPERM when the server refuses, EX_UNAVAILABLE when it offers
 * neither mechanism. */
void smtp_auth(struct smtp *s, const char *user, const char *pass);
int smtp_mail(struct smtp *s, const char *from, const char *msg, size_t len);
int smtp_rcpt(struct smtp *s, const char *to);
/* DATA, the message, "."; the code of the reply after the dot (or of the
 * refused DATA). */
int smtp_data(struct smtp *s, const char *msg, size_t len);
void smtp_quit(struct smtp *s);

/* The message's size in wire form. */
size_t smtp_wire_size(const char *msg, size_t len);

/* sysexits.h status for a reply code: 0 for 2xx/3xx, EX_TEMPFAIL for 4xx,
 * EX_NOUSER for 5xx to RCPT, EX_UNAVAILABLE for other 5xx. */
int smtp_status(int code, bool rcpt);

#endif
