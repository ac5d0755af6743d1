#include "listmatch.h"

#include <string.h>

static bool wild(char c)
{
	return c == '*' || c == '%';
}

static void set_bit(uint64_t *mask, size_t i)
{
	mask[i / 64] |= 1ull << (i % 64);
}

/* Append c, folding a run of wildcards into one: "%*", "*%" and "**" mean
 * "*", "%%" means "%".  After this no two wildcards are neighbours, which
 * is what lets closure() step past a wildcard in one shift. */
static void add_char(struct listpat *lp, char c)
{
	if (wild(c) && lp->n && wild(lp->p[lp->n - 1])) {
		if (c == '*')
			lp->p[lp->n - 1] = '*';
		return;
	}
	lp->p[lp->n++] = c;
}

bool listpat_init(struct listpat *lp, const char *ref, size_t rn,
		  const char *pat, size_t pn)
{
	bool slash = rn && pn && ref[rn - 1] != '/';

	if (rn > LISTPAT_MAX || pn > LISTPAT_MAX || rn + slash + pn > LISTPAT_MAX)
		return false;
	memset(lp, 0, sizeof *lp);
	for (size_t i = 0; i < rn; i++)
		add_char(lp, ref[i]);
	if (slash)
		add_char(lp, '/');
	for (size_t i = 0; i < pn; i++)
		add_char(lp, pat[i]);
	lp->words = (lp->n + 1 + 63) / 64;
	for (size_t i = 0; i < lp->n; i++) {
		char c = lp->p[i];

		if (c == '*')
			set_bit(lp->star, i);
		else if (c == '%')
			set_bit(lp->pct, i);
		else
			set_bit(lp->lit[(unsigned char)c], i);
	}
	lp->pct_last = lp->n && lp->p[lp->n - 1] == '%';
	return true;
}

/* A wildcard may match nothing: from its position, also be past it. */
static void closure(const struct listpat *lp, uint64_t *s)
{
	uint64_t carry = 0;

	for (size_t w = 0; w < lp->words; w++) {
		uint64_t at = s[w] & (lp->star[w] | lp->pct[w]);

		s[w] |= (at << 1) | carry;
		carry = at >> 63;
	}
}

static unsigned char other_case(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (unsigned char)(c - 'a' + 'A');
	if (c >= 'A' && c <= 'Z')
		return (unsigned char)(c - 'A' + 'a');
	return c;
}

/* Consume byte c: a literal equal to it moves on, "*" (and "%" unless c is
 * the delimiter) stays.  false when no state is left. */
static bool step(const struct listpat *lp, uint64_t *s, unsigned char c, bool fold)
{
	const uint64_t *lit = lp->lit[c], *alt = lp->lit[fold ? other_case(c) : c];
	uint64_t carry = 0, any = 0;

	for (size_t w = 0; w < lp->words; w++) {
		uint64_t move = s[w] & (lit[w] | alt[w]);
		uint64_t stay = s[w] & (lp->star[w] | (c != '/' ? lp->pct[w] : 0));

		s[w] = (move << 1) | carry | stay;
		carry = move >> 63;
		any |= s[w];
	}
	closure(lp, s);
	return any != 0;
}

int listpat_match(const struct listpat *lp, const char *name, size_t n, bool fold)
{
	uint64_t s[LISTPAT_WORDS] = { 1 };
	int r = 0;

	closure(lp, s);
	for (size_t i = 0; i < n; i++)
		if (!step(lp, s, (unsigned char)name[i], fold))
			return 0;
	if (s[lp->n / 64] & (1ull << (lp->n % 64)))
		r |= LM_MATCH;
	if (step(lp, s, '/', false))
		r |= LM_BELOW;
	return r;
}
