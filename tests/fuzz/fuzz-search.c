/* SEARCH criteria (search.h): search_parse() on the tokenizer over
 * commands cut from the input as cmdread.c cuts them (imapcmd.h), then
 * search_resolve_sets() and search_match() against one message stored in
 * mbox form (mboxmsg.h).
 *
 * A tree search_parse() accepts must be within its bounds: at most
 * IMAP_SEARCH_KEYS_MAX keys, IMAP_NESTING_MAX levels, every node reached
 * once from the root, NOT with one operand and OR with two, operands
 * ordered by cost and each parent as dear as its dearest operand, header
 * field names that header_match() can copy, ranges inside the range table.
 * Once resolved, every set is sorted, disjoint and not adjacent, and holds
 * exactly the numbers its ranges as written hold (with "*" the last
 * message or UID).  search_match() must agree with the tree evaluated here
 * directly, over the sets as written, and give the same answer again once
 * the message's Date: has been cached.
 *
 * Input: flags (1 byte: bits 0-4 the system flags, bit 6 the index knows
 * the message's size, bit 7 \Recent),
 * keywords (8), sequence number, UID, last sequence number, last UID and
 * INTERNALDATE (4 each, the date signed), message length (2), the message
 * (wire form), then the SEARCH arguments as they follow "tag SEARCH", one
 * command after another. */
#include "fuzz.h"
#include "imapcmd.h"
#include "mboxmsg.h"

#include "index.h"
#include "msgsearch.h"
#include "search.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DAY 86400

/* What the input says about the message and its mailbox. */
struct box {
	struct search_msg m;
	uint32_t last_seq, last_uid;
	const struct cmd *cmd;
	const struct tok *tok;
};

static struct mboxmsg msg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet_log();
	return 0;
}

/* ---- the tree ---- */

static unsigned operands(const struct search *q, uint16_t k)
{
	unsigned n = 0;

	for (uint16_t c = q->node[k].child; c < q->nnodes && n <= q->nnodes;
	     c = q->node[c].next)
		n++;
	return n;
}

/* The cost of a key that has no operands (searchkeys.c's table). */
static uint8_t leaf_cost(uint8_t key)
{
	switch (key) {
	case SK_HEADER:
	case SK_ADDRESS:
	case SK_SENT:
		return SC_HEADER;
	case SK_BODY:
		return SC_BODY;
	case SK_TEXT:
		return SC_TEXT;
	default:
		return SC_INDEX;
	}
}

static bool within(const struct box *b, const struct str *s)
{
	uintptr_t p = (uintptr_t)s->p, d = (uintptr_t)b->cmd->data;
	uintptr_t sc = (uintptr_t)b->tok->scratch;

	return (p >= d && p + s->n <= d + b->cmd->len) ||
	       (p >= sc && p + s->n <= sc + b->tok->used);
}

/* RFC 5322 3.6.8 field names: what header_match() copies into a bounded
 * buffer. */
static bool field_ok(const struct str *f)
{
	if (f->n == 0 || f->n > 998)
		return false;
	for (size_t i = 0; i < f->n; i++)
		if ((uint8_t)f->p[i] <= ' ' || (uint8_t)f->p[i] >= 0x7f || f->p[i] == ':')
			return false;
	return true;
}

