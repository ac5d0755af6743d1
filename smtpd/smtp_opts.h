/* smtpd's own flags (smtpd(8)); the common ones are in config.h. */
#ifndef SMTPD_SMTP_OPTS_H
#define SMTPD_SMTP_OPTS_H

#include <stdbool.h>

#include "config.h"

struct smtp_opts {
	const char *domains;       /* -d, comma-separated */
	const char *postmaster;    /* -p */
	int data_timeout;          /* -T, seconds */
	int rcpt_max;              /* -r */
	int hops_max;              /* -R */
	bool legacy_helo;          /* -H */
	bool submission;           /* -A */
	const char *senders;       /* -e: extra senders a user may use with -A */
};

/* Defaults, then argv (common flags into cfg, smtpd's into o); a usage
 * error exits 64. */
void smtp_opts_parse(struct config *cfg, struct smtp_opts *o, int argc, char **argv);

#endif
