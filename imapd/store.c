/* STORE and UID STORE (RFC 3501 6.4.6): FLAGS, +FLAGS, -FLAGS, with
 * .SILENT.  Flags and keywords live in the index, changed under the
 * mailbox's write lock; other sessions see them at their next sync. */
#include "session.h"

#include "index.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>

#define STORE_FLAGS_MAX KEYWORDS_MAX

enum store_op { SET, ADD, REMOVE };

struct store {
	enum store_op op;
	bool silent;
	uint32_t flags;
	char kw[STORE_FLAGS_MAX][KEYWORD_LEN_MAX + 1];
	unsigned nkw;
	uint64_t kwbits;	/* the keywords as bits of this mailbox */
	long first, last;	/* index records changed */
};

static const char *const system_flags[] = {
	"\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft",
};

/* One flag: a system flag, or a keyword (an atom). */
static bool take_flag(struct store *st, const struct str *f)
{
	if (f->n > 0 && f->p[0] == '\\') {
		for (int b = 0; b < 5; b++) {
			if (str_ieq(f, system_flags[b])) {
				st->flags |= 1u << b;
				return true;
			}
		}
		return false;	/* \Recent and unknown system flags cannot be stored */
	}
	if (st->nkw >= STORE_FLAGS_MAX || !str_copy(f, st->kw[st->nkw], KEYWORD_LEN_MAX + 1))
		return false;
	st->nkw++;
	return true;
}

static bool parse(struct tok *t, struct store *st)
{
	struct str a, f;
	bool list;

	if (!tok_atom(t, &a))
		return false;
	st->op = SET;
	if (a.n && (a.p[0] == '+' || a.p[0] == '-')) {
		st->op = a.p[0] == '+' ? ADD : REMOVE;
		a.p++;
		a.n--;
	}
	if (str_ieq(&a, "FLAGS.SILENT"))
		st->silent = true;
	else if (!str_ieq(&a, "FLAGS"))
		return false;
	if (!tok_sp(t))
		return false;
	list = tok_char(t, '(');
	if (list && tok_char(t, ')'))
		return tok_end(t);	/* an empty list */
	do {
		if (!tok_flag(t, &f, false) || !take_flag(st, &f))
			return false;
	} while (tok_sp(t));
	return (!list || tok_char(t, ')')) && tok_end(t);
}

/* Keywords to bits of this mailbox's table; new ones are added (false when
 * the table is full). */
static bool keyword_bits(struct imap *s, struct store *st)
{
	for (unsigned k = 0; k < st->nkw; k++) {
		int bit = mailbox_keyword(&s->mb, st->kw[k], st->op != REMOVE);

		if (bit < 0 && st->op != REMOVE)
			return false;
		if (bit >= 0)
			st->kwbits |= 1ull << bit;
	}
	return true;
}

static void store_one(struct imap *s, uint32_t i, void *arg)
{
	struct store *st = arg;
	long pos = view_pos(s, i);
	struct idx_rec *r;

	if (pos < 0)
		return;		/* expunged elsewhere: nothing to store */
	r = &s->mb.ix.rec[pos];
	switch (st->op) {
	case SET:
		r->flags = st->flags;
		r->keywords = st->kwbits;
		break;
	case ADD:
		r->flags |= st->flags;
		r->keywords |= st->kwbits;
		break;
	case REMOVE:
		r->flags &= ~st->flags;
		r->keywords &= ~st->kwbits;
		break;
	}
	if (st->first < 0 || pos < st->first)
		st->first = pos;
	if (pos > st->last)
		st->last = pos;
}

/* The untagged FETCH for each message stored (RFC 3501 6.4.6). */
static void tell_one(struct imap *s, uint32_t i, void *arg)
{
	struct store *st = arg;
	long pos = view_pos(s, i);
	struct view_msg *v = &s->view[i];

	if (pos < 0)
		return;
	v->flags = s->mb.ix.rec[pos].flags;
	v->keywords = s->mb.ix.rec[pos].keywords;
	if (st->silent)
		return;
	lout_printf(&s->conn.out, "* %u FETCH (", i + 1);
	if (s->uid)
		lout_printf(&s->conn.out, "UID %u ", v->uid);
	lout_puts(&s->conn.out, "FLAGS ");
	write_flags(s, v->flags, v->keywords, v->recent);
	lout_puts(&s->conn.out, ")\r\n");
}

void cmd_store(struct imap *s)
{
	static struct store st;
	struct seqset set;
	uint32_t had_keywords;

	memset(&st, 0, sizeof st);
	st.first = st.last = -1;
	if (!tok_sp(&s->tok) || !tok_seqset(&s->tok, &set) || !tok_sp(&s->tok) ||
	    !parse(&s->tok, &st)) {
		bad_syntax(s);
		return;
	}
	if (s->readonly) {
		done(s, "NO", "[READ-ONLY] Mailbox is read-only");
		return;
	}
	if (!view_lock(s, F_WRLCK)) {
		done(s, "NO", "[UNAVAILABLE] Mailbox busy, try again later");
		return;
	}
	had_keywords = s->mb.ix.h.nkeywords;
	if (!keyword_bits(s, &st)) {
		s->mb.ix.h.nkeywords = had_keywords;
		view_unlock(s);
		done(s, "NO", "[LIMIT] Too many keywords in this mailbox");
		return;
	}
	if (!view_each(s, &set, s->uid, store_one, &st)) {
		view_unlock(s);
		return;
	}
	if ((st.first >= 0 || s->mb.ix.h.nkeywords != had_keywords) &&
	    mailbox_save_flags(&s->mb, st.first < 0 ? 1 : (uint32_t)st.first,
			       st.first < 0 ? 0 : (uint32_t)st.last) != 0) {
		log_msg(LOG_ERR, "%s: %s: saving flags: %s", s->conn.user, s->mailbox,
			strerror(errno));
		view_unlock(s);
		done(s, "NO", "[UNAVAILABLE] Cannot save flags, try again later");
		return;
	}
	view_unlock(s);
	if (s->mb.ix.h.nkeywords != s->nkeywords)
		view_send_flags(s);	/* a new keyword: FLAGS before it is used */
	view_each(s, &set, s->uid, tell_one, &st);
	/* Messages expunged by another session are skipped and the others
	 * stored: RFC 2180 4.2 allows OK or NO; OK as Dovecot, since clients
	 * racing on two machines expect it. */
	done(s, "OK", "%sSTORE completed", s->uid ? "UID " : "");
}
