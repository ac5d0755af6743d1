/* Checks of the envelope commands: pure functions of their arguments (and
 * the auth file), returning NULL when the command is acceptable or the
 * complete reply line when it is not. */
#ifndef SMTPD_ENVELOPE_H
#define SMTPD_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "config.h"
#include "smtp_opts.h"

const char *check_mail(const char *args, bool esmtp, long size_max,
		       struct smtp_path *from);
/* On success `user` holds the mailbox owner (USER_NAME_MAX + 1 bytes). */
const char *check_rcpt(const char *args, const struct config *cfg,
		       const struct smtp_opts *opt, char *user, struct smtp_path *to);
void helo_sanitize(const char *arg, char *dst, size_t dstsz);

#endif
