/* Sets of IMAP UIDs: bounded (-R), kept sorted, written as a UID set
 * ("3:5,9") for UID STORE and UID EXPUNGE. */
#ifndef FACTEUR_UIDSET_H
#define FACTEUR_UIDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uidset {
	uint32_t *v;
	size_t n, max;
};

void uidset_init(struct uidset *s, long max);
/* Exit EX_PROTOCOL beyond max. */
void uidset_add(struct uidset *s, uint32_t uid);
bool uidset_has(const struct uidset *s, uint32_t uid);
bool uidset_subset(const struct uidset *a, const struct uidset *b);
/* "1:3,7" (free it). */
char *uidset_format(const struct uidset *s);

#endif
