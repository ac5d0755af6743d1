/* APPEND (RFC 3501 6.3.11, RFC 4315 APPENDUID).  The message was read whole
 * by cmdread.c (in memory when small, converted to mbox form in a message
 * buffer when large) before anything is locked; then it is appended to the
 * target under its write lock, fsynced, and only then is OK sent. */
#include "session.h"

#include "index.h"
#include "log.h"
#include "mbox.h"
#include "msgbuf.h"
#include "save.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct append {
	char name[MAILBOX_NAME_MAX + 1];
	uint32_t flags;
	char kw[KEYWORDS_MAX][KEYWORD_LEN_MAX + 1];
	unsigned nkw;
	time_t when;
	struct str text;	/* the message, when it came in memory */
	bool big;		/* ... or in s->cmd.msg */
};

static bool flag_list(struct tok *t, struct append *a)
{
	static const char *const names[] = { "\\Seen", "\\Answered", "\\Flagged",
					     "\\Deleted", "\\Draft" };
	struct str f;

	if (tok_char(t, ')'))
		return true;
	do {
		bool found = false;
		if (!tok_flag(t, &f, false))
			return false;
		for (int b = 0; b < 5; b++) {
			if (str_ieq(&f, names[b])) {
				a->flags |= 1u << b;
				found = true;
			}
		}
		if (found)
			continue;
		if (f.p[0] == '\\' || a->nkw >= KEYWORDS_MAX ||
		    !str_copy(&f, a->kw[a->nkw], KEYWORD_LEN_MAX + 1))
			return false;
		a->nkw++;
	} while (tok_sp(t));
	return tok_char(t, ')');
}

static bool parse(struct imap *s, struct append *a)
{
	struct tok *t = &s->tok;
	struct str raw;

	if (!tok_sp(t) || !tok_astring(t, &raw) || !tok_sp(t))
		return false;
	if (!mailbox_name(raw.p, raw.n, a->name))
		a->name[0] = '\0';	/* answered NO after parsing */
	if (tok_char(t, '(') && (!flag_list(t, a) || !tok_sp(t)))
		return false;
	a->when = time(NULL);
	if (tok_peek(t) == '"' && (!tok_date_time(t, &a->when) || !tok_sp(t)))
		return false;
	if (!tok_string(t, &a->text))
		return false;
	a->big = t->big;
	return tok_end(t);
}

static int to_target(void *arg, const char *p, size_t n)
{
	return target_write(arg, p, n);
}

static int write_message(struct imap *s, struct append *a, struct target *t)
{
	char from[FROM_LINE_MAX], sender[USER_NAME_MAX + 300];
	struct quoter q;

	snprintf(sender, sizeof sender, "%s@%s", s->conn.user, s->conn.cfg->hostname);
	if (target_write(t, from, mbox_from_line(from, sizeof from, sender, a->when)) != 0)
		return -1;
	if (a->big) {
		if (msgbuf_seal(s->cmd.msg) != 0 || msgbuf_each(s->cmd.msg, to_target, t) != 0)
			return -1;
	} else {
		quoter_init(&q, to_target, t);
		if (quoter_feed(&q, a->text.p, a->text.n) != 0 || quoter_finish(&q) != 0)
			return -1;
		/* a message always ends with a line end, so its size stays put */
		if (!q.last_lf && target_write(t, "\n", 1) != 0)
			return -1;
	}
	return target_write(t, "\n", 1);
}

static int find_nul(void *found, const char *p, size_t n)
{
	if (memchr(p, '\0', n))
		*(bool *)found = true;
	return 0;
}

/* RFC 3501 9 (a literal is CHAR8, never NUL) and RFC 5322 2.3. */
static bool has_nul(struct imap *s, const struct append *a)
{
	bool found = false;

	if (!a->big)
		return memchr(a->text.p, '\0', a->text.n) != NULL;
	/* a read error here is met again, and reported, when the message is saved */
	if (msgbuf_seal(s->cmd.msg) == 0)
		msgbuf_each(s->cmd.msg, find_nul, &found);
	return found;
}

void cmd_append(struct imap *s)
{
	static struct append a;
	struct target t;
	uint64_t kw = 0;
	uint32_t uid, validity;

	memset(&a, 0, sizeof a);
	if (!parse(s, &a)) {
		bad_syntax(s);
		return;
	}
	if (!a.name[0]) {
		done(s, "NO", "[CANNOT] Invalid mailbox name");
		return;
	}
	if ((a.big ? s->cmd.msg_size : a.text.n) == 0) {
		done(s, "NO", "[CANNOT] Empty message");
		return;
	}
	if (has_nul(s, &a)) {
		done(s, "BAD", "[CLIENTBUG] Message contains a NUL byte (RFC 3501 9, RFC 5322 2.3)");
		return;
	}
	if (target_begin(s, a.name, &t) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			done(s, "NO", "[TRYCREATE] No such mailbox");
		else
			done(s, "NO", "[UNAVAILABLE] Mailbox busy, try again later");
		return;
	}
	if (write_message(s, &a, &t) != 0 || target_commit(&t) != 0) {
		int e = errno;
		log_msg(LOG_ERR, "%s: APPEND to %s: %s", s->conn.user, a.name, strerror(e));
		target_end(s, &t, false);
		done(s, "NO", e == ENOSPC || e == EFBIG || e == EDQUOT ?
			"[OVERQUOTA] No room for the message" :
			"[UNAVAILABLE] Cannot save the message, try again later");
		return;
	}
	for (unsigned k = 0; k < a.nkw; k++) {
		int bit = mailbox_keyword(t.mb, a.kw[k], true);
		if (bit >= 0)
			kw |= 1ull << bit;
	}
	target_set_flags(&t, 0, a.flags, kw);
	target_save_flags(&t);
	uid = t.first < t.mb->ix.h.nrec ? t.mb->ix.rec[t.first].uid : 0;
	validity = t.mb->ix.h.uidvalidity;
	target_end(s, &t, true);
	if (uid)
		done(s, "OK", "[APPENDUID %u %u] APPEND completed", validity, uid);
	else
		done(s, "OK", "APPEND completed");
}
