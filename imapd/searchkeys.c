/* SEARCH's key list (RFC 3501 6.4.4) parsed into the tree of search.h: a
 * table of keys with their argument and cost, a recursive descent bounded
 * by IMAP_NESTING_MAX, and the order that puts cheap operands first. */
#include "search.h"

#include "index.h"

#include <string.h>

#define DAY 86400

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
	{ "BCC", SK_ADDRESS, A_STRING, SC_HEADER, 0, "Bcc" },
	{ "BEFORE", SK_DATE, A_DATE, SC_INDEX, -1, NULL },
	{ "BODY", SK_BODY, A_STRING, SC_BODY, 0, NULL },
	{ "CC", SK_ADDRESS, A_STRING, SC_HEADER, 0, "Cc" },
	{ "DELETED", SK_FLAG, A_NONE, SC_INDEX, FL_DELETED, NULL },
	{ "DRAFT", SK_FLAG, A_NONE, SC_INDEX, FL_DRAFT, NULL },
	{ "FLAGGED", SK_FLAG, A_NONE, SC_INDEX, FL_FLAGGED, NULL },
	{ "FROM", SK_ADDRESS, A_STRING, SC_HEADER, 0, "From" },
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
	{ "TO", SK_ADDRESS, A_STRING, SC_HEADER, 0, "To" },
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

int64_t search_day_of(int64_t t)
{
	return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

/* A field name that some header could have (RFC 5322 3.6.8: printable
 * ASCII but ":"); any other can only match nothing. */
static bool field_name_ok(const struct str *f)
{
	if (f->n == 0 || f->n > SEARCH_FIELD_NAME_MAX)
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
		n->u.date.day = search_day_of((int64_t)day);
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
