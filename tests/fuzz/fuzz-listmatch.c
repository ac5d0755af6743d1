/* LIST and LSUB patterns (listmatch.h) against a reference matcher written
 * here the plain way: memoised recursion over (pattern position, name
 * position), "*" taking any run and "%" any run without "/" (RFC 3501
 * 6.3.8), letters compared in any case only when asked (INBOX).
 *
 * The pattern is the reference, a "/" unless the reference is empty or
 * ends with one, and the pattern; listpat_init() must refuse it exactly
 * when that is longer than LISTPAT_MAX.  For each name, LM_MATCH must say
 * whether the pattern matches it and LM_BELOW whether it matches some
 * "<name>/...".  Names are the one in the input and ones made from the
 * pattern (each wildcard replaced by a piece of the input), so that
 * matches are common.
 *
 * Input: flags (1 byte: bit 0 folds case), then reference, pattern and
 * name separated by NUL bytes (a client cannot send a NUL in either). */
#include "fuzz.h"

#include "listmatch.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names the matcher sees are valid mailbox names (at most MAILBOX_NAME_MAX)
 * or INBOX: longer ones only cost time here. */
#define NAME_MAX_HERE (2 * MAILBOX_NAME_MAX)

enum { UNKNOWN, NO, YES };

struct ref {
	const char *p, *t;	/* pattern and text */
	size_t pn, tn;
	bool fold, open_end;	/* open_end: the text may go on after its end */
	uint8_t *memo;		/* (pn + 1) x (tn + 1) */
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same(const struct ref *r, char a, char b)
{
	return a == b || (r->fold && lower(a) == lower(b));
}

/* Does p[i..] match t[j..]?  With open_end, t[j..] followed by anything. */
static bool ref_match(struct ref *r, size_t i, size_t j)
{
	uint8_t *m = &r->memo[i * (r->tn + 1) + j];
	bool v;

	if (*m != UNKNOWN)
		return *m == YES;
	if (j == r->tn && r->open_end)
		v = true;	/* what is left of the pattern can match what follows */
	else if (i == r->pn)
		v = j == r->tn;
	else if (r->p[i] == '*')
		v = ref_match(r, i + 1, j) || (j < r->tn && ref_match(r, i, j + 1));
	else if (r->p[i] == '%')
		v = ref_match(r, i + 1, j) ||
		    (j < r->tn && r->t[j] != '/' && ref_match(r, i, j + 1));
	else
		v = j < r->tn && same(r, r->p[i], r->t[j]) && ref_match(r, i + 1, j + 1);
	*m = v ? YES : NO;
	return v;
}

static bool reference(const char *pat, size_t pn, const char *t, size_t tn, bool fold,
		      bool open_end)
{
	struct ref r = { pat, t, pn, tn, fold, open_end, calloc((pn + 1) * (tn + 1), 1) };
	bool v;

	if (!r.memo)
		fz_fail("out of memory");
	v = ref_match(&r, 0, 0);
	free(r.memo);
	return v;
}

static void check_name(const struct listpat *lp, const char *full, size_t fn,
		       const char *name, size_t n, bool fold)
{
	static struct fz_buf below;
	int got;
	bool match, deeper;

	if (n > NAME_MAX_HERE)
		n = NAME_MAX_HERE;
	got = listpat_match(lp, name, n, fold);
	match = reference(full, fn, name, n, fold, false);
	below.len = 0;
	fz_buf_add(&below, name, n);
	fz_buf_add(&below, "/", 1);
	deeper = reference(full, fn, below.p, below.len, fold, true);
	FZ_CHECK(!!(got & LM_MATCH) == match && !!(got & LM_BELOW) == deeper &&
		 !(got & ~(LM_MATCH | LM_BELOW)),
		 "'%.*s' against '%.*s'%s: %d, not %d", (int)n, name, (int)fn, full,
		 fold ? " (any case)" : "", got, match | deeper << 1);
}

/* A name the pattern could match: each wildcard becomes the next piece of
 * `fill` (cut at its NULs), the rest stays. */
static void instance(const char *pat, size_t pn, const char *fill, size_t fn,
		     struct fz_buf *out)
{
	size_t at = 0;

	out->len = 0;
	for (size_t i = 0; i < pn; i++) {
		const char *end;
		size_t k;

		if (pat[i] != '*' && pat[i] != '%') {
			fz_buf_add(out, pat + i, 1);
			continue;
		}
		end = at < fn ? memchr(fill + at, '\0', fn - at) : NULL;
		k = end ? (size_t)(end - fill) - at : fn - at;
		fz_buf_add(out, fill + at, k);
		at += k + (end != NULL);
	}
}

static const char *field(const char **p, const char *end, size_t *n)
{
	const char *s = *p, *nul = memchr(s, '\0', (size_t)(end - s));

	*n = nul ? (size_t)(nul - s) : (size_t)(end - s);
	*p = nul ? nul + 1 : end;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct listpat lp;
	static struct fz_buf full, name;
	struct fz f = { data, size };
	bool fold = fz_u8(&f) & 1;
	const char *p = (const char *)f.p, *end = p + f.n;
	size_t rn, pn, nn;
	const char *ref = field(&p, end, &rn);
	const char *pat = field(&p, end, &pn);
	const char *nm = field(&p, end, &nn);
	bool slash = rn && pn && ref[rn - 1] != '/';
	bool fits = rn + slash + pn <= LISTPAT_MAX;

	FZ_CHECK(listpat_init(&lp, ref, rn, pat, pn) == fits,
		 "listpat_init on %zu + %d + %zu bytes says %s", rn, slash, pn, fits ? "no" : "yes");
	if (!fits)
		return 0;
	full.len = 0;
	fz_buf_add(&full, ref, rn);
	if (slash)
		fz_buf_add(&full, "/", 1);
	fz_buf_add(&full, pat, pn);
	check_name(&lp, full.p, full.len, nm, nn, fold);
	instance(full.p, full.len, nm, nn, &name);
	check_name(&lp, full.p, full.len, name.p, name.len, fold);
	instance(full.p, full.len, p, (size_t)(end - p), &name);
	check_name(&lp, full.p, full.len, name.p, name.len, fold);
	return 0;
}
