/* SEARCH criteria (RFC 3501 6.4.4): the key list as a tree, parsed whole
 * before any message is looked at, then evaluated message by message.
 *
 * The parser is a pure function of the tokenizer's input with fixed bounds
 * (IMAP_SEARCH_KEYS_MAX keys, IMAP_NESTING_MAX levels of "(", NOT and OR):
 * no allocation, recursion no deeper than the nesting bound.  What the
 * tree points to (strings) lives in the command being parsed. */
#ifndef IMAPD_SEARCH_H
#define IMAPD_SEARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "limits.h"
#include "message.h"
#include "parser.h"

enum search_key {
	SK_AND,		/* the top level and "(...)": every child */
	SK_OR,		/* either of two children */
	SK_NOT,		/* not the one child */
	SK_ALL,
	SK_NONE,	/* matches nothing (HEADER with an impossible name) */
	SK_FLAG,	/* u.flags set: ANSWERED, DELETED, DRAFT, FLAGGED, SEEN */
	SK_UNFLAG,	/* u.flags clear: UNANSWERED, ... UNSEEN */
	SK_RECENT,
	SK_NEW,		/* \Recent and not \Seen */
	SK_OLD,		/* not \Recent */
	SK_KEYWORD,	/* u.kw */
	SK_UNKEYWORD,
	SK_LARGER,	/* u.size: RFC822.SIZE > n */
	SK_SMALLER,	/* RFC822.SIZE < n */
	SK_DATE,	/* u.date against INTERNALDATE: BEFORE, ON, SINCE */
	SK_SENT,	/* u.date against Date: SENTBEFORE, SENTON, SENTSINCE */
	SK_SEQ,		/* u.set of message sequence numbers */
	SK_UID,		/* u.set of UIDs */
	SK_HEADER,	/* u.text: field contains value; SUBJECT, HEADER */
	SK_ADDRESS,	/* the same on an address list: FROM, TO, CC, BCC */
	SK_BODY,	/* u.text.value in the body */
	SK_TEXT,	/* u.text.value in the header or the body */
};

/* What evaluating a key costs: the tree is ordered so that, among the
 * operands of AND and OR, the cheaper ones are tried first. */
enum search_cost {
	SC_INDEX,	/* the index record and the view: no reading */
	SC_HEADER,	/* reads the message's header */
	SC_BODY,	/* reads (and decodes) the body */
	SC_TEXT,	/* both */
};

/* RFC 5322 2.1.1: no field name is longer than a line. */
#define SEARCH_FIELD_NAME_MAX 998

#define SEARCH_NIL UINT16_MAX	/* no node */
/* Ranges of all sequence sets of one SEARCH together. */
#define SEARCH_RANGES_MAX (4 * IMAP_SEQSET_MAX)

struct search_range {
	uint32_t lo, hi;	/* SEQ_STAR until search_resolve_sets() */
};

struct search_node {
	uint8_t key;		/* enum search_key */
	uint8_t cost;		/* enum search_cost, the highest below it */
	uint16_t child;		/* AND, OR, NOT: the first operand */
	uint16_t next;		/* the next operand of the same parent */
	union {
		uint32_t flags;
		uint64_t size;
		struct {
			int64_t day;	/* days since 1970-01-01 */
			int cmp;	/* -1 BEFORE, 0 ON, 1 SINCE */
		} date;
		struct {
			uint32_t first, n;	/* in search.range */
		} set;
		struct {
			struct str name;	/* the keyword as given */
			int bit;		/* in the mailbox; -1 when absent */
		} kw;
		struct {
			struct str field;	/* SK_HEADER: the field name */
			struct str value;
		} text;
	} u;
};

struct search {
	bool charset_ok;	/* no CHARSET, or one that is supported */
	uint16_t nnodes;	/* node[0] is the root, an SK_AND */
	struct search_node node[IMAP_SEARCH_KEYS_MAX + 1];
	uint32_t nranges;
	struct search_range range[SEARCH_RANGES_MAX];
	struct seqset scratch;	/* what tok_seqset fills */
};

enum search_status {
	SEARCH_OK,
	SEARCH_SYNTAX,		/* bad syntax or an unknown key */
	SEARCH_TOO_MANY,	/* more than IMAP_SEARCH_KEYS_MAX keys, or ranges */
	SEARCH_TOO_DEEP,	/* more than IMAP_NESTING_MAX levels */
	SEARCH_BADCHARSET,	/* parsed, but the CHARSET is not supported */
};

/* Parse SEARCH's arguments: SP ["CHARSET" SP astring SP] search-key
 * *(SP search-key), to the end of the command.  Syntax and the bounds are
 * checked before the charset. */
enum search_status search_parse(struct tok *t, struct search *q);

/* Days since 1970-01-01 of a time in Unix seconds (negative ones too). */
int64_t search_day_of(int64_t t);

/* Give "*" its value (the last message number and the last UID of the
 * view) and make every set sorted and disjoint, for search_match(). */
void search_resolve_sets(struct search *q, uint32_t last_seq, uint32_t last_uid);

/* A message as SEARCH sees it. */
struct search_msg {
	uint32_t seq, uid;
	uint32_t flags;
	uint64_t keywords;
	bool recent;
	uint64_t size;		/* RFC822.SIZE */
	int64_t idate;		/* INTERNALDATE, Unix seconds */
	struct msgsrc src;	/* the bytes, for header and body keys */
	bool sent_known;	/* sent_day has been read */
	int64_t sent_day;
};

/* Whether the message matches.  Keywords must have been resolved (u.kw.bit)
 * and sets too. */
bool search_match(const struct search *q, struct search_msg *m);

#endif
