/* Command-line configuration shared by the three programs.  The same letter
 * means the same thing everywhere (DESIGN.md, "The contract of a filter"). */
#ifndef FACTEUR_CONFIG_H
#define FACTEUR_CONFIG_H

#include <stdbool.h>

struct config {
	const char *prog;          /* "smtpd", "pop3d", "imapd" */
	const char *spool;         /* -s */
	const char *authfile;      /* -a */
	const char *logdest;       /* -l: "syslog" or a path */
	char hostname[256];        /* -n, or gethostname() */
	bool transcript;           /* -v */
	int timeout;               /* -t, seconds */
	int lock_timeout;          /* -L, seconds */
	int bad_max;               /* -b */
	int auth_fail_max;         /* -f */
	int auth_delay_ms;         /* -D */
	long line_max;             /* -c, bytes including CRLF */
	long msg_max;              /* -m (smtpd, imapd) */
	bool tls;                  /* -S: the transport is TLS (stunnel) */
	bool plaintext_auth;       /* -C: offer logins in clear off loopback */
	int fail_max;              /* -F: failures per address or user in -W; 0 = off */
	int fail_window;           /* -W, seconds */
	/* smtpd only */
	const char *domains;       /* -d, comma-separated */
	const char *postmaster;    /* -p */
	int data_timeout;          /* -T */
	int rcpt_max;              /* -r */
	int hops_max;              /* -R */
	bool legacy_helo;          /* -H */
	bool submission;           /* -A */
	const char *senders;       /* -e: extra senders a user may use with -A */
	/* imapd only */
	long literal_max;          /* -k */
	int preauth_timeout;       /* -P, seconds before login */
	int preauth_bad_max;       /* -B, bad commands before login */
};

/* Defaults a program sets before config_parse(). */
void config_defaults(struct config *cfg, const char *prog, int timeout,
		     long line_max);

/* Parse argv.  `extra` lists the program's own letters (getopt syntax).
 * On a usage error this prints to stderr and exits 2: that is start-up. */
void config_parse(struct config *cfg, int argc, char **argv, const char *extra);

/* Parse a decimal number in [min, max]; -1 and errno set on failure. */
int parse_number(const char *s, long min, long max, long *out);

#endif
