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

#define DAY 86400

/* RFC 5322 2.1.1: no field name is longer than a line. */
#define FIELD_NAME_MAX 998

/* ---- the parser ---- */

enum arg {
	A_NONE,
	A_STRING,	/* astring: BODY, TEXT, FROM, ... */
	A_HEADER,	/* header-fld-name SP astring */
	A_DATE,
	A_NUMBER,
	A_KEYWORD,	/* flag-keyword */
	A_SET,		/* sequence-set (UID) */
	A_KEY,		/* NOT search-key */
	A_KEY2,		/* OR search-key SP search-key */
};

/* RFC 3501 9, search-key: the table is the grammar. */
static const struct keydef {
	const char *name;
	uint8_t key, arg, cost;
	int param;		/* the flag bit, or the date comparison */
	const char *field;	/* the header field of FROM, TO, ... */
} keys[] = {
	{ "ALL", SK_ALL, A_NONE, SC_INDEX, 0, NULL },
	{ "ANSWERED", SK_FLAG, A_NONE, SC_INDEX, FL_ANSWERED, NULL },
	{ "BCC", SK_HEADER, A_STRING, SC_HEADER, 0, "Bcc" },
	{ "BEFORE", SK_DATE, A_DATE, SC_INDEX, -1, NULL },
	{ "BODY", SK_BODY, A_STRING, SC_BODY, 0, NULL },
	{ "CC", SK_HEADER, A_STRING, SC_HEADER, 0, "Cc" },
	{ "DELETED", SK_FLAG, A_NONE, SC_INDEX, FL_DELETED, NULL },
	{ "DRAFT", SK_FLAG, A_NONE, SC_INDEX, FL_DRAFT, NULL },
	{ "FLAGGED", SK_FLAG, A_NONE, SC_INDEX, FL_FLAGGED, NULL },
	{ "FROM", SK_HEADER, A_STRING, SC_HEADER, 0, "From" },
	{ "HEADER", SK_HEADER, A_HEADER, SC_HEADER, 0, NULL },
	{ "KEYWORD", SK_KEYWORD, A_KEYWORD, SC_INDEX, 0, NULL },
	{ "LARGER", SK_LARGER, A_NUMBER, SC_INDEX, 0, NULL },
	{ "NEW", SK_NEW, A_NONE, SC_INDEX, 0, NULL },
	{ "NOT", SK_NOT, A_KEY, SC_INDEX, 0, NULL },
	{ "OLD", SK_OLD, A_NONE, SC_INDEX, 0, NULL },
	{ "ON", SK_DATE, A_DATE, SC_INDEX, 0, NULL },
	{ "OR", SK_OR, A_KEY2, SC_INDEX, 0, NULL },
	{ "RECENT", SK_RECENT, A_NONE, SC_INDEX, 0, NULL },
	{ "SEEN", SK_FLAG, A_NONE, SC_INDEX, FL_SEEN, NULL },
	{ "SENTBEFORE", SK_SENT, A_DATE, SC_HEADER, -1, NULL },
	{ "SENTON", SK_SENT, A_DATE, SC_HEADER, 0, NULL },
	{ "SENTSINCE", SK_SENT, A_DATE, SC_HEADER, 1, NULL },
	{ "SINCE", SK_DATE, A_DATE, SC_INDEX, 1, NULL },
	{ "SMALLER", SK_SMALLER, A_NUMBER, SC_INDEX, 0, NULL },
	{ "SUBJECT", SK_HEADER, A_STRING, SC_HEADER, 0, "Subject" },
	{ "TEXT", SK_TEXT, A_STRING, SC_TEXT, 0, NULL },
	{ "TO", SK_HEADER, A_STRING, SC_HEADER, 0, "To" },
	{ "UID", SK_UID, A_SET, SC_INDEX, 0, NULL },
	{ "UNANSWERED", SK_UNFLAG, A_NONE, SC_INDEX, FL_ANSWERED, NULL },
	{ "UNDELETED", SK_UNFLAG, A_NONE, SC_INDEX, FL_DELETED, NULL },
	{ "UNDRAFT", SK_UNFLAG, A_NONE, SC_INDEX, FL_DRAFT, NULL },
	{ "UNFLAGGED", SK_UNFLAG, A_NONE, SC_INDEX, FL_FLAGGED, NULL },
	{ "UNKEYWORD", SK_UNKEYWORD, A_KEYWORD, SC_INDEX, 0, NULL },
	{ "UNSEEN", SK_UNFLAG, A_NONE, SC_INDEX, FL_SEEN, NULL },
};

static const struct keydef *find_key(const struct str *w)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (str_ieq(w, keys[i].name))
			return &keys[i];
	return NULL;
}

