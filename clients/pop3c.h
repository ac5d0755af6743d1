/* The POP3 side of a client: greeting, login (SASL PLAIN when the server
 * offers it, else USER/PASS), the listing with UIDLs, RETR/TOP, DELE and
 * QUIT.  Errors end the program with a sysexits.h status; nothing is
 * deleted on the server unless QUIT is answered +OK (RFC 1939 6). */
#ifndef FACTEUR_POP3C_H
#define FACTEUR_POP3C_H

#include <stdbool.h>
#include <stdint.h>

#include "climits.h"
#include "conn.h"
#include "pop3reply.h"

struct pop3_msg {
	uint32_t num;
	uint64_t size;
	char uidl[UIDL_MAX + 1];	/* "" when the server has no UIDL */
};

struct pop3 {
	struct conn c;
	size_t size_max;
	bool sasl_plain;	/* CAPA lists SASL PLAIN */
	struct pop3_msg *msgs;
	size_t n;
};

void pop3_open(struct pop3 *p, const struct copts *o);
void pop3_login(struct pop3 *p, const char *user, const char *pass);
/* LIST, then UIDL (an error when need_uidl and the server has none). */
void pop3_list(struct pop3 *p, bool need_uidl);
const struct pop3_msg *pop3_find(const struct pop3 *p, uint32_t num);
/* RETR (lines < 0) or TOP num lines, the message in local form (LF line
 * ends) to emit.  false when the server answers -ERR. */
bool pop3_fetch(struct pop3 *p, uint32_t num, long lines, pop3_emit emit, void *arg);
bool pop3_dele(struct pop3 *p, uint32_t num);
/* QUIT; exit EX_TEMPFAIL when the server does not confirm it. */
void pop3_quit(struct pop3 *p);

#endif
