/* Local delivery: append one message to every recipient's INBOX, all or
 * nothing (DESIGN.md "Store": lock in a fixed order, append to all, fsync
 * all; on any failure truncate every one back). */
#ifndef SMTPD_DELIVER_H
#define SMTPD_DELIVER_H

#include <stddef.h>

#include "limits.h"
#include "msgbuf.h"

/* users: sorted, distinct.  prefix: From_ line and trace headers.
 * Returns 0, or an errno value describing the failure. */
int deliver(int spoolfd, char (*users)[USER_NAME_MAX + 1], size_t nusers,
	    int lock_timeout, const char *prefix, size_t prefix_len,
	    struct msgbuf *body);

#endif
