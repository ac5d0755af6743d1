/* The flags the four clients share: where the server is, who logs in,
 * timeouts and the bounds on what the server may send.  The same letter
 * means the same thing in every client. */
#ifndef FACTEUR_OPTS_H
#define FACTEUR_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct copts {
	const char *server;	/* -s HOST[:PORT] */
	const char *cmd;	/* -c COMMAND: talk over its stdin/stdout */
	const char *user;	/* -u */
	const char *passfile;	/* -p FILE */
	const char *passenv;	/* the variable that may hold the password */
	bool verbose;		/* -v */
	int timeout;		/* -w SECS */
	int connect_timeout;	/* -W SECS */
	size_t line_max;	/* -l BYTES */
	size_t size_max;	/* -m BYTES */
	long lines_max;		/* -R N */
};

#define COPTS_SHORT "s:c:u:p:vw:W:l:m:R:h"
#define COPTS_LONG \
	{ "server", required_argument, NULL, 's' }, \
	{ "command", required_argument, NULL, 'c' }, \
	{ "user", required_argument, NULL, 'u' }, \
	{ "password-file", required_argument, NULL, 'p' }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "timeout", required_argument, NULL, 'w' }, \
	{ "connect-timeout", required_argument, NULL, 'W' }, \
	{ "line-max", required_argument, NULL, 'l' }, \
	{ "size-max", required_argument, NULL, 'm' }, \
	{ "lines-max", required_argument, NULL, 'R' }, \
	{ "help", no_argument, NULL, 'h' }

void copts_init(struct copts *o, const char *passenv);
/* Takes a shared flag: true when ch was one. */
bool copts_flag(struct copts *o, int ch, const char *arg);
/* A decimal number in [min, max], or exit with EX_USAGE naming the flag. */
long opt_number(const char *arg, long min, long max, const char *what);
/* Print usage to stderr and exit EX_USAGE. */
void usage(const char *text) __attribute__((noreturn));

#endif
