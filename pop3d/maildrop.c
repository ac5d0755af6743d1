/* The maildrop: INBOX as one POP3 session sees it.
 *
 * At login the session takes a snapshot of the index: message numbers are
 * positions in it.  No lock is held for the session (Dovecot's way): POP3
 * sessions of one user run side by side, and a connection that drops
 * without QUIT locks nobody out.  The mbox itself is only locked briefly,
 * so deliveries go on during the session.  Each message is found again by
 * UID when it is read, since another process (a POP3 QUIT, an IMAP expunge)
 * may have rewritten the file meanwhile; QUIT rewrites the mbox without the
 * messages this session deleted, matched by UID, keeping whatever arrived
 * or was already removed in the meantime: nothing is deleted twice, no
 * other message instead. */
#include "maildrop.h"

#include "log.h"
#include "mbox.h"
#include "msgnum.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copy the index into the snapshot. */
static int snapshot(struct maildrop *d)
{
	const struct index *ix = &d->mb.ix;

	d->nmsgs = ix->h.nrec;
	d->uidvalidity = ix->h.uidvalidity;
	d->msgs = calloc(d->nmsgs ? d->nmsgs : 1, sizeof *d->msgs);
	if (!d->msgs)
		return -1;
	for (uint32_t i = 0; i < d->nmsgs; i++) {
		d->msgs[i].uid = ix->rec[i].uid;
		d->msgs[i].size = ix->rec[i].wire_size;
	}
	return 0;
}

int maildrop_open(struct maildrop *d, int spoolfd, const char *user, int lock_timeout)
{
	int userfd = spool_user_dir(spoolfd, user, true);
	int rc = -1;

	if (userfd < 0) {
		log_msg(LOG_ERR, "%s: user directory: %s", user, strerror(errno));
		return -1;
	}
	if (mailbox_open(&d->mb, userfd, "INBOX", true, lock_timeout) == 0 &&
	    mailbox_lock(&d->mb, F_RDLCK) == 0) {
		rc = mailbox_sync(&d->mb) == 0 ? snapshot(d) : -1;
		mailbox_unlock(&d->mb);
	}
	if (rc != 0)
		log_msg(LOG_ERR, "%s: INBOX: %s", user, strerror(errno));
	close(userfd);
	return rc;
}

/* Strict message numbers (msgnum.h). */
enum drop_find maildrop_msg(struct maildrop *d, const char *arg, struct drop_msg **m)
{
	uint32_t n = 0;

	switch (msgnum_parse(arg, d->nmsgs, &n)) {
	case MSGNUM_EMPTY:
		return DROP_NO_NUMBER;
	case MSGNUM_SYNTAX:
		return DROP_BAD_NUMBER;
	case MSGNUM_RANGE:
		return DROP_NO_SUCH;
	case MSGNUM_OK:
		break;
	}
	*m = &d->msgs[n - 1];
	return (*m)->deleted ? DROP_DELETED : DROP_FOUND;
}

/* Where message m is now: its record in the index, synced again only when
 * the file has been replaced since (an expunge, another session's QUIT),
 * so that a RETR costs two stat calls rather than a lock and an index
 * read. */
static bool locate(struct maildrop *d, const struct drop_msg *m, struct idx_rec *rec)
{
	long i = -1;

	if (d->mb.ix.h.uidvalidity == d->uidvalidity && mailbox_is_current(&d->mb) &&
	    (i = index_find_uid(&d->mb.ix, m->uid)) >= 0) {
		*rec = d->mb.ix.rec[i];
		return true;
	}
	if (mailbox_lock(&d->mb, F_RDLCK) != 0)
		return false;
	if (mailbox_sync(&d->mb) == 0 && d->mb.ix.h.uidvalidity == d->uidvalidity)
		i = index_find_uid(&d->mb.ix, m->uid);
	if (i >= 0)
		*rec = d->mb.ix.rec[i];
	/* The bytes of an indexed message never change under us (appends add
	 * at the end, rewrites rename a new file in), so the client may read
	 * them as slowly as it likes without holding the lock. */
	mailbox_unlock(&d->mb);
	return i >= 0;
}

bool maildrop_span(struct maildrop *d, const struct drop_msg *m, uint64_t lines,
		   struct drop_span *sp)
{
	struct idx_rec r;
	char last = '\n';

	if (!locate(d, m, &r))
		return false;
	sp->start = r.offset + r.from_len;
	sp->end = sp->start + r.raw_len;
	if (lines != UINT64_MAX)
		sp->end = mbox_skip_lines(d->mb.fd, sp->start + r.hdr_len, sp->end, lines);
	if (sp->end > sp->start && pread(d->mb.fd, &last, 1, (off_t)sp->end - 1) != 1)
		last = '\n';
	sp->ends_in_lf = last == '\n';
	return true;
}

int maildrop_copy(struct maildrop *d, const struct drop_span *sp, struct lout *out)
{
	struct wire_opts o = { true, 0, UINT64_MAX };

	if (mbox_to_wire(d->mb.fd, sp->start, sp->end, &o, out) < 0)
		return -1;
	if (!sp->ends_in_lf)
		lout_write(out, "\r\n", 2);
	return 0;
}

/* keep[i] for index record i: false when this session deleted its UID.
 * Both lists are in UID order: one walk matches them.  Returns how many
 * are removed. */
static uint32_t mark_kept(const struct maildrop *d, bool *keep)
{
	const struct index *ix = &d->mb.ix;
	uint32_t j = 0, removed = 0;

	for (uint32_t i = 0; i < ix->h.nrec; i++) {
		while (j < d->nmsgs && d->msgs[j].uid < ix->rec[i].uid)
			j++;
		keep[i] = !(j < d->nmsgs && d->msgs[j].uid == ix->rec[i].uid &&
			    d->msgs[j].deleted);
		removed += !keep[i];
	}
	return removed;
}

bool maildrop_update(struct maildrop *d, const char *user, uint32_t *left)
{
	const struct index *ix;
	bool any = false, updated = false;
	uint32_t removed;
	bool *keep;

	for (uint32_t i = 0; i < d->nmsgs; i++)
		any |= d->msgs[i].deleted;
	if (mailbox_lock(&d->mb, F_WRLCK) != 0)
		return false;
	if (mailbox_sync(&d->mb) != 0)
		goto out;
	ix = &d->mb.ix;
	*left = ix->h.nrec;
	if (!any || ix->h.uidvalidity != d->uidvalidity) {
		updated = !any;
		goto out;
	}
	keep = malloc(ix->h.nrec ? ix->h.nrec : 1);
	if (!keep)
		goto out;
	removed = mark_kept(d, keep);
	/* All of them already gone (another session's QUIT): nothing to write. */
	updated = removed == 0 || mailbox_rewrite(&d->mb, keep) == 0;
	if (updated)
		*left -= removed;
	else
		log_msg(LOG_ERR, "%s: rewriting INBOX: %s", user, strerror(errno));
	free(keep);
out:
	mailbox_unlock(&d->mb);
	return updated;
}

void maildrop_close(struct maildrop *d)
{
	mailbox_close(&d->mb);
	free(d->msgs);
	d->msgs = NULL;
	d->nmsgs = 0;
}
