/* COPY and MOVE, and their UID forms (RFC 3501 6.4.7, RFC 6851, RFC 4315
 * COPYUID).  COPY reads the messages from the selected mailbox without its
 * lock (their bytes never change) and appends them under the target's
 * write lock.  MOVE must be atomic: it holds the source's write lock from
 * choosing the messages to removing them, so that two sessions moving the
 * same message cannot both copy it; it copies first, and removes the
 * originals only once the copies are on disk (a failure in between leaves a
 * message twice, never nowhere).  Two MOVEs in opposite directions wait for
 * each other's lock: the kernel finds the cycle and one gets EDEADLK, an
 * answered NO, never a hang. */
#include "session.h"

#include "index.h"
#include "log.h"
#include "save.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct picked {
	struct idx_rec *rec;	/* copies of the source records */
	uint32_t n, cap;
	bool gone;
};

static void pick_one(struct imap *s, uint32_t i, void *arg)
{
	struct picked *p = arg;
	long pos = view_pos(s, i);

	if (pos < 0) {
		p->gone = true;
		return;
	}
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 64;
		struct idx_rec *r = realloc(p->rec, (size_t)cap * sizeof *r);
		if (!r)
			bye(s, 1, "[SERVERBUG] out of memory");
		p->rec = r;
		p->cap = cap;
	}
	p->rec[p->n++] = s->mb.ix.rec[pos];
}

/* The source keywords of r as bits of the target's table. */
static uint64_t map_keywords(struct imap *s, struct mailbox *dst, uint64_t kw)
{
	uint64_t out = 0;

	for (uint32_t k = 0; k < s->mb.ix.h.nkeywords && k < 64; k++) {
		int bit;
		if (!(kw & (1ull << k)))
			continue;
		bit = mailbox_keyword(dst, s->mb.ix.kw[k], true);
		if (bit >= 0)
			out |= 1ull << bit;
	}
	return out;
}

/* Copy the picked messages into `name`; on success *dst_uids holds their
 * new UIDs and *validity the target's UIDVALIDITY. */
static int copy_to(struct imap *s, const char *name, const struct picked *p, int fd,
		   uint32_t *dst_uids, uint32_t *validity)
{
	struct target t;
	int rc = -1;

	if (target_begin(s, name, &t) != 0)
		return -1;
	for (uint32_t k = 0; k < p->n; k++) {
		const struct idx_rec *r = &p->rec[k];
		if (target_copy(&t, fd, r->offset, r->offset + r->from_len + r->raw_len) != 0 ||
		    target_write(&t, "\n", 1) != 0)
			goto out;
	}
	if (target_commit(&t) != 0)
		goto out;
	rc = 0;		/* durable: what follows only decorates */
	for (uint32_t k = 0; k < p->n; k++) {
		uint64_t kw = map_keywords(s, t.mb, p->rec[k].keywords);
		target_set_flags(&t, k, p->rec[k].flags, kw);
		dst_uids[k] = t.first + k < t.mb->ix.h.nrec ? t.mb->ix.rec[t.first + k].uid : 0;
	}
	*validity = t.mb->ix.h.uidvalidity;
	if (target_save_flags(&t) != 0)
		log_msg(LOG_WARNING, "%s: %s: flags of copied messages: %s", s->conn.user, name,
			strerror(errno));
out:
	if (rc != 0)
		log_msg(LOG_ERR, "%s: copying to %s: %s", s->conn.user, name, strerror(errno));
	target_end(s, &t, rc == 0);
	return rc;
}

/* MOVE's second half, under the source's write lock taken at the start:
 * remove exactly the copied messages. */
static int remove_moved(struct imap *s, const struct picked *p)
{
	const struct index *ix;
	bool *keep;
	uint32_t j = 0;
	int rc;

	if (mailbox_sync(&s->mb) != 0)	/* a MOVE into itself added to it */
		return -1;
	ix = &s->mb.ix;
	keep = malloc(ix->h.nrec ? ix->h.nrec : 1);
	if (!keep)
		return -1;
	for (uint32_t i = 0; i < ix->h.nrec; i++) {	/* both in UID order */
		while (j < p->n && p->rec[j].uid < ix->rec[i].uid)
			j++;
		keep[i] = !(j < p->n && p->rec[j].uid == ix->rec[i].uid);
	}
	rc = mailbox_rewrite(&s->mb, keep);
	free(keep);
	return rc;
}

