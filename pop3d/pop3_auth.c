/* AUTHORIZATION: USER/PASS and AUTH PLAIN (RFC 5034).  Unknown users and
 * wrong passwords get the same answer after the same work and delay
 * (common/login.c has the failure rule).  A good login then takes the
 * maildrop's snapshot (maildrop.c). */
#include "session.h"

#include "auth.h"
#include "log.h"
#include "login.h"
#include "sasl.h"

#include <string.h>
#include <strings.h>

static void login(struct pop3 *p, const char *user, size_t ulen, const char *pass)
{
	char canon[USER_NAME_MAX + 1];
	uint64_t octets = 0;

	p->have_user = false;
	switch (login_check(&p->conn, user, ulen, pass, canon)) {
	case LOGIN_OK:
		break;
	case LOGIN_CUTOFF:
		reply_close(p, 1, "-ERR [AUTH] too many authentication failures");
	case LOGIN_HELD:
		err(p, "[AUTH] too many failed logins, try again later");
		return;
	case LOGIN_FAILED:
		err(p, "[AUTH] authentication failed");
		return;
	}
	strcpy(p->conn.user, canon);
	if (maildrop_open(&p->drop, p->conn.env.spoolfd, canon, p->conn.cfg->lock_timeout) != 0)
		reply_close(p, 1, "-ERR [SYS/TEMP] maildrop busy or unreadable, try again later");
	p->conn.state = P_TRANS;
	log_msg(LOG_INFO, "%s: login user=%s messages=%u", startup_peer_label(&p->conn.env),
		canon, p->drop.nmsgs);
	for (uint32_t i = 0; i < p->drop.nmsgs; i++)
		octets += p->drop.msgs[i].size;
	ok(p, "%s has %u messages (%llu octets)", canon, p->drop.nmsgs,
	   (unsigned long long)octets);
}

/* Dovecot's disable_plaintext_auth: no password in clear off loopback. */
static bool refuse_plaintext(struct pop3 *p)
{
	if (login_offered(&p->conn))
		return false;
	err(p, "[AUTH] Plaintext authentication disallowed on non-secure connections, "
	    "use pop3s (port 995)");
	return true;
}

void cmd_user(void *v, char *args)
{
	struct pop3 *p = v;
	size_t n = strlen(args);

	if (refuse_plaintext(p))
		return;
	/* Any name is accepted here, so USER tells nothing about who exists. */
	if (n == 0 || n > USER_NAME_MAX || strchr(args, ' ')) {
		p->have_user = false;
		err(p, "usage: USER name");
		return;
	}
	memcpy(p->user_arg, args, n + 1);
	p->have_user = true;
	ok(p, "send PASS");
}

void cmd_pass(void *v, char *args)
{
	struct pop3 *p = v;

	if (refuse_plaintext(p))
		return;
	if (!p->have_user) {
		err(p, "USER first");
		return;
	}
	/* RFC 1939 7: the password may contain spaces; it is the rest of the line. */
	login(p, p->user_arg, strlen(p->user_arg), args);
}

void cmd_auth(void *v, char *args)
{
	struct pop3 *p = v;
	struct sasl_plain sp;
	char *mech = args, *resp = strchr(args, ' ');

	if (refuse_plaintext(p))
		return;
	if (*args == '\0') {	/* a common probe: list the mechanisms */
		ok(p, "mechanisms follow");
		multi_line(p, "PLAIN");
		multi_end(p);
		return;
	}
	if (resp)
		*resp++ = '\0';
	if (strcasecmp(mech, "PLAIN") != 0) {
		err(p, "unsupported authentication mechanism");
		return;
	}
	if (!resp) {
		lout_puts(&p->conn.out, "+ \r\n");
		if (!(resp = read_line(p, AUTH_LINE_MAX, true)))
			return;
		if (strcmp(resp, "*") == 0) {
			err(p, "authentication cancelled");
			return;
		}
	}
	if (!sasl_plain_read(resp, &sp)) {
		err(p, "invalid AUTH PLAIN response");
		return;
	}
	login(p, sp.user, sp.user_len, sp.pass);
	explicit_bzero(&sp, sizeof sp);
}
