/* IMAP responses (RFC 3501 7, 9): a line, and when it ends with a literal
 * "{n}" the n bytes that follow and the rest of the response, as often as
 * needed; then a tokenizer over what was read.  Every length is bounded:
 * the text by -l, each literal by -m, their number by
 * IMAP_RESP_LITERALS_MAX. */
#ifndef FACTEUR_IMAPRESP_H
#define FACTEUR_IMAPRESP_H

#include <stddef.h>

#include "buf.h"
#include "climits.h"
#include "conn.h"

struct imap_resp {
	struct buf text;			/* the lines, literal markers kept */
	size_t lit_at[IMAP_RESP_LITERALS_MAX];	/* text offset just after each marker */
	struct buf lit[IMAP_RESP_LITERALS_MAX];
	int nlit;
};

void imap_resp_init(struct imap_resp *r);
void imap_resp_free(struct imap_resp *r);
/* Read one response; C_TOOLONG over a bound, C_BAD for too many literals. */
enum cst imap_read_resp(struct conn *c, struct imap_resp *r, size_t size_max);

/* The size a line's trailing literal marker announces, or -1 when the
 * line does not end with one ("{123}" or "{123+}"). */
long long imap_literal_marker(const char *line, size_t len);

enum imap_tok_kind { T_ATOM, T_QUOTED, T_LITERAL, T_LPAREN, T_RPAREN, T_END, T_BAD };

struct imap_tok {
	enum imap_tok_kind kind;
	const char *p;		/* atom text, quoted text (escapes kept), literal bytes */
	size_t len;
};

struct imap_lex {
	const struct imap_resp *r;
	size_t pos;
	int next_lit;
};

void imap_lex_init(struct imap_lex *l, const struct imap_resp *r);
/* An atom runs to a space or a parenthesis, with "[...]" taken whole so
 * that BODY[] and [CAPABILITY ...] are one atom. */
struct imap_tok imap_next(struct imap_lex *l);
/* Skip a value: an atom, a string, or a list nested at most
 * IMAP_DEPTH_MAX deep.  false when the response is malformed. */
bool imap_skip_value(struct imap_lex *l, struct imap_tok t);
/* A quoted string's value (escapes removed) into b; false when over b->max. */
bool imap_unquote(const struct imap_tok *t, struct buf *b);

#endif
