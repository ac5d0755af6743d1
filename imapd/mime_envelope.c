/* ENVELOPE (RFC 3501 7.4.2): ten header fields, the address lists parsed
 * per RFC 5322 3.4 (groups, display names, obsolete routes), leniently:
 * whatever the header holds, the output is well-formed. */
#include "mime_int.h"
#include "imapout.h"
#include "lineio.h"

#include <stdlib.h>
#include <string.h>

#define ENV_FIELD_MAX (64 * 1024)	/* one field, repeats of an address field joined */

/* Host of an address that has none (RFC 3501 needs one: NIL means a group). */
#define MISSING_DOMAIN "MISSING_DOMAIN"

enum { E_DATE, E_SUBJECT, E_FROM, E_SENDER, E_REPLY_TO, E_TO, E_CC, E_BCC,
       E_IN_REPLY_TO, E_MESSAGE_ID, E_N };

static const char *const env_names[E_N] = {
	"Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
	"In-Reply-To", "Message-ID",
};

static bool is_addr_field(int i)
{
	return i >= E_FROM && i <= E_BCC;
}

struct env {
	char *v[E_N];		/* NULL: absent */
	size_t n[E_N];
	bool oom;
};

/* ---- collecting the fields ---- */

static int env_index(const char *name, size_t n)
{
	for (int i = 0; i < E_N; i++)
		if (mime_name_is(name, n, env_names[i]))
			return i;
	return -1;
}

static bool env_want(void *arg, const char *name, size_t n)
{
	(void)arg;
	return env_index(name, n) >= 0;
}

/* The first of a repeated field counts, except address fields, whose
 * lists are joined (a message with two To: lines has both). */
static void env_field(void *arg, const char *name, size_t nlen, const char *val,
		      size_t vlen)
{
	struct env *e = arg;
	int i = env_index(name, nlen);
	size_t old = e->v[i] ? e->n[i] : 0, sep = old ? 1 : 0;
	char *v;

	if (e->v[i] && !is_addr_field(i))
		return;
	if (old + sep + vlen > ENV_FIELD_MAX) {
		if (old + sep >= ENV_FIELD_MAX)
			return;		/* full: no room even for a separator */
		vlen = ENV_FIELD_MAX - old - sep;
	}
	v = realloc(e->v[i], old + sep + vlen + 1);
	if (!v) {
		e->oom = true;
		return;
	}
	if (sep)
		v[old] = ',';
	memcpy(v + old + sep, val, vlen);
	v[old + sep + vlen] = '\0';
	e->v[i] = v;
	e->n[i] = old + sep + vlen;
}

static int env_read(struct env *e, int fd, uint64_t start, uint64_t end)
{
	char *head = malloc(ENV_FIELD_MAX), *acc = malloc(ENV_FIELD_MAX);
	struct mrd *r = mrd_open(fd, start, end);
	struct hdracc a;
	struct rline ln;
	int rc = -1;

	if (head && acc && r) {
		hdracc_init(&a, acc, ENV_FIELD_MAX, env_want, env_field, e);
		while (mrd_line(r, head, ENV_FIELD_MAX, &ln) && ln.len - ln.cr > 0) {
			const char *t;
			size_t n = rline_text(&ln, head, &t);

			hdracc_line(&a, t, n);
		}
		hdracc_flush(&a);
		rc = r->err || e->oom ? -1 : 0;
	}
	free(head);
	free(acc);
	mrd_close(r);
	return rc;
}

/* ---- address lists ---- */

enum { A_NAME, A_ADL, A_MAILBOX, A_HOST };

struct addr {
	const char *s[4];	/* NULL: NIL */
	size_t n[4];
};

struct alist {
	struct addr *v;
	size_t n, cap;
	char *scratch;		/* the strings the addresses point into */
};

enum tk { T_END, T_WORD, T_QUOTED, T_DLIT, T_SPECIAL };

struct tok {
	enum tk t;
	const char *s;
	size_t n;
};

