/* The IMAP side of a client: greeting, capabilities (asked for when the
 * greeting does not list them), LOGIN (or AUTHENTICATE PLAIN when
 * LOGINDISABLED: the response on the command line with SASL-IR, after the
 * server's "+" without), and tagged commands whose untagged responses, in
 * any order, go to a handler. */
#ifndef FACTEUR_IMAPC_H
#define FACTEUR_IMAPC_H

#include <stdbool.h>

#include "conn.h"
#include "imapresp.h"

struct imap {
	struct conn c;
	size_t size_max;
	unsigned tag;
	bool preauth;
	bool logout;		/* LOGOUT sent: a BYE is no error */
	bool caps_known;	/* a capability list has been read */
	bool uidplus, logindisabled, auth_plain, sasl_ir;
	struct imap_resp r;
};

/* Called with each untagged response, the lexer just past "*". */
typedef void (*imap_untagged)(void *arg, struct imap_lex *l, struct imap_tok first);

void imap_open(struct imap *m, const struct copts *o);
void imap_login(struct imap *m, const char *user, const char *pass);
/* Send a command; 'O', 'N' or 'B' for the tagged OK, NO or BAD. */
char imap_cmd(struct imap *m, imap_untagged fn, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void imap_logout(struct imap *m);
/* A quoted string for a command; exit EX_USAGE if s holds CR, LF or NUL. */
const char *imap_quote(const char *s, char *dst, size_t dstsz);

#endif