static int64_t day_of(int64_t t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* A field name that some header could have (RFC 5322 3.6.8: printable
 * ASCII but ":"); any other can only match nothing. */
static bool field_name_ok(const struct str *f)
{
	if (f->n == 0 || f->n > FIELD_NAME_MAX)
		return false;
	for (size_t i = 0; i < f->n; i++) {
		unsigned char c = (unsigned char)f->p[i];

		if (c <= ' ' || c >= 0x7f || c == ':')
			return false;
	}
	return true;
}

static enum search_status new_node(struct search *q, uint8_t key, uint8_t cost,
				   uint16_t *k)
{
	if (q->nnodes > IMAP_SEARCH_KEYS_MAX)
		return SEARCH_TOO_MANY;
	*k = q->nnodes++;
	memset(&q->node[*k], 0, sizeof q->node[*k]);
	q->node[*k].key = key;
	q->node[*k].cost = cost;
	q->node[*k].child = q->node[*k].next = SEARCH_NIL;
	return SEARCH_OK;
}

/* Reorder the operands of k by cost (stably: the client's order otherwise)
 * and give k the cost of the dearest. */
static void order(struct search *q, uint16_t k)
{
	struct search_node *n = q->node;
	uint16_t sorted = SEARCH_NIL, c = n[k].child;

	while (c != SEARCH_NIL) {
		uint16_t next = n[c].next, *at = &sorted;

		while (*at != SEARCH_NIL && n[*at].cost <= n[c].cost)
			at = &n[*at].next;
		n[c].next = *at;
		*at = c;
		if (n[c].cost > n[k].cost)
			n[k].cost = n[c].cost;
		c = next;
	}
	n[k].child = sorted;
}

static enum search_status parse_set(struct tok *t, struct search *q, uint16_t k)
{
	struct seqset *set = &q->scratch;

	if (!tok_seqset(t, set))
		return set->n >= IMAP_SEQSET_MAX ? SEARCH_TOO_MANY : SEARCH_SYNTAX;
	if (set->n > SEARCH_RANGES_MAX - q->nranges)
		return SEARCH_TOO_MANY;
	q->node[k].u.set.first = q->nranges;
	q->node[k].u.set.n = set->n;
	for (unsigned r = 0; r < set->n; r++)
		q->range[q->nranges++] = (struct search_range){ set->lo[r], set->hi[r] };
	return SEARCH_OK;
}

static enum search_status parse_keys(struct tok *t, struct search *q, unsigned depth,
				     uint16_t parent);
static enum search_status parse_key(struct tok *t, struct search *q, unsigned depth,
				    uint16_t *k);

/* The operands of NOT and OR, one level deeper. */
static enum search_status parse_operands(struct tok *t, struct search *q, unsigned depth,
					 uint16_t k, int count)
{
	enum search_status rc;
	uint16_t *link = &q->node[k].child, c;

	if (depth >= IMAP_NESTING_MAX)
		return SEARCH_TOO_DEEP;
	while (count-- > 0) {
		if (!tok_sp(t))
			return SEARCH_SYNTAX;
		if ((rc = parse_key(t, q, depth + 1, &c)) != SEARCH_OK)
			return rc;
		*link = c;
		link = &q->node[c].next;
	}
	order(q, k);
	return SEARCH_OK;
}

static enum search_status parse_arg(struct tok *t, struct search *q, unsigned depth,
				    const struct keydef *d, uint16_t k)
{
	struct search_node *n = &q->node[k];
	time_t day;

	if (d->arg == A_NONE) {
		n->u.flags = (uint32_t)d->param;
		return SEARCH_OK;
	}
	if (d->arg == A_KEY || d->arg == A_KEY2)
		return parse_operands(t, q, depth, k, d->arg == A_KEY ? 1 : 2);
	if (!tok_sp(t))
		return SEARCH_SYNTAX;
	switch (d->arg) {
	case A_STRING:
		n->u.text.field = (struct str){ d->field, d->field ? strlen(d->field) : 0 };
		return tok_astring(t, &n->u.text.value) ? SEARCH_OK : SEARCH_SYNTAX;
	case A_HEADER:
		if (!tok_astring(t, &n->u.text.field) || !tok_sp(t) ||
		    !tok_astring(t, &n->u.text.value))
			return SEARCH_SYNTAX;
		if (!field_name_ok(&n->u.text.field)) {
			n->key = SK_NONE;
			n->cost = SC_INDEX;
		}
		return SEARCH_OK;
	case A_DATE:
		if (!tok_date(t, &day))
			return SEARCH_SYNTAX;
		n->u.date.day = day_of((int64_t)day);
		n->u.date.cmp = d->param;
		return SEARCH_OK;
	case A_NUMBER:
		return tok_number64(t, &n->u.size) ? SEARCH_OK : SEARCH_SYNTAX;
	case A_KEYWORD:
		n->u.kw.bit = -1;
		return tok_atom(t, &n->u.kw.name) ? SEARCH_OK : SEARCH_SYNTAX;
	case A_SET:
		return parse_set(t, q, k);
	}
	return SEARCH_SYNTAX;
}

static enum search_status parse_key(struct tok *t, struct search *q, unsigned depth,
				    uint16_t *k)
{
	enum search_status rc;
	const struct keydef *d;
	struct str w;
	int c = tok_peek(t);

	if (c == '(') {
		if (depth >= IMAP_NESTING_MAX)
			return SEARCH_TOO_DEEP;
		tok_char(t, '(');
		if ((rc = new_node(q, SK_AND, SC_INDEX, k)) != SEARCH_OK ||
		    (rc = parse_keys(t, q, depth + 1, *k)) != SEARCH_OK)
			return rc;
		return tok_char(t, ')') ? SEARCH_OK : SEARCH_SYNTAX;
	}
	if (c == '*' || (c >= '0' && c <= '9')) {
		if ((rc = new_node(q, SK_SEQ, SC_INDEX, k)) != SEARCH_OK)
			return rc;
		return parse_set(t, q, *k);
	}
	if (!tok_atom(t, &w) || !(d = find_key(&w)))
		return SEARCH_SYNTAX;
	if ((rc = new_node(q, d->key, d->cost, k)) != SEARCH_OK)
		return rc;
	return parse_arg(t, q, depth, d, *k);
}

/* search-key *(SP search-key): the operands of an AND. */
static enum search_status parse_keys(struct tok *t, struct search *q, unsigned depth,
				     uint16_t parent)
{
	enum search_status rc;
	uint16_t *link = &q->node[parent].child, k;

	do {
		if ((rc = parse_key(t, q, depth, &k)) != SEARCH_OK)
			return rc;
		*link = k;
		link = &q->node[k].next;
	} while (tok_sp(t));
	order(q, parent);
	return SEARCH_OK;
}

enum search_status search_parse(struct tok *t, struct search *q)
{
	enum search_status rc;
	struct str cs;
	uint16_t root = 0;

	q->nnodes = 0;
	q->nranges = 0;
	q->charset_ok = true;
	if (!tok_sp(t))
		return SEARCH_SYNTAX;
	if (tok_word(t, "CHARSET")) {
		if (!tok_sp(t) || !tok_astring(t, &cs) || !tok_sp(t))
			return SEARCH_SYNTAX;
		q->charset_ok = str_ieq(&cs, "US-ASCII") || str_ieq(&cs, "UTF-8");
	}
	new_node(q, SK_AND, SC_INDEX, &root);	/* node 0: cannot fail */
	if ((rc = parse_keys(t, q, 0, root)) != SEARCH_OK)
		return rc;
	if (!tok_end(t))
		return SEARCH_SYNTAX;
	return q->charset_ok ? SEARCH_OK : SEARCH_BADCHARSET;
}

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
 * one, INTERNALDATE stands in, as RFC 5256 3 has SORT do. */
static int64_t sent_day(struct search_msg *m)
{
	time_t t;
	int zone;

	if (!m->sent_known) {
		if (msg_sent_date_zone(&m->src, &t, &zone) == 0)
			m->sent_day = day_of((int64_t)t + (int64_t)zone * 60);
		else
			m->sent_day = day_of(m->idate);
		m->sent_known = true;
	}
	return m->sent_day;
}

static bool header_match(const struct search_node *n, struct search_msg *m)
{
	char name[FIELD_NAME_MAX + 1];
	const struct str *f = &n->u.text.field;

	memcpy(name, f->p, f->n);
	name[f->n] = '\0';
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
		return compare_day(day_of(m->idate), n);
	case SK_SENT:
		return compare_day(sent_day(m), n);
	case SK_SEQ:
		return in_set(q, n, m->seq);
	case SK_UID:
		return in_set(q, n, m->uid);
	case SK_HEADER:
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

	lout_write(&a->s->out, text, n);
	memcpy(a->echo + a->n, text, n < room ? n : room);
	a->n += n < room ? n : room;
}

static void answer_end(struct answer *a)
{
	lout_write(&a->s->out, "\r\n", 2);
	if (a->s->cfg->transcript)
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
	for (uint32_t i = 0; i < n && !s->out.failed; i++) {
		if (match_one(s, &q, i)) {
			snprintf(num, sizeof num, " %u", s->uid ? s->view[i].uid : i + 1);
			answer_add(&a, num);
		}
	}
	answer_end(&a);
	done(s, "OK", "%sSEARCH completed", s->uid ? "UID " : "");
}
