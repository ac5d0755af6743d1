/* Byte-string helpers every protocol needs: command verbs, INBOX, keywords
 * and mechanism names compare without regard to ASCII case. */
#ifndef FACTEUR_ASCII_H
#define FACTEUR_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* Case-insensitive comparison of a bounded buffer with a C string. */
bool ascii_ieq(const char *a, size_t alen, const char *b);

#endif
