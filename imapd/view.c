/* The selected mailbox as this client knows it.
 *
 * The view is the list of messages the client has been told about, in
 * message sequence number order, with the flags it was last told.  The
 * index (mb.ix) is what the store holds now; other processes change it.
 * view_update() compares the two and tells the client: EXPUNGE for the
 * messages gone (from the highest number down, so that the numbers of the
 * ones still to report do not move; held back during FETCH, STORE and
 * SEARCH), FETCH (FLAGS) for flags changed elsewhere, EXISTS and RECENT for
 * new mail.  Message bytes are read from the file without holding the lock:
 * appends only add to it and rewrites rename a new file in, so the bytes of
 * an indexed message never change under a reader. */
#include "session.h"

#include "index.h"
#include "log.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

bool mailbox_name(const char *raw, size_t n, char *dst)
{
	if (mailbox_is_inbox(raw, n)) {
		strcpy(dst, "INBOX");
		return true;
	}
	if (!mailbox_name_valid(raw, n))
		return false;
	memcpy(dst, raw, n);
	dst[n] = '\0';
	return true;
}

void write_flags(struct imap *s, uint32_t flags, uint64_t keywords, bool recent)
{
	static const char *names[] = { "\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft" };
	bool first = true;

	lout_write(&s->conn.out, "(", 1);
	for (int b = 0; b < 5; b++) {
		if (!(flags & (1u << b)))
			continue;
		if (!first)
			lout_write(&s->conn.out, " ", 1);
		lout_puts(&s->conn.out, names[b]);
		first = false;
	}
	for (uint32_t k = 0; k < s->mb.ix.h.nkeywords && k < 64; k++) {
		if (!(keywords & (1ull << k)))
			continue;
		if (!first)
			lout_write(&s->conn.out, " ", 1);
		lout_puts(&s->conn.out, s->mb.ix.kw[k]);
		first = false;
	}
	if (recent)
		lout_puts(&s->conn.out, first ? "\\Recent" : " \\Recent");
	lout_write(&s->conn.out, ")", 1);
}