struct aparse {
	struct hlex x;
	char *scratch;		/* unquoted strings, bump-allocated */
	size_t used, cap;
	const char *comment;	/* the last comment seen in this address */
	size_t ncomment;
	bool in_group;
	bool oom;
};

static bool special(char c)
{
	return c == '<' || c == '>' || c == '@' || c == ',' || c == ';' || c == ':';
}

/* Past a "..." or [...] starting at p: to the closing char or the end. */
static const char *past_delimited(const char *p, const char *e, char close)
{
	for (p++; p < e && *p != close; p++)
		if (*p == '\\' && p + 1 < e)
			p++;
	return p < e ? p + 1 : e;
}

static struct tok next_tok(struct aparse *a)
{
	struct hlex *x = &a->x;
	struct tok t = { T_END, NULL, 0 };
	const char *cs = NULL, *p;
	size_t cn = 0;

	hlex_cfws_comment(x, &cs, &cn);
	if (cs) {
		a->comment = cs;
		a->ncomment = cn;
	}
	if (hlex_end(x))
		return t;
	t.s = p = x->p;
	if (*p == '"' || *p == '[') {
		t.t = *p == '"' ? T_QUOTED : T_DLIT;
		p = past_delimited(p, x->e, *p == '"' ? '"' : ']');
	} else if (special(*p)) {
		t.t = T_SPECIAL;
		p++;
	} else {
		/* Control characters stay inside words: every token consumes
		 * at least one byte, so no loop over tokens can stall. */
		t.t = T_WORD;
		do
			p++;
		while (p < x->e && !special(*p) && *p != '"' && *p != '(' &&
		       *p != '[' && !is_wsp(*p) && *p != '\r' && *p != '\n');
	}
	t.n = (size_t)(p - t.s);
	x->p = p;
	return t;
}

static struct tok peek_tok(struct aparse *a)
{
	struct hlex save = a->x;
	const char *c = a->comment;
	size_t cn = a->ncomment;
	struct tok t = next_tok(a);

	a->x = save;
	a->comment = c;
	a->ncomment = cn;
	return t;
}

static bool is_special(struct tok t, char c)
{
	return t.t == T_SPECIAL && *t.s == c;
}

/* A string being built in the scratch area. */
struct sbuild {
	char *s;
	size_t n;
	const char *lim;	/* end of the scratch area */
};

static void sb_start(struct aparse *a, struct sbuild *b)
{
	b->s = a->scratch + a->used;
	b->n = 0;
	b->lim = a->scratch + a->cap;
}

/* Append a token, unquoted, with a space before it when `spaced`.  The
 * scratch area is sized for the worst case (see parse_addresses); the
 * limit is a second guard. */
static void sb_add(struct sbuild *b, struct tok t, bool spaced)
{
	const char *p = t.s, *e = t.s + t.n;

	if ((size_t)(b->lim - b->s) < b->n + 2 * t.n + 1)
		return;
	if (spaced && b->n > 0)
		b->s[b->n++] = ' ';
	if (t.t == T_QUOTED) {
		p++;
		if (e > p && e[-1] == '"')
			e--;
	}
	for (; p < e; p++) {
		if (t.t == T_QUOTED && *p == '\\' && p + 1 < e)
			p++;
		if (t.t == T_QUOTED && (*p == '\r' || *p == '\n'))
			continue;
		b->s[b->n++] = *p;
	}
}

static void sb_end(struct aparse *a, struct sbuild *b)
{
	a->used = (size_t)(b->s + b->n - a->scratch);
}

