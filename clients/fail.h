/* Fatal errors of a client: one line on stderr, a sysexits.h status. */
#ifndef FACTEUR_FAIL_H
#define FACTEUR_FAIL_H

#include <sysexits.h>

extern const char *progname;

void fail(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
