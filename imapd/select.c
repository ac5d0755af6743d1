/* SELECT, EXAMINE, CLOSE, UNSELECT, CHECK, EXPUNGE and UID EXPUNGE. */
#include "session.h"

#include "index.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

static void select_mailbox(struct imap *s, bool readonly)
{
	char name[MAILBOX_NAME_MAX + 1];
	uint32_t unseen = 0, recent = 0;
	struct str raw;

	if (!tok_sp(&s->tok) || !tok_astring(&s->tok, &raw) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!mailbox_name(raw.p, raw.n, name)) {
		view_close(s);
		tagged(s, "NO", "[CANNOT] Invalid mailbox name");
		return;
	}
	if (!view_select(s, name, readonly)) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EPERM)
			tagged(s, "NO", "[NONEXISTENT] No such mailbox");
		else if (errno == EISDIR)
			tagged(s, "NO", "[CANNOT] Not a selectable mailbox");
		else
			tagged(s, "NO", "[UNAVAILABLE] Mailbox busy or unreadable, try again later");
		return;
	}
	view_send_flags(s);
	for (uint32_t i = 0; i < s->nview; i++) {
		recent += s->view[i].recent;
		if (!unseen && !(s->view[i].flags & FL_SEEN))
			unseen = i + 1;
	}
	untagged(s, "%u EXISTS", s->nview);
	untagged(s, "%u RECENT", recent);
	if (unseen)
		untagged(s, "OK [UNSEEN %u] First unseen", unseen);
	untagged(s, "OK [UIDVALIDITY %u] UIDs valid", s->uidvalidity);
	untagged(s, "OK [UIDNEXT %u] Predicted next UID", s->mb.ix.h.uidnext);
	tagged(s, "OK", "[%s] %s completed", readonly ? "READ-ONLY" : "READ-WRITE",
	       readonly ? "EXAMINE" : "SELECT");
}

void cmd_select(struct imap *s)
{
	select_mailbox(s, false);
}

void cmd_examine(struct imap *s)
{
	select_mailbox(s, true);
}

/* Remove the \Deleted messages (only those in `uids` when given): rewrite
 * the mbox under its write lock.  The EXPUNGE responses come from
 * view_update(), like those for expunges by other sessions. */
static bool expunge(struct imap *s, const struct seqset *uids)
{
	const struct index *ix;
	bool *keep, any = false;
	int rc = 0;

	if (!view_lock(s, F_WRLCK))
		return false;
	ix = &s->mb.ix;
	keep = malloc(ix->h.nrec ? ix->h.nrec : 1);
	if (!keep) {
		view_unlock(s);
		return false;
	}
	for (uint32_t i = 0; i < ix->h.nrec; i++) {
		bool in = !uids || seqset_contains(uids, ix->rec[i].uid,
						   ix->rec[ix->h.nrec - 1].uid);
		keep[i] = !(ix->rec[i].flags & FL_DELETED) || !in;
		any |= !keep[i];
	}
	if (any && (rc = mailbox_rewrite(&s->mb, keep)) != 0)
		log_msg(LOG_ERR, "%s: expunging %s: %s", s->conn.user, s->mailbox, strerror(errno));
	free(keep);
	view_unlock(s);
	return rc == 0;
}

void cmd_expunge(struct imap *s)
{
	struct seqset set;

	if (s->uid ? (!tok_sp(&s->tok) || !tok_seqset(&s->tok, &set) || !tok_end(&s->tok))
		   : !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (s->readonly) {
		done(s, "NO", "[READ-ONLY] Mailbox is read-only");
		return;
	}
	if (!expunge(s, s->uid ? &set : NULL)) {
		done(s, "NO", "[UNAVAILABLE] Expunge failed, nothing removed; try again");
		return;
	}
	done(s, "OK", "%sEXPUNGE completed", s->uid ? "UID " : "");
}

void cmd_close(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	/* RFC 3501 6.4.2: expunge silently, and a failure is not reported */
	if (!s->readonly)
		expunge(s, NULL);
	view_close(s);
	tagged(s, "OK", "CLOSE completed");
}

void cmd_unselect(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	view_close(s);
	tagged(s, "OK", "UNSELECT completed");
}

void cmd_check(struct imap *s)
{
	if (!tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	done(s, "OK", "CHECK completed");
}
