/* SEARCH and UID SEARCH (RFC 3501 6.4.4, 7.2.5).
 *
 * The whole key list is parsed into a tree first (search.h), so that a
 * syntax error or a limit is answered before any message is read.  Then
 * each message of the view is matched against the tree, AND and OR trying
 * their cheap operands (flags, sizes, dates and UIDs of the index) before
 * those that read the message, and each match is written at once. */
#include "session.h"
#include "search.h"

#include "index.h"
#include "log.h"
#include "msgsearch.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sequence sets ---- */

static int range_cmp(const void *a, const void *b)
{
	const struct search_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* "*" is the last number; "n:*" with n past it is "last:n" (RFC 3501 9,
 * seq-range).  Then sorted and merged, for a binary search. */
static void resolve_set(struct search *q, struct search_node *n, uint32_t last)
{
	struct search_range *r = q->range + n->u.set.first;
	uint32_t out = 0;

	for (uint32_t i = 0; i < n->u.set.n; i++) {
		uint32_t lo = r[i].lo == SEQ_STAR ? last : r[i].lo;
		uint32_t hi = r[i].hi == SEQ_STAR ? last : r[i].hi;

		r[i].lo = lo < hi ? lo : hi;
		r[i].hi = lo < hi ? hi : lo;
	}
	qsort(r, n->u.set.n, sizeof *r, range_cmp);
	for (uint32_t i = 0; i < n->u.set.n; i++) {
		if (out > 0 && (uint64_t)r[i].lo <= (uint64_t)r[out - 1].hi + 1) {
			if (r[i].hi > r[out - 1].hi)
				r[out - 1].hi = r[i].hi;
		} else {
			r[out++] = r[i];
		}
	}
	n->u.set.n = out;
}

void search_resolve_sets(struct search *q, uint32_t last_seq, uint32_t last_uid)
{
	for (uint16_t k = 0; k < q->nnodes; k++) {
		if (q->node[k].key == SK_SEQ)
			resolve_set(q, &q->node[k], last_seq);
		else if (q->node[k].key == SK_UID)
			resolve_set(q, &q->node[k], last_uid);
	}
}

static bool in_set(const struct search *q, const struct search_node *n, uint32_t x)
{
	const struct search_range *r = q->range + n->u.set.first;
	uint32_t a = 0, b = n->u.set.n;

	while (a < b) {		/* the first range with lo > x */
		uint32_t m = a + (b - a) / 2;

		if (r[m].lo <= x)
			a = m + 1;
		else
			b = m;
	}
	return a > 0 && x <= r[a - 1].hi;
}

/* ---- matching ---- */

static bool compare_day(int64_t day, const struct search_node *n)
{
	switch (n->u.date.cmp) {
	case -1:
		return day < n->u.date.day;
	case 0:
		return day == n->u.date.day;
	default:
		return day >= n->u.date.day;
	}
}

/* The calendar day of the Date: field in its own zone.  Without a usable
 * one, day 0 (1 January 1970), before any real date, as Dovecot answers:
 * such a message is SENTBEFORE any date since and SENTSINCE none after. */
static int64_t sent_day(struct search_msg *m)
{
	time_t t;
	int zone;

	if (!m->sent_known) {
		if (msg_sent_date_zone(&m->src, &t, &zone) == 0)
			m->sent_day = search_day_of((int64_t)t + (int64_t)zone * 60);
		else
			m->sent_day = 0;
		m->sent_known = true;
	}
	return m->sent_day;
}

static bool header_match(const struct search_node *n, struct search_msg *m)
{
	char name[SEARCH_FIELD_NAME_MAX + 1];
	const struct str *f = &n->u.text.field;

	memcpy(name, f->p, f->n);
	name[f->n] = '\0';
	if (n->key == SK_ADDRESS)
		return msg_address_contains(&m->src, name, n->u.text.value.p,
					    n->u.text.value.n);
	return msg_header_contains(&m->src, name, n->u.text.value.p, n->u.text.value.n);
}

static bool match(const struct search *q, uint16_t k, struct search_msg *m)
{
	const struct search_node *n = &q->node[k];
	uint16_t c;

	switch ((enum search_key)n->key) {
	case SK_AND:
		for (c = n->child; c != SEARCH_NIL; c = q->node[c].next)
			if (!match(q, c, m))
				return false;
		return true;
	case SK_OR:
		for (c = n->child; c != SEARCH_NIL; c = q->node[c].next)
			if (match(q, c, m))
				return true;
		return false;
	case SK_NOT:
		return !match(q, n->child, m);
	case SK_ALL:
		return true;
	case SK_NONE:
		return false;
	case SK_FLAG:
		return (m->flags & n->u.flags) != 0;
	case SK_UNFLAG:
		return (m->flags & n->u.flags) == 0;
	case SK_RECENT:
		return m->recent;
	case SK_NEW:
		return m->recent && !(m->flags & FL_SEEN);
	case SK_OLD:
		return !m->recent;
	case SK_KEYWORD:
		return n->u.kw.bit >= 0 && ((m->keywords >> n->u.kw.bit) & 1);
	case SK_UNKEYWORD:
		return n->u.kw.bit < 0 || !((m->keywords >> n->u.kw.bit) & 1);
	case SK_LARGER:
		return m->size > n->u.size;
	case SK_SMALLER:
		return m->size < n->u.size;
	case SK_DATE:
		return compare_day(search_day_of(m->idate), n);
	case SK_SENT:
		return compare_day(sent_day(m), n);
	case SK_SEQ:
		return in_set(q, n, m->seq);
	case SK_UID:
		return in_set(q, n, m->uid);
	case SK_HEADER:
	case SK_ADDRESS:
		return header_match(n, m);
	case SK_BODY:
		return msg_body_contains(&m->src, n->u.text.value.p, n->u.text.value.n);
	case SK_TEXT:
		return msg_text_contains(&m->src, n->u.text.value.p, n->u.text.value.n);
	}
	return false;
}

bool search_match(const struct search *q, struct search_msg *m)
{
	return match(q, 0, m);
}

/* ---- the command ---- */

/* Keyword names to this mailbox's bits: under the lock, after a sync, as
 * others may have added keywords.  An unknown one keeps bit -1. */
static void resolve_keywords(struct imap *s, struct search *q)
{
	char kw[KEYWORD_LEN_MAX + 1];

	for (uint16_t k = 0; k < q->nnodes; k++) {
		struct search_node *n = &q->node[k];

		if (n->key == SK_KEYWORD || n->key == SK_UNKEYWORD)
			n->u.kw.bit = str_copy(&n->u.kw.name, kw, sizeof kw) ?
					      mailbox_keyword(&s->mb, kw, false) : -1;
	}
}

/* Index records are those of the last sync; a message the view still
 * shows but that is gone from the index (expunged elsewhere) matches
 * nothing. */
static bool match_one(struct imap *s, const struct search *q, uint32_t i)
{
	long pos = view_pos(s, i);
	const struct idx_rec *r;
	struct search_msg m;

	if (pos < 0)
		return false;
	r = &s->mb.ix.rec[pos];
	memset(&m, 0, sizeof m);
	m.seq = i + 1;
	m.uid = r->uid;
	m.flags = r->flags;
	m.keywords = r->keywords;
	m.recent = s->view[i].recent;
	m.size = r->wire_size;
	m.idate = r->idate;
	m.src.fd = s->mb.fd;
	m.src.start = r->offset + r->from_len;
	m.src.end = m.src.start + r->raw_len;
	m.src.hdr_len = r->hdr_len;
	m.src.wire_size = r->wire_size;
	return search_match(q, &m);
}

/* The SEARCH response goes out number by number, never held whole; the
 * transcript (-v) gets its start, as log lines are bounded anyway. */
struct answer {
	struct imap *s;
	char echo[1024];
	size_t n;
};

static void answer_add(struct answer *a, const char *text)
{
	size_t n = strlen(text), room = sizeof a->echo - a->n;

	lout_write(&a->s->conn.out, text, n);
	memcpy(a->echo + a->n, text, n < room ? n : room);
	a->n += n < room ? n : room;
}

static void answer_end(struct answer *a)
{
	lout_write(&a->s->conn.out, "\r\n", 2);
	if (a->s->conn.cfg->transcript)
		log_transcript('>', a->echo, a->n);
}

static void answer_parse_error(struct imap *s, enum search_status rc)
{
	switch (rc) {
	case SEARCH_TOO_MANY:
		tagged(s, "BAD", "[LIMIT] Too many search keys or ranges (at most %d keys)",
		       IMAP_SEARCH_KEYS_MAX);
		break;
	case SEARCH_TOO_DEEP:
		tagged(s, "BAD", "[LIMIT] Search keys nested too deeply (at most %d levels)",
		       IMAP_NESTING_MAX);
		break;
	case SEARCH_BADCHARSET:
		done(s, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
		break;
	default:
		bad_syntax(s);
		break;
	}
}

void cmd_search(struct imap *s)
{
	static struct search q;
	struct answer a = { .s = s };
	enum search_status rc;
	char num[16];
	uint32_t n;

	if ((rc = search_parse(&s->tok, &q)) != SEARCH_OK) {
		answer_parse_error(s, rc);
		return;
	}
	if (!view_lock(s, F_RDLCK)) {
		done(s, "NO", "[UNAVAILABLE] Mailbox busy, try again later");
		return;
	}
	resolve_keywords(s, &q);
	view_unlock(s);
	n = s->nview;
	search_resolve_sets(&q, n, n ? s->view[n - 1].uid : 0);
	answer_add(&a, "* SEARCH");
	for (uint32_t i = 0; i < n && !s->conn.out.failed; i++) {
		if (match_one(s, &q, i)) {
			snprintf(num, sizeof num, " %u", s->uid ? s->view[i].uid : i + 1);
			answer_add(&a, num);
		}
	}
	answer_end(&a);
	done(s, "OK", "%sSEARCH completed", s->uid ? "UID " : "");
}
