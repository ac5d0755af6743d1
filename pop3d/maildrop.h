/* The maildrop: INBOX as one POP3 session sees it.  The store's side of
 * pop3d: it returns results and writes no reply (transaction.c and
 * pop3_auth.c say them in POP3). */
#ifndef POP3D_MAILDROP_H
#define POP3D_MAILDROP_H

#include <stdbool.h>
#include <stdint.h>

#include "lineio.h"
#include "mailbox.h"

/* A message as the session sees it: numbered from the login snapshot. */
struct drop_msg {
	uint32_t uid;
	uint64_t size;			/* octets RETR sends, before dot-stuffing */
	bool deleted;
};

struct maildrop {
	struct mailbox mb;
	uint32_t uidvalidity;
	struct drop_msg *msgs;
	uint32_t nmsgs;
};

/* Take the snapshot of user's INBOX: 0, or -1 (logged) when it cannot be
 * read now. */
int maildrop_open(struct maildrop *d, int spoolfd, const char *user, int lock_timeout);

/* Message `arg` (a number from 1) of the snapshot into *m, or why not. */
enum drop_find {
	DROP_FOUND,
	DROP_NO_NUMBER,			/* no argument */
	DROP_BAD_NUMBER,		/* not digits */
	DROP_NO_SUCH,			/* 0 or above nmsgs */
	DROP_DELETED,			/* marked by DELE */
};
enum drop_find maildrop_msg(struct maildrop *d, const char *arg, struct drop_msg **m);

/* Where message m's bytes are now: the header and `lines` body lines (all
 * of them when lines is UINT64_MAX).  False when it is gone (another
 * session's QUIT, an IMAP expunge). */
struct drop_span {
	uint64_t start, end;
	bool ends_in_lf;		/* else the copy adds a line end */
};
bool maildrop_span(struct maildrop *d, const struct drop_msg *m, uint64_t lines,
		   struct drop_span *sp);
/* Copy a span to the client in wire form (CRLF, dot-stuffed); 0 or -1. */
int maildrop_copy(struct maildrop *d, const struct drop_span *sp, struct lout *out);

/* QUIT in TRANSACTION: remove the messages this session marked deleted and
 * that are still there, atomically; *left is what stays.  False (logged)
 * when nothing could be removed. */
bool maildrop_update(struct maildrop *d, const char *user, uint32_t *left);
void maildrop_close(struct maildrop *d);

#endif