static void check_leaf(const struct box *b, const struct search *q, uint16_t k,
		       uint32_t *ranges)
{
	const struct search_node *n = &q->node[k];

	FZ_CHECK(n->child == SEARCH_NIL && n->cost == leaf_cost(n->key),
		 "key %u (kind %u) has operands or costs %u", k, n->key, n->cost);
	switch (n->key) {
	case SK_SEQ:
	case SK_UID:
		FZ_CHECK(n->u.set.n > 0 && n->u.set.first == *ranges &&
			 n->u.set.n <= q->nranges - *ranges,
			 "key %u: ranges %u+%u of %u", k, n->u.set.first, n->u.set.n, q->nranges);
		*ranges += n->u.set.n;
		break;
	case SK_HEADER:
	case SK_ADDRESS:
		FZ_CHECK(field_ok(&n->u.text.field), "HEADER with field '%.*s'",
			 (int)n->u.text.field.n, n->u.text.field.p);
		/* fall through */
	case SK_BODY:
	case SK_TEXT:
		FZ_CHECK(within(b, &n->u.text.value), "key %u: string outside the command", k);
		break;
	case SK_KEYWORD:
	case SK_UNKEYWORD:
		FZ_CHECK(n->u.kw.name.n > 0 && within(b, &n->u.kw.name) && n->u.kw.bit == -1,
			 "key %u: keyword", k);
		break;
	case SK_DATE:
	case SK_SENT:
		FZ_CHECK(n->u.date.cmp >= -1 && n->u.date.cmp <= 1, "key %u: comparison %d", k,
			 n->u.date.cmp);
		break;
	default:
		FZ_CHECK(n->key <= SK_TEXT, "key %u: kind %u", k, n->key);
	}
}

/* Depth first from k at `level` (the root is level 0); counts visits. */
static void check_node(const struct box *b, const struct search *q, uint16_t k,
		       unsigned level, uint8_t *seen, uint32_t *ranges)
{
	const struct search_node *n = &q->node[k];
	unsigned ops;
	uint8_t top = SC_INDEX, prev = SC_INDEX;

	FZ_CHECK(k < q->nnodes && !seen[k]++, "node %u reached twice or out of range", k);
	FZ_CHECK(level <= IMAP_NESTING_MAX + 1, "node %u nested %u levels deep", k, level);
	if (n->key != SK_AND && n->key != SK_OR && n->key != SK_NOT) {
		check_leaf(b, q, k, ranges);
		return;
	}
	ops = operands(q, k);
	FZ_CHECK(n->key == SK_AND ? ops >= 1 : ops == (n->key == SK_OR ? 2u : 1u),
		 "node %u (kind %u) has %u operands", k, n->key, ops);
	for (uint16_t c = n->child; c != SEARCH_NIL; c = q->node[c].next) {
		FZ_CHECK(c < q->nnodes, "node %u: operand %u out of range", k, c);
		FZ_CHECK(q->node[c].cost >= prev, "node %u: operands not by cost", k);
		prev = q->node[c].cost;
		if (prev > top)
			top = prev;
		check_node(b, q, c, level + 1, seen, ranges);
	}
	FZ_CHECK(n->cost == top, "node %u costs %u, its dearest operand %u", k, n->cost, top);
}

static void check_tree(const struct box *b, const struct search *q)
{
	uint8_t seen[IMAP_SEARCH_KEYS_MAX + 1] = { 0 };
	uint32_t ranges = 0;

	FZ_CHECK(q->nnodes >= 2 && q->nnodes <= IMAP_SEARCH_KEYS_MAX + 1 &&
		 q->node[0].key == SK_AND && q->nranges <= SEARCH_RANGES_MAX,
		 "a tree of %u nodes and %u ranges", q->nnodes, q->nranges);
	check_node(b, q, 0, 0, seen, &ranges);
	for (uint16_t k = 0; k < q->nnodes; k++)
		FZ_CHECK(seen[k] == 1, "node %u is not in the tree", k);
	FZ_CHECK(ranges == q->nranges, "%u ranges used of %u", ranges, q->nranges);
}

/* ---- sets ---- */

static uint32_t star_is(uint32_t v, uint32_t star)
{
	return v == SEQ_STAR ? star : v;
}

/* Is x in the set as written? */
static bool written_has(const struct search *raw, const struct search_node *n, uint32_t x,
			uint32_t star)
{
	for (uint32_t r = n->u.set.first; r < n->u.set.first + n->u.set.n; r++) {
		uint32_t a = star_is(raw->range[r].lo, star), b = star_is(raw->range[r].hi, star);

		if ((x >= a && x <= b) || (x >= b && x <= a))
			return true;
	}
	return false;
}

