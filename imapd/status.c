/* STATUS (RFC 3501 6.3.10, 7.2.4).  Another mailbox is opened, read under
 * its shared lock and closed; STATUS never claims \Recent, so RECENT counts
 * the messages no session has seen yet.  For the selected mailbox the
 * session's own view answers (RFC 3501 says not to ask, clients do). */
#include "session.h"

#include "imapout.h"
#include "index.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

enum { ST_MESSAGES, ST_RECENT, ST_UIDNEXT, ST_UIDVALIDITY, ST_UNSEEN, ST_N };

static const char *const items[ST_N] = {
	"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
};

/* "(" item *(SP item) ")": the items in the order asked, each once. */
static bool parse_items(struct imap *s, int *order, int *n)
{
	bool asked[ST_N] = { false };

	*n = 0;
	if (!tok_char(&s->tok, '('))
		return false;
	do {
		struct str w;
		int k = 0;

		if (!tok_atom(&s->tok, &w))
			return false;
		while (k < ST_N && !str_ieq(&w, items[k]))
			k++;
		if (k == ST_N)
			return false;
		if (!asked[k])
			order[(*n)++] = k;
		asked[k] = true;
	} while (tok_sp(&s->tok));
	return tok_char(&s->tok, ')');
}

/* Everything but RECENT, which depends on who asks. */
static void count(const struct index *ix, uint32_t *v)
{
	v[ST_MESSAGES] = ix->h.nrec;
	v[ST_UIDNEXT] = ix->h.uidnext;
	v[ST_UIDVALIDITY] = ix->h.uidvalidity;
	v[ST_UNSEEN] = 0;
	for (uint32_t i = 0; i < ix->h.nrec; i++)
		v[ST_UNSEEN] += !(ix->rec[i].flags & FL_SEEN);
}

/* Messages above recent_uid, and above `after`, are \Recent. */
static uint32_t unclaimed(const struct index *ix, uint32_t after)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ix->h.nrec; i++)
		n += ix->rec[i].uid > ix->h.recent_uid && ix->rec[i].uid > after;
	return n;
}

/* The selected mailbox: \Recent is what this session holds as recent, and
 * what no session has claimed yet. */
static bool status_selected(struct imap *s, uint32_t *v)
{
	uint32_t last = s->nview ? s->view[s->nview - 1].uid : 0, recent = 0;

	if (!view_lock(s, F_RDLCK))
		return false;
	count(&s->mb.ix, v);
	for (uint32_t i = 0; i < s->nview; i++)
		recent += s->view[i].recent && view_pos(s, i) >= 0;
	v[ST_RECENT] = recent + unclaimed(&s->mb.ix, last);
	view_unlock(s);
	return true;
}

/* Another mailbox.  false with errno set when it cannot be read. */
static bool status_other(struct imap *s, const char *name, uint32_t *v, bool *opened)
{
	struct mailbox mb;
	int e;

	/* INBOX exists before its file does, as for SELECT */
	*opened = mailbox_open(&mb, s->userfd, name, strcmp(name, "INBOX") == 0,
			       s->conn.cfg->lock_timeout) == 0;
	if (!*opened)
		return false;
	if (mailbox_lock(&mb, F_RDLCK) == 0) {
		if (mailbox_sync(&mb) == 0) {
			count(&mb.ix, v);
			v[ST_RECENT] = unclaimed(&mb.ix, 0);
			mailbox_close(&mb);
			return true;
		}
	}
	e = errno;
	mailbox_close(&mb);	/* closing releases the lock */
	errno = e;
	return false;
}

static void refuse(struct imap *s, const char *name, bool opened)
{
	if (!opened && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EPERM)) {
		done(s, "NO", "[NONEXISTENT] No such mailbox");
	} else if (!opened && errno == EISDIR) {
		done(s, "NO", "[CANNOT] Not a selectable mailbox");
	} else {
		log_msg(LOG_WARNING, "%s: STATUS %s: %s", s->conn.user, name, strerror(errno));
		done(s, "NO", "[UNAVAILABLE] Mailbox busy or unreadable, try again later");
	}
}

static void send_status(struct imap *s, const char *name, const int *order, int n,
			const uint32_t *v)
{
	char list[ST_N * 24] = "";	/* "UIDVALIDITY 4294967295" and a space fit 24 */
	size_t len = 0;

	for (int i = 0; i < n && len < sizeof list; i++)
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s %u", i ? " " : "",
					items[order[i]], v[order[i]]);
	lout_puts(&s->conn.out, "* STATUS ");
	imap_write_astring(&s->conn.out, name, strlen(name));
	lout_printf(&s->conn.out, " (%s)\r\n", list);
	if (s->conn.cfg->transcript) {
		char line[MAILBOX_NAME_MAX + sizeof list + 16];
		int k = snprintf(line, sizeof line, "* STATUS %s (%s)", name, list);

		log_transcript('>', line, k < (int)sizeof line ? (size_t)k : sizeof line - 1);
	}
}

void cmd_status(struct imap *s)
{
	char name[MAILBOX_NAME_MAX + 1];
	uint32_t val[ST_N];
	int order[ST_N], n;
	bool ok, opened = true;
	struct str raw;

	if (!tok_sp(&s->tok) || !tok_astring(&s->tok, &raw) || !tok_sp(&s->tok) ||
	    !parse_items(s, order, &n) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!mailbox_name(raw.p, raw.n, name)) {
		done(s, "NO", "[CANNOT] Invalid mailbox name");
		return;
	}
	if (s->conn.state == I_SELECTED && strcmp(s->mailbox, name) == 0)
		ok = status_selected(s, val);
	else
		ok = status_other(s, name, val, &opened);
	if (!ok) {
		refuse(s, name, opened);
		return;
	}
	send_status(s, name, order, n, val);
	done(s, "OK", "STATUS completed");
}
