/* LOGIN and AUTHENTICATE PLAIN (RFC 3501 6.2, RFC 4959 SASL-IR).  Unknown
 * users and wrong passwords get the same answer after the same work and
 * delay (common/login.c has the failure rule). */
#include "session.h"

#include "auth.h"
#include "log.h"
#include "login.h"
#include "sasl.h"
#include "spool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void login(struct imap *s, const char *user, size_t ulen, const char *pass)
{
	char canon[USER_NAME_MAX + 1];

	switch (login_check(&s->conn, user, ulen, pass, canon)) {
	case LOGIN_OK:
		break;
	case LOGIN_CUTOFF:
		bye(s, 1, "Too many authentication failures");
	case LOGIN_HELD:
		tagged(s, "NO", "[UNAVAILABLE] Too many failed logins, try again later");
		return;
	case LOGIN_FAILED:
		tagged(s, "NO", "[AUTHENTICATIONFAILED] Authentication failed");
		return;
	}
	s->userfd = spool_user_dir(s->conn.env.spoolfd, canon, true);
	if (s->userfd < 0) {
		log_msg(LOG_ERR, "%s: user directory: %s", canon, strerror(errno));
		tagged(s, "NO", "[UNAVAILABLE] Mail store unavailable, try again later");
		return;
	}
	strcpy(s->conn.user, canon);
	s->conn.state = I_AUTH;
	log_msg(LOG_INFO, "%s: login user=%s", startup_peer_label(&s->conn.env), canon);
	tagged(s, "OK", "[CAPABILITY %s] Logged in", capabilities());
}

const char *session_capabilities(const struct imap *s)
{
	static char buf[256];
	const char *all = capabilities(), *at = strstr(all, "AUTH=PLAIN");

	if (s->conn.state != I_NOTAUTH || login_offered(&s->conn) || !at)
		return all;
	snprintf(buf, sizeof buf, "%.*sLOGINDISABLED%s", (int)(at - all), all,
		 at + strlen("AUTH=PLAIN"));
	return buf;
}

/* RFC 3501 6.2.3, RFC 5530 PRIVACYREQUIRED: no password in clear. */
static bool refuse_plaintext(struct imap *s)
{
	if (login_offered(&s->conn))
		return false;
	tagged(s, "NO", "[PRIVACYREQUIRED] Plaintext authentication disallowed "
	       "on non-secure connections, use imaps (port 993)");
	return true;
}

void cmd_login(struct imap *s)
{
	char pass[SASL_FIELD_MAX + 1];
	struct str u, p;

	if (refuse_plaintext(s))
		return;
	if (!tok_sp(&s->tok) || !tok_astring(&s->tok, &u) || !tok_sp(&s->tok) ||
	    !tok_astring(&s->tok, &p) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!str_copy(&p, pass, sizeof pass) || memchr(u.p, '\0', u.n)) {
		tagged(s, "NO", "[AUTHENTICATIONFAILED] Authentication failed");
		return;
	}
	login(s, u.p, u.n, pass);
	explicit_bzero(pass, sizeof pass);
}

/* The client's response to "+ ": one line, or NULL when cancelled (BAD sent). */
static const char *continuation(struct imap *s)
{
	static char line[AUTH_LINE_MAX + 1];
	enum lin_status st;

	lout_puts(&s->conn.out, "+ \r\n");
	st = serve_secret_line(&s->conn, line, AUTH_LINE_MAX);
	if (st == LIN_TIMEOUT)
		bye(s, 1, "Autologout; idle for too long");
	if (st == LIN_TOOLONG) {
		tagged(s, "BAD", "[TOOBIG] Authentication response too long");
		return NULL;
	}
	if (strcmp(line, "*") == 0) {
		tagged(s, "BAD", "Authentication cancelled");
		return NULL;
	}
	return line;
}

void cmd_authenticate(struct imap *s)
{
	struct sasl_plain sp;
	struct str mech, ir;
	const char *resp;
	char initial[AUTH_LINE_MAX + 1];

	if (refuse_plaintext(s))
		return;
	if (!tok_sp(&s->tok) || !tok_atom(&s->tok, &mech)) {
		bad_syntax(s);
		return;
	}
	if (!str_ieq(&mech, "PLAIN")) {
		tagged(s, "NO", "[CANNOT] Unsupported authentication mechanism");
		return;
	}
	if (tok_sp(&s->tok)) {			/* SASL-IR */
		if (!tok_atom(&s->tok, &ir) || !str_copy(&ir, initial, sizeof initial)) {
			bad_syntax(s);
			return;
		}
		resp = initial;
	} else if (!(resp = continuation(s))) {
		return;
	}
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!sasl_plain_read(resp, &sp)) {
		tagged(s, "BAD", "[CLIENTBUG] Invalid AUTHENTICATE PLAIN response");
		return;
	}
	login(s, sp.user, sp.user_len, sp.pass);
	explicit_bzero(&sp, sizeof sp);
}
