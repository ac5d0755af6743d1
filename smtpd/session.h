/* One SMTP session: the state the command handlers share. */
#ifndef SMTPD_SESSION_H
#define SMTPD_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "limits.h"
#include "serve.h"
#include "smtp_opts.h"

/* Session states, as bits for the command table. */
enum {
	S_START = 1,		/* greeted, no HELO/EHLO yet */
	S_READY = 2,		/* HELO/EHLO done, no transaction */
	S_MAIL = 4,		/* MAIL accepted */
	S_RCPT = 8,		/* at least one RCPT accepted */
	S_ANY = 15,
};

struct smtp {
	struct session_conn conn;	/* conn.bad counts 5xx replies */
	const struct smtp_opts *opt;
	bool esmtp;			/* EHLO, not HELO */
	char helo[DOMAIN_MAX + 1];	/* sanitised, for the Received: header */
	bool authed;			/* AUTH succeeded: conn.user is set */
	/* the transaction */
	struct smtp_path from;
	char (*rcpt_users)[USER_NAME_MAX + 1];	/* distinct mailboxes, sorted */
	size_t nusers, cap_users;
	int nrcpt;			/* accepted RCPT commands */
	char first_rcpt[PATH_MAX_SMTP + 1];
	unsigned long messages;		/* delivered in this session */
	char line[LINE_MAX_CEILING + 1];
};

/* All output goes through reply(): it writes the line with CRLF, logs it in
 * a transcript, counts 5xx replies and ends the session at the limit. */
void reply(struct smtp *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line of a multi-line reply ("250-..."): not counted. */
void reply_more(struct smtp *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reply, flush and exit. */
void reply_close(struct smtp *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

void transaction_reset(struct smtp *s);

/* Command handlers (envelope.c, smtp_auth.c, data.c). */
void cmd_helo(void *s, char *args);
void cmd_ehlo(void *s, char *args);
void cmd_mail(void *s, char *args);
void cmd_rcpt(void *s, char *args);
void cmd_data(void *s, char *args);
void cmd_auth(void *s, char *args);

#endif
