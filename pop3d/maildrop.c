/* The maildrop: INBOX as one POP3 session sees it.
 *
 * At login the session takes the maildrop lock (".INBOX.pop3", held for the
 * whole session, so a second POP3 login gets [IN-USE]) and a snapshot of the
 * index: message numbers are positions in it.  The mbox itself is only
 * locked briefly, so deliveries go on during the session.  Each message is
 * found again by UID when it is read, since another process (an IMAP
 * expunge) may have rewritten the file meanwhile.  QUIT rewrites the mbox
 * without the deleted messages, keeping whatever arrived in the meantime. */
#include "session.h"

#include "lock.h"
#include "log.h"
#include "mbox.h"
#include "msgnum.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int take_drop_lock(int userfd)
{
	int fd = openat(userfd, ".INBOX.pop3", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	if (lock_try(fd, F_WRLCK) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Copy the index into the snapshot. */
static int snapshot(struct pop3 *p)
{
	const struct index *ix = &p->mb.ix;

	p->nmsgs = ix->h.nrec;
	p->uidvalidity = ix->h.uidvalidity;
	p->msgs = calloc(p->nmsgs ? p->nmsgs : 1, sizeof *p->msgs);
	if (!p->msgs)
		return -1;
	for (uint32_t i = 0; i < p->nmsgs; i++) {
		p->msgs[i].uid = ix->rec[i].uid;
		p->msgs[i].size = ix->rec[i].wire_size;
	}
	return 0;
}

enum drop_status maildrop_open(struct pop3 *p)
{
	int userfd = spool_user_dir(p->env.spoolfd, p->user, true);
	int rc = -1;

	if (userfd < 0) {
		log_msg(LOG_ERR, "%s: user directory: %s", p->user, strerror(errno));
		return DROP_BUSY;
	}
	p->droplock = take_drop_lock(userfd);
	if (p->droplock < 0) {
		int e = errno;
		close(userfd);
		return e == EAGAIN ? DROP_IN_USE : DROP_BUSY;
	}
	if (mailbox_open(&p->mb, userfd, "INBOX", true, p->cfg->lock_timeout) == 0 &&
	    mailbox_lock(&p->mb, F_RDLCK) == 0) {
		rc = mailbox_sync(&p->mb) == 0 ? snapshot(p) : -1;
		mailbox_unlock(&p->mb);
	}
	if (rc != 0)
		log_msg(LOG_ERR, "%s: INBOX: %s", p->user, strerror(errno));
	close(userfd);
	return rc == 0 ? DROP_OK : DROP_BUSY;
}

/* Strict message numbers (msgnum.h), each refusal with its own text. */
struct drop_msg *maildrop_msg(struct pop3 *p, const char *arg)
{
	uint32_t n = 0;

	switch (msgnum_parse(arg, p->nmsgs, &n)) {
	case MSGNUM_EMPTY:
		err(p, "message number required");
		return NULL;
	case MSGNUM_SYNTAX:
		err(p, "invalid message number");
		return NULL;
	case MSGNUM_RANGE:
		err(p, "no such message, only %u in maildrop", p->nmsgs);
		return NULL;
	case MSGNUM_OK:
		break;
	}
	if (p->msgs[n - 1].deleted) {
		err(p, "message %u already deleted", n);
		return NULL;
	}
	return &p->msgs[n - 1];
}

/* Where message m is now: its record in the index, synced again only when
 * the file has been replaced since (an expunge by imapd), so that a RETR
 * costs two stat calls rather than a lock and an index read. */
static bool locate(struct pop3 *p, const struct drop_msg *m, struct idx_rec *rec)
{
	long i = -1;

	if (p->mb.ix.h.uidvalidity == p->uidvalidity && mailbox_is_current(&p->mb) &&
	    (i = index_find_uid(&p->mb.ix, m->uid)) >= 0) {
		*rec = p->mb.ix.rec[i];
		return true;
	}
	if (mailbox_lock(&p->mb, F_RDLCK) != 0)
		return false;
	if (mailbox_sync(&p->mb) == 0 && p->mb.ix.h.uidvalidity == p->uidvalidity)
		i = index_find_uid(&p->mb.ix, m->uid);
	if (i >= 0)
		*rec = p->mb.ix.rec[i];
	/* The bytes of an indexed message never change under us (appends add
	 * at the end, rewrites rename a new file in), so the client may read
	 * them as slowly as it likes without holding the lock. */
	mailbox_unlock(&p->mb);
	return i >= 0;
}

bool maildrop_send(struct pop3 *p, const struct drop_msg *m, uint64_t lines)
{
	struct wire_opts o = { true, 0, UINT64_MAX };
	struct idx_rec r;
	uint64_t start, end;
	char last = '\n';

	if (!locate(p, m, &r)) {
		err(p, "[SYS/TEMP] message no longer in the maildrop");
		return false;
	}
	start = r.offset + r.from_len;
	end = start + r.raw_len;
	if (lines != UINT64_MAX)
		end = mbox_skip_lines(p->mb.fd, start + r.hdr_len, end, lines);
	if (end > start && pread(p->mb.fd, &last, 1, (off_t)end - 1) != 1)
		last = '\n';
	if (lines == UINT64_MAX)
		ok(p, "%llu octets", (unsigned long long)m->size);
	else
		ok(p, "top of message follows");
	if (mbox_to_wire(p->mb.fd, start, end, &o, &p->out) < 0) {
		log_msg(LOG_ERR, "%s: reading INBOX: %s", p->user, strerror(errno));
		exit(1);	/* mid-reply: the only honest thing left is to close */
	}
	if (last != '\n')
		lout_write(&p->out, "\r\n", 2);
	multi_end(p);
	return true;
}

bool maildrop_update(struct pop3 *p, uint32_t *left)
{
	const struct index *ix;
	bool any = false, updated = false;
	bool *keep;
	uint32_t j = 0;

	for (uint32_t i = 0; i < p->nmsgs; i++)
		any |= p->msgs[i].deleted;
	if (mailbox_lock(&p->mb, F_WRLCK) != 0)
		return false;
	if (mailbox_sync(&p->mb) != 0)
		goto out;
	ix = &p->mb.ix;
	*left = ix->h.nrec;
	if (!any || ix->h.uidvalidity != p->uidvalidity) {
		updated = !any;
		goto out;
	}
	keep = malloc(ix->h.nrec ? ix->h.nrec : 1);
	if (!keep)
		goto out;
	/* Both lists are in UID order: one walk matches them. */
	for (uint32_t i = 0; i < ix->h.nrec; i++) {
		while (j < p->nmsgs && p->msgs[j].uid < ix->rec[i].uid)
			j++;
		keep[i] = !(j < p->nmsgs && p->msgs[j].uid == ix->rec[i].uid && p->msgs[j].deleted);
		*left -= !keep[i];
	}
	updated = mailbox_rewrite(&p->mb, keep) == 0;
	if (!updated)
		log_msg(LOG_ERR, "%s: rewriting INBOX: %s", p->user, strerror(errno));
	free(keep);
out:
	mailbox_unlock(&p->mb);
	return updated;
}

void maildrop_close(struct pop3 *p)
{
	mailbox_close(&p->mb);
	if (p->droplock >= 0)
		close(p->droplock);	/* releases the maildrop lock */
	p->droplock = -1;
}