static bool resolved_has(const struct search *q, const struct search_node *n, uint32_t x)
{
	for (uint32_t r = n->u.set.first; r < n->u.set.first + n->u.set.n; r++)
		if (x >= q->range[r].lo && x <= q->range[r].hi)
			return true;
	return false;
}

static void check_point(const struct search *q, const struct search *raw, uint16_t k,
			uint32_t x, uint32_t star)
{
	FZ_CHECK(resolved_has(q, &q->node[k], x) == written_has(raw, &raw->node[k], x, star),
		 "node %u: %u is %sin the resolved set", k, x,
		 resolved_has(q, &q->node[k], x) ? "" : "not ");
}

static void check_set(const struct search *q, const struct search *raw, uint16_t k,
		      uint32_t star)
{
	const struct search_node *n = &q->node[k], *w = &raw->node[k];
	const struct search_range *r = q->range + n->u.set.first;

	FZ_CHECK(n->u.set.first == w->u.set.first && n->u.set.n >= 1 && n->u.set.n <= w->u.set.n,
		 "node %u: %u ranges resolved from %u", k, n->u.set.n, w->u.set.n);
	for (uint32_t i = 0; i < n->u.set.n; i++) {
		FZ_CHECK(r[i].lo <= r[i].hi, "node %u: range %u:%u", k, r[i].lo, r[i].hi);
		FZ_CHECK(i == 0 || (uint64_t)r[i].lo > (uint64_t)r[i - 1].hi + 1,
			 "node %u: ranges %u:%u and %u:%u not sorted and apart", k,
			 r[i - 1].lo, r[i - 1].hi, r[i].lo, r[i].hi);
		check_point(q, raw, k, r[i].lo - 1, star);
		check_point(q, raw, k, r[i].hi + 1, star);
	}
	for (uint32_t i = w->u.set.first; i < w->u.set.first + w->u.set.n; i++) {
		check_point(q, raw, k, star_is(raw->range[i].lo, star), star);
		check_point(q, raw, k, star_is(raw->range[i].hi, star), star);
	}
	check_point(q, raw, k, 0, star);
	check_point(q, raw, k, star + 1, star);
	check_point(q, raw, k, UINT32_MAX, star);
}

/* ---- matching, directly ---- */

static int64_t day_of(int64_t t)
{
	int64_t d = t / DAY;

	return t % DAY < 0 ? d - 1 : d;
}

static bool compare(int64_t day, const struct search_node *n)
{
	return n->u.date.cmp < 0 ? day < n->u.date.day :
	       n->u.date.cmp == 0 ? day == n->u.date.day : day >= n->u.date.day;
}

static int64_t sent_day(const struct search_msg *m)
{
	time_t t;
	int zone;

	if (msg_sent_date_zone(&m->src, &t, &zone) != 0)
		return 0;	/* no usable Date: 1 Jan 1970, as Dovecot */
	FZ_CHECK(zone >= -(99 * 60 + 59) && zone <= 99 * 60 + 59, "Date: zone %d", zone);
	return day_of((int64_t)t + (int64_t)zone * 60);
}

static bool header_has(const struct search_node *n, const struct search_msg *m)
{
	char field[1000];

	memcpy(field, n->u.text.field.p, n->u.text.field.n);
	field[n->u.text.field.n] = '\0';
	if (n->key == SK_ADDRESS)
		return msg_address_contains(&m->src, field, n->u.text.value.p,
					    n->u.text.value.n);
	return msg_header_contains(&m->src, field, n->u.text.value.p, n->u.text.value.n);
}

