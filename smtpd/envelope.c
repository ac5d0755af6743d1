/* HELO/EHLO, MAIL and RCPT: who is talking, who sends, who receives.
 * Each command is checked by a pure function first (check_*), then acted on;
 * the checks are what the fuzz targets exercise. */
#include "envelope.h"
#include "session.h"

#include "ascii.h"
#include "auth.h"
#include "log.h"
#include "login.h"
#include "senders.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The HELO name as it goes into Received: one token of safe characters. */
void helo_sanitize(const char *arg, char *dst, size_t dstsz)
{
	size_t o = 0;

	for (const char *p = arg; *p && *p != ' ' && o + 1 < dstsz; p++) {
		unsigned char c = (unsigned char)*p;
		dst[o++] = (isalnum(c) || strchr(".-:[]_", c)) ? (char)c : '_';
	}
	if (o == 0)
		snprintf(dst, dstsz, "%s", "unknown");
	else
		dst[o] = '\0';
}

static void greet(struct smtp *s, char *args, bool esmtp)
{
	if (*args == '\0' || *args == ' ') {
		reply(s, esmtp ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname");
		return;
	}
	helo_sanitize(args, s->helo, sizeof s->helo);
	s->esmtp = esmtp;
	transaction_reset(s);
	s->conn.state = S_READY;
}

void cmd_helo(void *v, char *args)
{
	struct smtp *s = v;

	greet(s, args, false);
	if (s->conn.state == S_READY)
		reply(s, "250 %s", s->conn.cfg->hostname);
}

void cmd_ehlo(void *v, char *args)
{
	struct smtp *s = v;

	if (s->opt->legacy_helo) {
		reply(s, "502 5.5.1 Command not implemented");
		return;
	}
	greet(s, args, true);
	if (s->conn.state != S_READY)
		return;
	reply_more(s, "250 %s Hello %s %s", s->conn.cfg->hostname, s->helo,
		   startup_peer_label(&s->conn.env));
	reply_more(s, "250 PIPELINING");
	reply_more(s, "250 SIZE %ld", s->conn.cfg->msg_max);
	reply_more(s, "250 8BITMIME");
	reply_more(s, "250 ENHANCEDSTATUSCODES");
	if (login_offered(&s->conn))
		reply_more(s, "250 AUTH PLAIN LOGIN");
	reply(s, "250 HELP");
}

/* RSET, a new HELO/EHLO, the end of DATA: the transaction is forgotten. */
void transaction_reset(struct smtp *s)
{
	memset(&s->from, 0, sizeof s->from);
	s->nusers = 0;
	s->nrcpt = 0;
	s->first_rcpt[0] = '\0';
	if (s->conn.state & (S_MAIL | S_RCPT))
		s->conn.state = S_READY;
}

/* ---- MAIL ---- */

/* "FROM:" or "TO:" then optional spaces (a common client habit). */
static const char *after_keyword(const char *args, const char *kw)
{
	size_t n = strlen(kw);

	if (strncasecmp(args, kw, n) != 0)
		return NULL;
	args += n;
	while (*args == ' ')
		args++;
	return args;
}

static const char *addr_error(enum addr_status st, bool sender)
{
	switch (st) {
	case ADDR_TOO_LONG:
		return sender ? "501 5.1.7 Sender address too long" : "501 5.1.3 Recipient address too long";
	case ADDR_8BIT:
		return "553 5.6.7 Non-ASCII address without SMTPUTF8";
	default:
		return sender ? "501 5.1.7 Bad sender address syntax" : "501 5.1.3 Bad recipient address syntax";
	}
}

const char *check_mail(const char *args, bool esmtp, long size_max,
		       struct smtp_path *from)
{
	const char *p = after_keyword(args, "FROM:"), *key, *val;
	size_t used, len, pos, klen, vlen;
	enum addr_status st;
	int r;

	if (!p || *p == '\0')
		return "501 5.5.4 Syntax: MAIL FROM:<address>";
	len = strlen(p);
	st = addr_parse_path(p, len, from, &used);
	if (st != ADDR_OK)
		return addr_error(st, true);
	pos = used;
	while ((r = addr_next_param(p, len, &pos, &key, &klen, &val, &vlen)) == 1) {
		if (!esmtp)
			return "555 5.5.4 MAIL parameters need EHLO";
		if (ascii_ieq(key, klen, "SIZE")) {
			long n = 0;
			for (size_t i = 0; i < vlen; i++) {
				if (!isdigit((unsigned char)val[i]))
					return "501 5.5.4 Syntax: SIZE=<number>";
				if (n <= size_max)
					n = n * 10 + (val[i] - '0');
			}
			if (vlen == 0)
				return "501 5.5.4 Syntax: SIZE=<number>";
			if (n > size_max)
				return "552 5.3.4 Message size exceeds fixed maximum message size";
		} else if (ascii_ieq(key, klen, "BODY")) {
			if (!ascii_ieq(val, vlen, "7BIT") && !ascii_ieq(val, vlen, "8BITMIME"))
				return "501 5.5.4 Syntax: BODY=7BIT or BODY=8BITMIME";
		} else if (!ascii_ieq(key, klen, "AUTH")) {	/* RFC 4954 5: accepted, unused */
			return "555 5.5.4 Unsupported MAIL parameter";
		}
	}
	if (r < 0)
		return "501 5.5.4 Syntax error in MAIL parameters";
	return NULL;
}

static bool domain_is_local(const char *domain, const struct config *cfg,
			    const struct smtp_opts *opt);

/* Submission (-A): the sender is the user's own address at a local domain
 * ("+tag" allowed), or one the -e file gives the user.  Postfix's
 * reject_sender_login_mismatch; the null sender is refused too. */
static bool own_sender(const struct smtp *s)
{
	const struct smtp_path *f = &s->from;
	size_t n = strcspn(f->local, "+");

	if (f->null)
		return false;
	if (n == strlen(s->conn.user) && strncasecmp(f->local, s->conn.user, n) == 0 &&
	    domain_is_local(f->domain, s->conn.cfg, s->opt))
		return true;
	return senders_allow(s->opt->senders, s->conn.user, f->mailbox);
}

void cmd_mail(void *v, char *args)
{
	struct smtp *s = v;
	const char *err;

	if (s->opt->submission && !s->authed) {
		reply(s, "530 5.7.0 Authentication required");
		return;
	}
	err = check_mail(args, s->esmtp, s->conn.cfg->msg_max, &s->from);
	if (err) {
		reply(s, "%s", err);
		return;
	}
	if (s->opt->submission && !own_sender(s)) {
		char esc[PATH_MAX_SMTP + 1];

		log_msg(LOG_NOTICE, "%s: %s may not send as <%s>", startup_peer_label(&s->conn.env),
			s->conn.user, log_escape(esc, sizeof esc, s->from.mailbox,
					    strlen(s->from.mailbox)));
		reply(s, "553 5.7.1 Sender address rejected: not owned by user %s", s->conn.user);
		return;
	}
	s->conn.state = S_MAIL;
	reply(s, "250 2.1.0 Ok");
}

/* ---- RCPT ---- */

static bool domain_is_local(const char *domain, const struct config *cfg,
			    const struct smtp_opts *opt)
{
	const char *list = opt->domains;
	size_t dlen = strlen(domain);

	if (!list)	/* default: the host name and localhost */
		return strcasecmp(domain, cfg->hostname) == 0 ||
		       strcasecmp(domain, "localhost") == 0;
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == dlen && strncasecmp(list, domain, n) == 0)
			return true;
		list += n + (list[n] == ',');
	}
	return false;
}

