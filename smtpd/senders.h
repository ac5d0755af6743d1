/* The senders a user may use in submission mode (-A) besides their own
 * address: the -e file, one "user: address" a line, '#' comments.  Postfix's
 * smtpd_sender_login_maps is the model, as a flat file. */
#ifndef SMTPD_SENDERS_H
#define SMTPD_SENDERS_H

#include <stdbool.h>

/* Does the file give `address` (case ignored) to `user`?  A missing file,
 * a file over SENDERS_FILE_MAX and over-long lines give nothing. */
bool senders_allow(const char *path, const char *user, const char *address);

#endif
