/* LIST and LSUB patterns (RFC 3501 6.3.8): "*" matches any run of bytes,
 * "%" any run without the hierarchy delimiter "/".  A match runs the pattern
 * as a set of states, one bit per pattern position, advanced a word at a
 * time for each byte of the name: the time is bounded by the name's length
 * times the pattern's, whatever the wildcards (no backtracking).  Pure
 * functions over buffers: no I/O, no allocation. */
#ifndef IMAPD_LISTMATCH_H
#define IMAPD_LISTMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

/* A reference, a "/" and a pattern, each at most a mailbox name. */
#define LISTPAT_MAX   (2 * MAILBOX_NAME_MAX + 1)
#define LISTPAT_WORDS ((LISTPAT_MAX + 1 + 63) / 64)

struct listpat {
	char p[LISTPAT_MAX];
	size_t n;			/* runs of wildcards collapsed to one */
	size_t words;			/* state words in use */
	bool pct_last;			/* the pattern ends with "%" */
	uint64_t star[LISTPAT_WORDS];	/* positions of "*" */
	uint64_t pct[LISTPAT_WORDS];	/* positions of "%" */
	uint64_t lit[256][LISTPAT_WORDS];	/* positions of each byte */
};

/* The pattern the client means by `ref` and `pat`: an empty reference adds
 * nothing; otherwise the reference names a level, so a "/" joins the two
 * unless the reference ends with one.  false when it is too long. */
bool listpat_init(struct listpat *lp, const char *ref, size_t rn,
		  const char *pat, size_t pn);

enum {
	LM_MATCH = 1,	/* the name matches */
	LM_BELOW = 2,	/* a name "<name>/..." could match: worth walking into */
};

/* LM_* bits for name[0..n).  With `fold`, ASCII letters match in any case
 * (for INBOX, whose name is case-insensitive). */
int listpat_match(const struct listpat *lp, const char *name, size_t n, bool fold);

#endif