/* The mailbox a local part names: case ignored, "+tag" dropped, postmaster
 * mapped.  Returns false when no user has that name. */
static bool local_user(const char *local, const struct smtp_opts *opt, char *user)
{
	size_t n = strcspn(local, "+");

	if (n == 0)
		return false;
	if (strncasecmp(local, "postmaster", n) == 0 && n == 10) {
		if (opt->postmaster)
			return auth_user_exists(opt->postmaster, strlen(opt->postmaster), user);
		return auth_first_user(user);
	}
	return auth_user_exists(local, n, user);
}

const char *check_rcpt(const char *args, const struct config *cfg,
		       const struct smtp_opts *opt, char *user, struct smtp_path *to)
{
	const char *p = after_keyword(args, "TO:");
	enum addr_status st;
	size_t used, len;

	if (!p || *p == '\0')
		return "501 5.5.4 Syntax: RCPT TO:<address>";
	len = strlen(p);
	/* RFC 5321 4.5.1: "<postmaster>" without a domain is always accepted. */
	if (len >= 12 && strncasecmp(p, "<postmaster>", 12) == 0) {
		memset(to, 0, sizeof *to);
		snprintf(to->mailbox, sizeof to->mailbox, "postmaster");
		if (p[12] != '\0')
			return "555 5.5.4 Unsupported RCPT parameter";
		return local_user("postmaster", opt, user) ? NULL : "550 5.1.1 User unknown";
	}
	st = addr_parse_path(p, len, to, &used);
	if (st != ADDR_OK)
		return addr_error(st, false);
	if (to->null)
		return "501 5.1.3 Bad recipient address syntax";
	if (p[used] != '\0')
		return "555 5.5.4 Unsupported RCPT parameter";
	if (!domain_is_local(to->domain, cfg, opt) || strpbrk(to->local, "%!@"))
		return "550 5.7.1 Relaying denied";
	if (!local_user(to->local, opt, user))
		return "550 5.1.1 User unknown";
	return NULL;
}

/* Keep the distinct mailboxes sorted: delivery locks them in this order. */
static bool add_user(struct smtp *s, const char *user)
{
	size_t lo = 0, hi = s->nusers;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->rcpt_users[mid], user);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->nusers == s->cap_users) {
		size_t cap = s->cap_users ? s->cap_users * 2 : 8;
		void *p = realloc(s->rcpt_users, cap * sizeof *s->rcpt_users);
		if (!p)
			return false;
		s->rcpt_users = p;
		s->cap_users = cap;
	}
	memmove(s->rcpt_users + lo + 1, s->rcpt_users + lo,
		(s->nusers - lo) * sizeof *s->rcpt_users);
	strcpy(s->rcpt_users[lo], user);
	s->nusers++;
	return true;
}

void cmd_rcpt(void *v, char *args)
{
	struct smtp *s = v;
	char user[USER_NAME_MAX + 1];
	struct smtp_path to;
	const char *err;

	if (s->nrcpt >= s->opt->rcpt_max) {
		reply(s, "452 4.5.3 Error: too many recipients");
		return;
	}
	err = check_rcpt(args, s->conn.cfg, s->opt, user, &to);
	if (err) {
		char esc[128];
		log_msg(LOG_INFO, "%s: rejected RCPT %s: %.3s", startup_peer_label(&s->conn.env),
			log_escape(esc, sizeof esc, args, strlen(args)), err);
		reply(s, "%s", err);
		return;
	}
	if (!add_user(s, user)) {
		reply(s, "452 4.3.1 Insufficient system resources");
		return;
	}
	if (s->nrcpt++ == 0)
		snprintf(s->first_rcpt, sizeof s->first_rcpt, "%s", to.mailbox);
	s->conn.state = S_RCPT;
	reply(s, "250 2.1.5 Ok");
}
