/* Command-line configuration shared by the three programs.  The same letter
 * means the same thing everywhere (DESIGN.md, "The contract of a filter"). */
#ifndef FACTEUR_CONFIG_H
#define FACTEUR_CONFIG_H

#include <stdbool.h>

#include "limits.h"

struct config {
	const char *prog;          /* "smtpd", "pop3d", "imapd" */
	const char *spool;         /* -s */
	const char *authfile;      /* -a */
	const char *logdest;       /* -l: "syslog" or a path */
	char hostname[DOMAIN_MAX + 1]; /* -n, or gethostname() */
	bool transcript;           /* -v */
	int timeout;               /* -t, seconds */
	int lock_timeout;          /* -L, seconds */
	int bad_max;               /* -b */
	int auth_fail_max;         /* -f */
	int auth_delay_ms;         /* -D */
	long line_max;             /* -c, bytes including CRLF */
	long msg_max;              /* -m, where a program takes it (smtpd, imapd) */
	const char *proxy_trusted; /* -x: balancers that send a PROXY header */
	int proxy_timeout;         /* -X, seconds for that header */
	bool tls;                  /* -S: the transport is TLS (stunnel) */
	bool plaintext_auth;       /* -C: offer logins in clear off loopback */
	int fail_max;              /* -F: failures per address or user in -W; 0 = off */
	int fail_window;           /* -W, seconds */
};

/* A program's own flags (smtpd's -d, imapd's -k, ...): their getopt
 * letters, their part of the usage line, and the function that applies one
 * of them to the program's own options `opts`.  The letters are the
 * program's; the common ones above mean the same in every program. */
struct program_flags {
	const char *letters;       /* getopt syntax, "" for none */
	const char *usage;         /* e.g. "[-H] [-d domains]", "" for none */
	void (*apply)(void *opts, const struct config *cfg, int opt, const char *arg);
	void *opts;
};

/* Defaults a program sets before config_parse(). */
void config_defaults(struct config *cfg, const char *prog, int timeout,
		     long line_max);

/* Parse argv: the common flags here, the program's own through `own`.  On
 * a usage error this prints the program's usage to stderr and exits 64
 * (EX_USAGE): that is start-up, before any byte reaches a client. */
void config_parse(struct config *cfg, int argc, char **argv,
		  const struct program_flags *own);

/* The number argument of flag -opt, in [min, max]; a usage error (exit 64)
 * when it is not one.  For the programs' own flags too. */
long config_number(const struct config *cfg, int opt, const char *arg,
		   long min, long max);

/* Parse a decimal number in [min, max]; -1 and errno set on failure. */
int parse_number(const char *s, long min, long max, long *out);

#endif
