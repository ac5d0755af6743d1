/* RFC 5322 address lists (3.4, 4.4 obs-route), leniently: a small
 * tokenizer over the field value, then mailboxes and groups as they come.
 * Strings are unquoted into one scratch area sized for the worst case. */
#include "address.h"
#include "msgparse.h"

#include <stdlib.h>
#include <string.h>

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
 * scratch area is sized for the worst case (see msg_addr_list_parse); the
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

static void push(struct aparse *a, struct msg_addr_list *l, const struct msg_addr *e)
{
	struct msg_addr *v;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;

		if ((v = realloc(l->v, cap * sizeof *v)) == NULL) {
			a->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
}

/* A mailbox; an empty name, route or host is none. */
static void emit(struct aparse *a, struct msg_addr_list *l, const char *name, size_t nn,
		 const struct sbuild *route, const struct sbuild *local,
		 const struct sbuild *host)
{
	struct msg_addr e = { .kind = MSG_ADDR_MAILBOX };

	e.name = nn ? name : NULL;
	e.nname = nn;
	if (route && route->n) {
		e.route = route->s;
		e.nroute = route->n;
	}
	e.mailbox = local->s;
	e.nmailbox = local->n;
	if (host && host->n) {
		e.host = host->s;
		e.nhost = host->n;
	}
	push(a, l, &e);
}

static void emit_group_end(struct aparse *a, struct msg_addr_list *l)
{
	struct msg_addr e = { .kind = MSG_ADDR_GROUP_END };

	push(a, l, &e);
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
static void address_end(struct aparse *a, struct msg_addr_list *l)
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
static void parse_angle(struct aparse *a, struct msg_addr_list *l, struct sbuild *name)
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
	emit(a, l, name->s, name->n, &route, &local, &host);
}

static void emit_comment_name(struct aparse *a, struct msg_addr_list *l, struct sbuild *local,
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
	emit(a, l, c, cn, NULL, local, host);
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
static void parse_address(struct aparse *a, struct msg_addr_list *l)
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
		struct msg_addr e = { .kind = MSG_ADDR_GROUP_START };

		e.name = phrase.s;
		e.nname = phrase.n;
		push(a, l, &e);
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

void msg_addr_list_free(struct msg_addr_list *l)
{
	free(l->v);
	free(l->scratch);
	memset(l, 0, sizeof *l);
}

int msg_addr_list_parse(const char *s, size_t n, struct msg_addr_list *l)
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

size_t msg_addr_spec(const struct msg_addr *a, char *buf, size_t cap)
{
	size_t n = a->nmailbox + (a->host ? 1 + a->nhost : 0);

	if (a->kind != MSG_ADDR_MAILBOX || a->nmailbox == 0 || n >= cap)
		return 0;
	memcpy(buf, a->mailbox, a->nmailbox);
	if (a->host) {
		buf[a->nmailbox] = '@';
		memcpy(buf + a->nmailbox + 1, a->host, a->nhost);
	}
	buf[n] = '\0';
	return n;
}

/* ---- writing a list back ---- */

struct wbuf {
	char *p;
	size_t n, cap;
};

static void put(struct wbuf *w, const char *s, size_t n)
{
	if (n > w->cap - w->n)
		n = w->cap - w->n;	/* full: the rest is dropped */
	memcpy(w->p + w->n, s, n);
	w->n += n;
}

/* RFC 5322 3.2.3 atext */
static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~", c);
}

/* A display name: as it is when it is one atom, else quoted. */
static void put_name(struct wbuf *w, const char *s, size_t n)
{
	bool atom = n > 0;

	for (size_t i = 0; i < n && atom; i++)
		atom = is_atext((unsigned char)s[i]);
	if (atom) {
		put(w, s, n);
		return;
	}
	put(w, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			put(w, "\\", 1);
		put(w, s + i, 1);
	}
	put(w, "\"", 1);
}

static void put_mailbox(struct wbuf *w, const struct msg_addr *a)
{
	if (a->name) {
		put_name(w, a->name, a->nname);
		put(w, " ", 1);
	}
	put(w, "<", 1);
	if (a->route) {
		put(w, a->route, a->nroute);
		put(w, ":", 1);
	}
	put(w, a->mailbox, a->nmailbox);
	if (a->host) {
		put(w, "@", 1);
		put(w, a->host, a->nhost);
	}
	put(w, ">", 1);
}

size_t msg_addr_list_write(const struct msg_addr_list *l, char *buf, size_t cap)
{
	struct wbuf w = { buf, 0, cap };
	bool first = true;

	for (size_t i = 0; i < l->n; i++) {
		const struct msg_addr *a = &l->v[i];

		if (a->kind == MSG_ADDR_GROUP_END) {
			put(&w, ";", 1);
			continue;
		}
		if (!first)
			put(&w, ", ", 2);
		first = a->kind == MSG_ADDR_GROUP_START;
		if (first) {
			put_name(&w, a->name, a->nname);
			put(&w, ": ", 2);
		} else {
			put_mailbox(&w, a);
		}
	}
	return w.n;
}