/* The text of a set of UIDs, "1:3,7" (malloc'd; NULL when out of memory). */
static char *uid_set_text(const uint32_t *uids, uint32_t n)
{
	size_t cap = (size_t)n * 22 + 1, o = 0;
	char *text = malloc(cap);

	for (uint32_t i = 0; text && i < n;) {
		uint32_t j = i;

		while (j + 1 < n && uids[j + 1] == uids[j] + 1)
			j++;
		o += (size_t)snprintf(text + o, cap - o, i ? ",%u" : "%u", uids[i]);
		if (j > i)
			o += (size_t)snprintf(text + o, cap - o, ":%u", uids[j]);
		i = j + 1;
	}
	if (text)
		text[o] = '\0';
	return text;
}

/* "[COPYUID validity source-uids target-uids] " (RFC 4315), or "" when the
 * new UIDs are not known (the copy is done: the answer just says less).
 * The result is malloc'd. */
static char *copyuid(uint32_t validity, const struct picked *p, const uint32_t *uids)
{
	uint32_t *src = malloc((size_t)p->n * sizeof *src);
	char *a = NULL, *b = NULL, *code = NULL;
	bool known = validity != 0;
	size_t len;

	for (uint32_t k = 0; k < p->n; k++)
		known &= uids[k] != 0;
	if (src && known) {
		for (uint32_t k = 0; k < p->n; k++)
			src[k] = p->rec[k].uid;
		a = uid_set_text(src, p->n);
		b = uid_set_text(uids, p->n);
	}
	if (a && b) {
		len = strlen(a) + strlen(b) + 40;
		if ((code = malloc(len)))
			snprintf(code, len, "[COPYUID %u %s %s] ", validity, a, b);
	}
	free(src);
	free(a);
	free(b);
	return code ? code : strdup("");
}

static void copy_or_move(struct imap *s, bool move)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct picked p = { 0 };
	uint32_t *uids = NULL, validity = 0;
	char *code = NULL;
	struct seqset set;
	struct str raw;
	int fd = -1;

	if (!tok_sp(&s->tok) || !tok_seqset(&s->tok, &set) || !tok_sp(&s->tok) ||
	    !tok_astring(&s->tok, &raw) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!mailbox_name(raw.p, raw.n, name)) {
		done(s, "NO", "[CANNOT] Invalid mailbox name");
		return;
	}
	if (move && s->readonly) {
		done(s, "NO", "[READ-ONLY] Mailbox is read-only");
		return;
	}
	if (!view_lock(s, move ? F_WRLCK : F_RDLCK)) {
		done(s, "NO", "[UNAVAILABLE] Mailbox busy, try again later");
		return;
	}
	/* The file as indexed now: if it is replaced before we read it, this
	 * descriptor still shows the bytes the records describe.  It is closed
	 * only after every lock is released (closing any descriptor of a file
	 * drops the process's locks on it). */
	fd = dup(s->mb.fd);
	if (!view_each(s, &set, s->uid, pick_one, &p))
		goto out;
	if (!move)
		view_unlock(s);
	if (fd < 0 || !(uids = calloc(p.n ? p.n : 1, sizeof *uids))) {
		done(s, "NO", "[SERVERBUG] Out of resources");
		goto out;
	}
	if (p.gone && !s->uid) {
		done(s, "NO", "[EXPUNGEISSUED] Some of the messages no longer exist");
		goto out;
	}
	if (p.n == 0) {
		done(s, "OK", "%s completed, nothing to do", move ? "MOVE" : "COPY");
		goto out;
	}
	if (copy_to(s, name, &p, fd, uids, &validity) != 0) {
		if (errno == ENOENT)
			done(s, "NO", "[TRYCREATE] No such mailbox");
		else if (errno == ENOSPC || errno == EFBIG || errno == EDQUOT)
			done(s, "NO", "[OVERQUOTA] No room for the messages");
		else
			done(s, "NO", "[UNAVAILABLE] Cannot write to %s, try again later", name);
		goto out;
	}
	code = copyuid(validity, &p, uids);
	if (!code)
		bye(s, 1, "[SERVERBUG] out of memory");
	if (move) {
		/* RFC 6851 4.3: COPYUID in an untagged OK, before the EXPUNGEs */
		if (*code)
			untagged(s, "OK %sMoved", code);
		if (remove_moved(s, &p) != 0) {
			log_msg(LOG_ERR, "%s: MOVE from %s: %s", s->conn.user, s->mailbox,
				strerror(errno));
			done(s, "NO", "[UNAVAILABLE] Copied, but the originals could not be removed");
			goto out;
		}
		done(s, "OK", "%sMOVE completed", s->uid ? "UID " : "");
		goto out;
	}
	done(s, "OK", "%s%sCOPY completed", code, s->uid ? "UID " : "");
out:
	view_unlock(s);		/* MOVE's source lock, if still held */
	free(code);
	free(p.rec);
	free(uids);
	if (fd >= 0)
		close(fd);
}

void cmd_copy(struct imap *s)
{
	copy_or_move(s, false);
}

void cmd_move(struct imap *s)
{
	copy_or_move(s, true);
}