static void emit(struct aparse *a, struct alist *l, const char *name, size_t nn,
		 const char *adl, size_t an, const char *mbox, size_t mn,
		 const char *host, size_t hn)
{
	struct addr *v;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((v = realloc(l->v, cap * sizeof *v)) == NULL) {
			a->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	v = &l->v[l->n++];
	v->s[A_NAME] = name;
	v->n[A_NAME] = nn;
	v->s[A_ADL] = adl;
	v->n[A_ADL] = an;
	v->s[A_MAILBOX] = mbox;
	v->n[A_MAILBOX] = mn;
	v->s[A_HOST] = host;
	v->n[A_HOST] = hn;
}

static void emit_group_end(struct aparse *a, struct alist *l)
{
	emit(a, l, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
	a->in_group = false;
}

/* Domain tokens (dot-atoms, literals) up to a special. */
static void parse_domain(struct aparse *a, struct sbuild *b)
{
	struct tok t;

	sb_start(a, b);
	while ((t = peek_tok(a)).t == T_WORD || t.t == T_DLIT || t.t == T_QUOTED)
		sb_add(b, next_tok(a), false);
	sb_end(a, b);
}

/* After one address: to the ',' that ends it, or a ';' that ends the group. */
static void address_end(struct aparse *a, struct alist *l)
{
	struct tok t;

	while ((t = next_tok(a)).t != T_END) {
		if (is_special(t, ','))
			return;
		if (is_special(t, ';') && a->in_group) {
			emit_group_end(a, l);
			return;
		}
	}
}

/* "<" [route ":"] local "@" domain ">" (RFC 5322 3.4, 4.4 obs-route) */
static void parse_angle(struct aparse *a, struct alist *l, struct sbuild *name)
{
	struct sbuild route = { NULL, 0, NULL }, local, host = { NULL, 0, NULL };
	struct tok t;

	if (is_special(peek_tok(a), '@')) {
		sb_start(a, &route);
		while ((t = next_tok(a)).t != T_END && !is_special(t, ':') &&
		       !is_special(t, '>'))
			sb_add(&route, t, false);
		sb_end(a, &route);
	}
	sb_start(a, &local);
	while ((t = peek_tok(a)).t != T_END && !is_special(t, '@') &&
	       !is_special(t, '>') && !is_special(t, ',') && !is_special(t, ';'))
		sb_add(&local, next_tok(a), false);
	sb_end(a, &local);
	if (is_special(peek_tok(a), '@')) {
		next_tok(a);
		parse_domain(a, &host);
	}
	if (is_special(peek_tok(a), '>'))
		next_tok(a);
	emit(a, l, name->n ? name->s : NULL, name->n, route.n ? route.s : NULL,
	     route.n, local.s, local.n, host.n ? host.s : MISSING_DOMAIN,
	     host.n ? host.n : strlen(MISSING_DOMAIN));
}

static void emit_comment_name(struct aparse *a, struct alist *l, struct sbuild *local,
			      struct sbuild *host)
{
	const char *c = a->comment;
	size_t cn = a->ncomment;

	while (cn > 0 && is_wsp(*c)) {
		c++;
		cn--;
	}
	while (cn > 0 && is_wsp(c[cn - 1]))
		cn--;
	emit(a, l, cn ? c : NULL, cn, NULL, 0, local->s, local->n,
	     host && host->n ? host->s : MISSING_DOMAIN,
	     host && host->n ? host->n : strlen(MISSING_DOMAIN));
}

/* Words up to the next special: as a phrase (spaced, RFC 5322 3.2.5) and,
 * read a second time, as a local part (joined). */
static void parse_words(struct aparse *a, struct sbuild *phrase,
			struct sbuild *local)
{
	struct hlex start = a->x;
	struct tok t;

	for (int pass = 0; pass < 2; pass++) {
		struct sbuild *b = pass ? local : phrase;

		a->x = start;
		sb_start(a, b);
		while ((t = peek_tok(a)).t != T_END && t.t != T_SPECIAL)
			sb_add(b, next_tok(a), !pass);
		sb_end(a, b);
	}
}

static void trailing_comment(struct aparse *a)
{
	const char *cs = NULL;
	size_t cn = 0;

	hlex_cfws_comment(&a->x, &cs, &cn);
	if (cs) {
		a->comment = cs;
		a->ncomment = cn;
	}
}

/* One address, a group start, or a group end. */
static void parse_address(struct aparse *a, struct alist *l)
{
	struct sbuild phrase, local, host;
	struct tok t;

	a->comment = NULL;
	a->ncomment = 0;
	parse_words(a, &phrase, &local);
	t = next_tok(a);
	if (is_special(t, '<')) {
		parse_angle(a, l, &phrase);
		address_end(a, l);
	} else if (is_special(t, ':') && !a->in_group) {
		emit(a, l, NULL, 0, NULL, 0, phrase.s, phrase.n, NULL, 0);
		a->in_group = true;
	} else if (is_special(t, '@')) {
		parse_domain(a, &host);
		trailing_comment(a);	/* "user@host (Name)" */
		emit_comment_name(a, l, &local, &host);
		address_end(a, l);
	} else if (t.t == T_END || is_special(t, ',') || is_special(t, ';')) {
		if (local.n > 0)
			emit_comment_name(a, l, &local, NULL);
		if (is_special(t, ';') && a->in_group)
			emit_group_end(a, l);
	}
	/* anything else (a stray '>', ':' in a group) is skipped */
}

static void alist_free(struct alist *l)
{
	free(l->v);
	free(l->scratch);
	memset(l, 0, sizeof *l);
}

static int parse_addresses(const char *s, size_t n, struct alist *l)
{
	struct aparse a;

	memset(&a, 0, sizeof a);
	a.x.p = s;
	a.x.e = s + n;
	/* A phrase's bytes are copied twice (phrase and local part) with a
	 * space per word; every other byte at most once. */
	a.cap = 4 * n + 16;
	if ((a.scratch = malloc(a.cap)) == NULL)
		return -1;
	l->scratch = a.scratch;
	while (!a.oom && !hlex_end(&a.x)) {
		parse_address(&a, l);
		hlex_cfws(&a.x);
	}
	if (a.in_group)
		emit_group_end(&a, l);
	return a.oom ? -1 : 0;
}

/* ---- writing ---- */

static void write_alist(struct lout *out, const struct alist *l)
{
	if (l->n == 0) {
		lout_write(out, "NIL", 3);
		return;
	}
	lout_write(out, "(", 1);
	for (size_t i = 0; i < l->n; i++) {
		lout_write(out, "(", 1);
		for (int k = 0; k < 4; k++) {
			if (k > 0)
				lout_write(out, " ", 1);
			imap_write_nstring(out, l->v[i].s[k], l->v[i].n[k]);
		}
		lout_write(out, ")", 1);
	}
	lout_write(out, ")", 1);
}

static void write_env(struct lout *out, struct env *e, struct alist *al)
{
	lout_write(out, "(", 1);
	for (int i = 0; i < E_N; i++) {
		const struct alist *l = &al[i];

		if (i > 0)
			lout_write(out, " ", 1);
		if (!is_addr_field(i)) {
			imap_write_nstring(out, e->v[i], e->n[i]);
			continue;
		}
		if ((i == E_SENDER || i == E_REPLY_TO) && l->n == 0)
			l = &al[E_FROM];	/* RFC 3501 7.4.2: default to From */
		write_alist(out, l);
	}
	lout_write(out, ")", 1);
}

int mime_envelope_raw(struct lout *out, int fd, uint64_t start, uint64_t hdr_end)
{
	struct env e;
	struct alist al[E_N];
	int rc;

	memset(&e, 0, sizeof e);
	memset(al, 0, sizeof al);
	rc = env_read(&e, fd, start, hdr_end);
	for (int i = E_FROM; rc == 0 && i <= E_BCC; i++)
		if (e.v[i] && parse_addresses(e.v[i], e.n[i], &al[i]) != 0)
			rc = -1;
	if (rc == 0)
		write_env(out, &e, al);
	else
		mime_envelope_raw_nil(out);
	for (int i = 0; i < E_N; i++) {
		free(e.v[i]);
		alist_free(&al[i]);
	}
	return rc;
}

void mime_envelope_raw_nil(struct lout *out)
{
	lout_puts(out, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}