/* FLAGS and PERMANENTFLAGS: the system flags and the mailbox's keywords. */
void view_send_flags(struct imap *s)
{
	const struct index *ix = &s->mb.ix;

	lout_puts(&s->conn.out, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft");
	for (uint32_t k = 0; k < ix->h.nkeywords; k++)
		lout_printf(&s->conn.out, " %s", ix->kw[k]);
	lout_puts(&s->conn.out, ")\r\n* OK [PERMANENTFLAGS (");
	if (!s->readonly) {
		lout_puts(&s->conn.out, "\\Answered \\Flagged \\Deleted \\Seen \\Draft");
		for (uint32_t k = 0; k < ix->h.nkeywords; k++)
			lout_printf(&s->conn.out, " %s", ix->kw[k]);
		lout_puts(&s->conn.out, ix->h.nkeywords < KEYWORDS_MAX ? " \\*" : "");
	}
	lout_puts(&s->conn.out, ")] Flags permitted\r\n");
	s->nkeywords = ix->h.nkeywords;
}

bool view_lock(struct imap *s, int type)
{
	if (mailbox_lock(&s->mb, type) == 0) {
		if (mailbox_sync(&s->mb) == 0) {
			/* RFC 3501 7.2.6: a keyword another session added is
			 * announced before any FETCH can show it. */
			if (s->conn.state == I_SELECTED && s->mb.ix.h.nkeywords != s->nkeywords)
				view_send_flags(s);
			return true;
		}
		mailbox_unlock(&s->mb);
	}
	if (errno == ENOENT)
		bye(s, 1, "[UNAVAILABLE] The selected mailbox was removed");
	log_msg(LOG_ERR, "%s: %s: %s", s->conn.user, s->mailbox, strerror(errno));
	return false;
}

void view_unlock(struct imap *s)
{
	mailbox_unlock(&s->mb);
}

long view_pos(const struct imap *s, uint32_t i)
{
	return s->view[i].gone ? -1 : index_find_uid(&s->mb.ix, s->view[i].uid);
}

static bool view_grow(struct imap *s, uint32_t n)
{
	struct view_msg *v;
	uint32_t cap = s->capview ? s->capview : 256;

	if (n <= s->capview)
		return true;
	while (cap < n)
		cap *= 2;
	v = realloc(s->view, (size_t)cap * sizeof *v);
	if (!v)
		return false;
	s->view = v;
	s->capview = cap;
	return true;
}

/* Messages the index has and the view has not (they are all newer). */
static void add_new(struct imap *s, uint32_t recent_above)
{
	const struct index *ix = &s->mb.ix;
	uint32_t last = s->nview ? s->view[s->nview - 1].uid : 0;
	long i = (long)ix->h.nrec;

	while (i > 0 && ix->rec[i - 1].uid > last)
		i--;
	if (!view_grow(s, s->nview + (ix->h.nrec - (uint32_t)i)))
		bye(s, 1, "[SERVERBUG] out of memory");
	for (; i < (long)ix->h.nrec; i++) {
		const struct idx_rec *r = &ix->rec[i];
		s->view[s->nview++] = (struct view_msg){
			r->uid, r->flags, r->keywords, r->uid > recent_above, false };
	}
}

/* Claim new messages as \Recent (read-write sessions only); returns the
 * UID above which messages are recent for this session. */
static uint32_t claim_recent(struct imap *s)
{
	uint32_t prev = s->mb.ix.h.recent_uid;

	if (s->readonly || prev + 1 >= s->mb.ix.h.uidnext)
		return prev;
	if (s->mb.lock != F_WRLCK) {
		view_unlock(s);
		if (!view_lock(s, F_WRLCK))
			return UINT32_MAX;
	}
	if (mailbox_claim_recent(&s->mb, &prev) != 0)
		log_msg(LOG_WARNING, "%s: %s: cannot save \\Recent: %s", s->conn.user, s->mailbox,
			strerror(errno));
	return prev;
}

bool view_select(struct imap *s, const char *name, bool readonly)
{
	view_close(s);
	if (mailbox_open(&s->mb, s->userfd, name, strcmp(name, "INBOX") == 0,
			 s->conn.cfg->lock_timeout) != 0)
		return false;
	strcpy(s->mailbox, name);
	s->readonly = readonly;
	if (!view_lock(s, readonly ? F_RDLCK : F_WRLCK)) {
		mailbox_close(&s->mb);
		errno = EAGAIN;
		return false;
	}
	add_new(s, claim_recent(s));
	view_unlock(s);
	s->uidvalidity = s->mb.ix.h.uidvalidity;
	s->conn.state = I_SELECTED;
	return true;
}

void view_close(struct imap *s)
{
	if (s->conn.state == I_SELECTED)
		mailbox_close(&s->mb);
	s->nview = 0;
	s->mailbox[0] = '\0';
	if (s->conn.state == I_SELECTED)
		s->conn.state = I_AUTH;
}

/* Mark what is gone, report flag changes; returns how many are gone,
 * counting those held back earlier. */
static uint32_t compare(struct imap *s)
{
	const struct index *ix = &s->mb.ix;
	uint32_t gone = 0, j = 0;

	for (uint32_t i = 0; i < s->nview; i++) {
		struct view_msg *v = &s->view[i];

		while (j < ix->h.nrec && ix->rec[j].uid < v->uid)
			j++;
		if (v->gone || j >= ix->h.nrec || ix->rec[j].uid != v->uid) {
			v->gone = true;
			gone++;
			continue;
		}
		if (ix->rec[j].flags != v->flags || ix->rec[j].keywords != v->keywords) {
			v->flags = ix->rec[j].flags;
			v->keywords = ix->rec[j].keywords;
			lout_printf(&s->conn.out, "* %u FETCH (FLAGS ", i + 1);
			write_flags(s, v->flags, v->keywords, v->recent);
			lout_puts(&s->conn.out, ")\r\n");
		}
	}
	return gone;
}

static void report_expunges(struct imap *s)
{
	uint32_t o = 0;

	for (uint32_t i = s->nview; i-- > 0;)
		if (s->view[i].gone)
			lout_printf(&s->conn.out, "* %u EXPUNGE\r\n", i + 1);
	for (uint32_t i = 0; i < s->nview; i++)
		if (!s->view[i].gone)
			s->view[o++] = s->view[i];
	s->nview = o;
}

void view_update(struct imap *s, bool expunge_ok)
{
	uint32_t before = s->nview, recent = 0, above;

	if (!view_lock(s, F_RDLCK))
		return;		/* busy: the changes will be told next time */
	if (s->mb.ix.h.uidvalidity != s->uidvalidity)
		bye(s, 1, "[UIDVALIDITY] The mailbox was rebuilt; select it again");
	if (compare(s) > 0 && expunge_ok) {
		report_expunges(s);
		before = s->nview;
	}
	above = s->nview ? s->view[s->nview - 1].uid : 0;
	if (s->mb.ix.h.nrec && s->mb.ix.rec[s->mb.ix.h.nrec - 1].uid > above)
		add_new(s, claim_recent(s));
	view_unlock(s);
	if (s->mb.ix.h.nkeywords != s->nkeywords)
		view_send_flags(s);
	if (s->nview != before) {
		for (uint32_t i = 0; i < s->nview; i++)
			recent += s->view[i].recent;
		lout_printf(&s->conn.out, "* %u EXISTS\r\n* %u RECENT\r\n", s->nview, recent);
	}
}

/* Mark view entries in [lo, hi] of UIDs. */
static void mark_uids(const struct imap *s, uint32_t lo, uint32_t hi, unsigned char *bits)
{
	uint32_t a = 0, b = s->nview;

	while (a < b) {		/* first entry with uid >= lo */
		uint32_t m = a + (b - a) / 2;
		if (s->view[m].uid < lo)
			a = m + 1;
		else
			b = m;
	}
	for (; a < s->nview && s->view[a].uid <= hi; a++)
		bits[a / 8] |= (unsigned char)(1u << (a % 8));
}

bool view_each(struct imap *s, const struct seqset *set, bool uid,
	       void (*fn)(struct imap *s, uint32_t i, void *arg), void *arg)
{
	uint32_t n = s->nview, star = uid ? (n ? s->view[n - 1].uid : 0) : n;
	unsigned char *bits = calloc(n / 8 + 1, 1);

	if (!bits)
		bye(s, 1, "[SERVERBUG] out of memory");
	for (unsigned r = 0; r < set->n; r++) {
		uint32_t lo, hi;

		seqset_range(set, r, star, &lo, &hi);
		if (uid) {
			mark_uids(s, lo, hi, bits);
			continue;
		}
		if (lo == 0 || lo > n) {
			free(bits);
			tagged(s, "BAD", "[CLIENTBUG] Invalid message sequence number (%u messages)", n);
			return false;
		}
		if (hi > n)
			hi = n;
		for (uint32_t i = lo - 1; i < hi; i++)
			bits[i / 8] |= (unsigned char)(1u << (i % 8));
	}
	for (uint32_t i = 0; i < n; i++)
		if (bits[i / 8] & (1u << (i % 8)))
			fn(s, i, arg);
	free(bits);
	return true;
}
