/* Logging to syslog (facility mail) or to a file.  Never to stderr once the
 * session has started: under xinetd fd 2 may be the client's socket. */
#ifndef FACTEUR_LOG_H
#define FACTEUR_LOG_H

#include <stddef.h>
#include <syslog.h>

/* Opens the destination ("syslog" or a file path); -1 if the file cannot be
 * opened (the caller reports it: that is start-up). */
int log_open(const char *prog, const char *dest);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copy client-supplied bytes into dst as one printable line: control bytes,
 * backslash and non-ASCII become \xNN; truncated to fit dstsz. */
char *log_escape(char *dst, size_t dstsz, const char *src, size_t len);

/* -v transcript: dir is '<' (client) or '>' (server). */
void log_transcript(char dir, const char *line, size_t len);

#endif
