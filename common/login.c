#include "login.h"
#include "auth.h"
#include "deadline.h"
#include "failrec.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

bool login_offered(const struct session_conn *c)
{
	return c->cfg->tls || c->env.proxy_tls || c->cfg->plaintext_auth ||
	       startup_peer_loopback(&c->env);
}

/* The record's keys: the client's address (none for a pipe), and the name
 * tried, folded as the auth file folds it (none if it cannot be a user). */
static void record_keys(const struct startup *env, const char *user, size_t ulen,
			char *akey, char *ukey)
{
	char name[USER_NAME_MAX + 1];

	akey[0] = ukey[0] = '\0';
	if (strcmp(env->peer, "local") != 0)
		snprintf(akey, FAILREC_KEY_MAX, "a:%s", env->peer);
	if (auth_fold_name(user, ulen, name))
		snprintf(ukey, FAILREC_KEY_MAX, "u:%s", name);
}

enum login_result login_check(struct session_conn *c, const char *user, size_t ulen,
			      const char *pass, char *canon)
{
	const struct config *cfg = c->cfg;
	const struct startup *env = &c->env;
	char akey[FAILREC_KEY_MAX], ukey[FAILREC_KEY_MAX], esc[80];
	const char *keys[2] = { akey, ukey };
	time_t now = time(NULL);
	bool hold;

	record_keys(env, user, ulen, akey, ukey);
	hold = cfg->fail_max > 0 &&
	       failrec_count(env->spoolfd, keys, 2, cfg->fail_window, now) >= cfg->fail_max;
	/* A held login is not checked at all: guessing gains nothing. */
	if (!hold && auth_verify(user, ulen, pass, canon))
		return LOGIN_OK;
	c->auth_failures++;
	log_msg(LOG_NOTICE, "%s: authentication %s for '%s'", startup_peer_label(env),
		hold ? "refused (too many recent failures)" : "failed",
		log_escape(esc, sizeof esc, user, ulen));
	if (!hold && cfg->fail_max > 0 &&
	    failrec_add(env->spoolfd, keys, 2, cfg->fail_window, now) != 0)
		log_msg(LOG_ERR, "failure record %s: cannot update", FAILREC_FILE);
	sleep_ms((long)cfg->auth_delay_ms * c->auth_failures);
	if (c->auth_failures >= cfg->auth_fail_max)
		return LOGIN_CUTOFF;
	return hold ? LOGIN_HELD : LOGIN_FAILED;
}
