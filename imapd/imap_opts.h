/* imapd's own flags (imapd(8)); the common ones are in config.h. */
#ifndef IMAPD_IMAP_OPTS_H
#define IMAPD_IMAP_OPTS_H

#include "config.h"

struct imap_opts {
	long literal_max;          /* -k, bytes of a non-APPEND literal */
	int preauth_timeout;       /* -P, seconds before login */
	int preauth_bad_max;       /* -B, bad commands before login */
};

/* Defaults, then argv (common flags into cfg, imapd's into o); a usage
 * error exits 64. */
void imap_opts_parse(struct config *cfg, struct imap_opts *o, int argc, char **argv);

#endif