static bool eval(const struct search *raw, uint16_t k, const struct box *b)
{
	const struct search_node *n = &raw->node[k];
	const struct search_msg *m = &b->m;
	bool any = false, all = true;

	switch ((enum search_key)n->key) {
	case SK_AND:
	case SK_OR:
		for (uint16_t c = n->child; c != SEARCH_NIL; c = raw->node[c].next) {
			bool v = eval(raw, c, b);

			any |= v;
			all &= v;
		}
		return n->key == SK_AND ? all : any;
	case SK_NOT:
		return !eval(raw, n->child, b);
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
	case SK_UNKEYWORD:
		any = n->u.kw.bit >= 0 && (m->keywords & (1ull << n->u.kw.bit));
		return n->key == SK_KEYWORD ? any : !any;
	case SK_LARGER:
		return m->size > n->u.size;
	case SK_SMALLER:
		return m->size < n->u.size;
	case SK_DATE:
		return compare(day_of(m->idate), n);
	case SK_SENT:
		return compare(sent_day(m), n);
	case SK_SEQ:
		return written_has(raw, n, m->seq, b->last_seq);
	case SK_UID:
		return written_has(raw, n, m->uid, b->last_uid);
	case SK_HEADER:
	case SK_ADDRESS:
		return header_has(n, m);
	case SK_BODY:
		return msg_body_contains(&m->src, n->u.text.value.p, n->u.text.value.n);
	case SK_TEXT:
		return msg_text_contains(&m->src, n->u.text.value.p, n->u.text.value.n);
	}
	fz_fail("node %u: kind %u", k, n->key);
}

/* ---- one SEARCH ---- */

/* Keywords get a bit of the mailbox, or -1 when it has no such keyword. */
static void keywords(struct search *q)
{
	for (uint16_t k = 0; k < q->nnodes; k++) {
		struct search_node *n = &q->node[k];
		uint32_t h = 2166136261u;

		if (n->key != SK_KEYWORD && n->key != SK_UNKEYWORD)
			continue;
		for (size_t i = 0; i < n->u.kw.name.n; i++)
			h = (h ^ (uint8_t)n->u.kw.name.p[i]) * 16777619u;
		n->u.kw.bit = (int)(h % (KEYWORDS_MAX + 1)) - 1;
	}
}

static void search(struct box *b, const struct cmd *cmd)
{
	static struct search q, raw;
	struct search_msg again;
	struct tok t;
	enum search_status rc;
	bool want, got;

	if (tok_init(&t, cmd) != 0)
		fz_fail("out of memory");
	b->cmd = cmd;
	b->tok = &t;
	rc = search_parse(&t, &q);
	if (rc == SEARCH_OK || rc == SEARCH_BADCHARSET) {
		FZ_CHECK(tok_end(&t), "search_parse ended before the command");
		check_tree(b, &q);
	}
	if (rc == SEARCH_OK) {
		keywords(&q);
		raw = q;
		search_resolve_sets(&q, b->last_seq, b->last_uid);
		for (uint16_t k = 0; k < q.nnodes; k++)
			if (q.node[k].key == SK_SEQ || q.node[k].key == SK_UID)
				check_set(&q, &raw, k, q.node[k].key == SK_SEQ ? b->last_seq :
						       b->last_uid);
		want = eval(&raw, 0, b);
		again = b->m;
		got = search_match(&q, &again);
		FZ_CHECK(got == want, "search_match says %d, the tree %d", got, want);
		FZ_CHECK(search_match(&q, &again) == got, "search_match changed its mind");
	}
	tok_free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	static struct cmd cmd;
	struct box b;
	uint8_t flags = fz_u8(&f);
	const uint8_t *text;
	size_t n;

	memset(&b, 0, sizeof b);
	b.m.flags = flags & FL_ALL;
	b.m.recent = flags & 0x80;
	b.m.keywords = (uint64_t)fz_u32(&f) << 32;
	b.m.keywords |= fz_u32(&f);
	b.m.seq = fz_u32(&f);
	b.m.uid = fz_u32(&f);
	b.last_seq = fz_u32(&f);
	b.last_uid = fz_u32(&f);
	b.m.idate = (int32_t)fz_u32(&f);
	text = fz_take(&f, fz_u16(&f), &n);
	mboxmsg_store(&msg, text, n, flags & 0x40);
	b.m.src = msg.src;
	b.m.size = msg.scan.wire_size;
	while (imapcmd_next(&f, &cmd)) {
		search(&b, &cmd);
		imapcmd_free(&cmd);
	}
	return 0;
}
