/* AUTH PLAIN and AUTH LOGIN (RFC 4954), with or without an initial
 * response; "*" cancels.  What a failure costs is common/login.c's rule. */
#include "session.h"

#include "ascii.h"
#include "auth.h"
#include "log.h"
#include "login.h"
#include "sasl.h"

#include <stdio.h>
#include <string.h>

/* Read one continuation line.  NULL after a cancel (already answered). */
static char *read_response(struct smtp *s, const char *prompt)
{
	static char line[AUTH_LINE_MAX + 1];
	enum lin_status st;

	reply(s, "334 %s", prompt);
	st = serve_secret_line(&s->conn, line, AUTH_LINE_MAX);
	if (st == LIN_TIMEOUT)
		reply_close(s, 1, "421 4.4.2 %s Error: timeout exceeded", s->conn.cfg->hostname);
	if (st == LIN_TOOLONG) {
		reply(s, "500 5.5.6 Authentication exchange line is too long");
		return NULL;
	}
	if (strcmp(line, "*") == 0) {
		reply(s, "501 5.0.0 Authentication cancelled");
		return NULL;
	}
	return line;
}

static void auth_result(struct smtp *s, const char *user, size_t ulen, const char *pass)
{
	char canon[USER_NAME_MAX + 1];

	switch (login_check(&s->conn, user, ulen, pass, canon)) {
	case LOGIN_OK:
		s->authed = true;
		strcpy(s->conn.user, canon);
		log_msg(LOG_INFO, "%s: authenticated as %s",
			startup_peer_label(&s->conn.env), canon);
		reply(s, "235 2.7.0 Authentication successful");
		break;
	case LOGIN_CUTOFF:
		reply_close(s, 1, "421 4.7.0 %s Too many authentication failures",
			    s->conn.cfg->hostname);
	case LOGIN_HELD:
		reply(s, "454 4.7.0 Too many failed logins, try again later");
		break;
	case LOGIN_FAILED:
		reply(s, "535 5.7.8 Authentication credentials invalid");
		break;
	}
}

static void auth_plain(struct smtp *s, char *initial)
{
	struct sasl_plain sp;
	char *resp = initial;

	if (!resp && !(resp = read_response(s, "")))
		return;
	if (!sasl_plain_read(resp, &sp)) {
		reply(s, "501 5.5.2 Cannot decode AUTH PLAIN response");
		return;
	}
	auth_result(s, sp.user, sp.user_len, sp.pass);
	explicit_bzero(&sp, sizeof sp);
}

static bool decode_field(struct smtp *s, const char *b64, char *dst, size_t dstsz)
{
	long n = base64_decode(b64, strlen(b64), dst, dstsz - 1);

	if (n < 0 || memchr(dst, '\0', (size_t)n)) {
		reply(s, "501 5.5.2 Cannot decode AUTH LOGIN response");
		return false;
	}
	dst[n] = '\0';
	return true;
}

static void auth_login(struct smtp *s, char *initial)
{
	char user[SASL_FIELD_MAX + 1], pass[SASL_FIELD_MAX + 1];
	char *resp = initial;

	if (!resp && !(resp = read_response(s, "VXNlcm5hbWU6")))	/* "Username:" */
		return;
	if (!decode_field(s, resp, user, sizeof user))
		return;
	if (!(resp = read_response(s, "UGFzc3dvcmQ6")))			/* "Password:" */
		return;
	if (!decode_field(s, resp, pass, sizeof pass))
		return;
	auth_result(s, user, strlen(user), pass);
	explicit_bzero(pass, sizeof pass);
}

void cmd_auth(void *v, char *args)
{
	struct smtp *s = v;
	char *initial = strchr(args, ' ');
	size_t mech;

	if (s->authed) {
		reply(s, "503 5.5.1 Error: already authenticated");
		return;
	}
	if (!login_offered(&s->conn)) {	/* RFC 4954 6 */
		reply(s, "538 5.7.11 Encryption required for requested authentication "
		      "mechanism, use port 465");
		return;
	}
	if (initial)
		*initial++ = '\0';
	mech = strlen(args);
	if (mech == 0) {
		reply(s, "501 5.5.4 Syntax: AUTH mechanism");
	} else if (ascii_ieq(args, mech, "PLAIN")) {
		auth_plain(s, initial);
	} else if (ascii_ieq(args, mech, "LOGIN")) {
		auth_login(s, initial);
	} else {
		reply(s, "504 5.5.4 Unrecognized authentication mechanism");
	}
}
