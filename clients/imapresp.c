#include "imapresp.h"

#include <string.h>

void imap_resp_init(struct imap_resp *r)
{
	memset(r, 0, sizeof *r);
}

void imap_resp_free(struct imap_resp *r)
{
	buf_free(&r->text);
	for (int i = 0; i < r->nlit; i++)
		buf_free(&r->lit[i]);
	r->nlit = 0;
}

long long imap_literal_marker(const char *line, size_t len)
{
	size_t i, end;
	long long n = 0;

	if (len < 3 || line[len - 1] != '}')
		return -1;
	end = len - 1;
	if (line[end - 1] == '+')
		end--;
	for (i = end; i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9'; i--)
		;
	if (i == end || i == 0 || line[i - 1] != '{' || end - i > 12)
		return -1;
	for (; i < end; i++)
		n = n * 10 + (line[i] - '0');
	return n;
}

enum cst imap_read_resp(struct conn *c, struct imap_resp *r, size_t size_max)
{
	imap_resp_free(r);
	buf_init(&r->text, c->line_max);
	for (;;) {
		enum cst st = conn_getline(c);
		long long n;

		if (st != C_OK)
			return st;
		if (!buf_add(&r->text, c->line, c->len))
			return C_TOOLONG;
		n = imap_literal_marker(c->line, c->len);
		if (n < 0)
			return C_OK;
		if ((unsigned long long)n > size_max)
			return C_TOOLONG;
		if (r->nlit == IMAP_RESP_LITERALS_MAX)
			return C_BAD;
		buf_init(&r->lit[r->nlit], size_max);
		r->lit_at[r->nlit] = r->text.len;
		st = conn_read(c, &r->lit[r->nlit++], (size_t)n);
		if (st != C_OK)
			return st;
	}
}

void imap_lex_init(struct imap_lex *l, const struct imap_resp *r)
{
	l->r = r;
	l->pos = 0;
	l->next_lit = 0;
}

static struct imap_tok tok(enum imap_tok_kind k, const char *p, size_t len)
{
	struct imap_tok t = { k, p, len };
	return t;
}

struct imap_tok imap_next(struct imap_lex *l)
{
	const char *s = l->r->text.p ? l->r->text.p : "";
	size_t n = l->r->text.len, start;
	int depth = 0;

	while (l->pos < n && s[l->pos] == ' ')
		l->pos++;
	if (l->pos >= n)
		return tok(T_END, NULL, 0);
	start = l->pos;
	switch (s[l->pos]) {
	case '(': l->pos++; return tok(T_LPAREN, s + start, 1);
	case ')': l->pos++; return tok(T_RPAREN, s + start, 1);
	case '"':
		for (l->pos++; l->pos < n && s[l->pos] != '"'; l->pos++)
			if (s[l->pos] == '\\')
				l->pos++;
		if (l->pos >= n)
			return tok(T_BAD, NULL, 0);
		l->pos++;
		return tok(T_QUOTED, s + start + 1, l->pos - start - 2);
	case '{': {
		const char *close = memchr(s + start, '}', n - start);
		int k = l->next_lit;

		if (!close || k >= l->r->nlit ||
		    l->r->lit_at[k] != (size_t)(close - s) + 1)
			return tok(T_BAD, NULL, 0);
		l->pos = l->r->lit_at[k];
		l->next_lit++;
		return tok(T_LITERAL, l->r->lit[k].p ? l->r->lit[k].p : "", l->r->lit[k].len);
	}
	}
	for (; l->pos < n; l->pos++) {
		char ch = s[l->pos];

		if (ch == '[')
			depth++;
		else if (ch == ']' && depth > 0)
			depth--;
		else if (depth == 0 && (ch == ' ' || ch == '(' || ch == ')' || ch == '"'))
			break;
		if (ch == '{' && depth == 0)
			return tok(T_BAD, NULL, 0);
	}
	return tok(T_ATOM, s + start, l->pos - start);
}

bool imap_skip_value(struct imap_lex *l, struct imap_tok t)
{
	int depth = 0;

	for (;;) {
		if (t.kind == T_BAD || t.kind == T_END || t.kind == T_RPAREN)
			return false;
		if (t.kind == T_LPAREN) {
			if (++depth > IMAP_DEPTH_MAX)
				return false;
		}
		while (depth > 0) {
			t = imap_next(l);
			if (t.kind == T_BAD || t.kind == T_END)
				return false;
			if (t.kind == T_LPAREN && ++depth > IMAP_DEPTH_MAX)
				return false;
			if (t.kind == T_RPAREN)
				depth--;
		}
		return true;
	}
}

bool imap_unquote(const struct imap_tok *t, struct buf *b)
{
	for (size_t i = 0; i < t->len; i++) {
		if (t->p[i] == '\\' && i + 1 < t->len)
			i++;
		if (!buf_add(b, t->p + i, 1))
			return false;
	}
	return true;
}
