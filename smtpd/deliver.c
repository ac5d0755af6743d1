#include "deliver.h"
#include "mailbox.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct target {
	struct mailbox mb;
	uint64_t orig_size;
	bool open, begun;
};

static int append_piece(void *arg, const char *p, size_t n)
{
	return mailbox_append_write(arg, p, n);
}

static int open_target(struct target *t, int spoolfd, const char *user, int lock_timeout)
{
	int userfd = spool_user_dir(spoolfd, user, true);
	int rc;

	if (userfd < 0)
		return -1;
	rc = mailbox_open(&t->mb, userfd, "INBOX", true, lock_timeout);
	close(userfd);
	if (rc == 0)
		t->open = true;
	return rc;
}

static int append_one(struct target *t, const char *prefix, size_t prefix_len,
		      struct msgbuf *body)
{
	if (mailbox_append_begin(&t->mb, &t->orig_size) != 0)
		return -1;
	t->begun = true;
	if (mailbox_append_write(&t->mb, prefix, prefix_len) != 0 ||
	    msgbuf_each(body, append_piece, &t->mb) != 0 ||
	    mailbox_append_write(&t->mb, "\n", 1) != 0)
		return -1;
	return 0;
}

int deliver(int spoolfd, char (*users)[USER_NAME_MAX + 1], size_t nusers,
	    int lock_timeout, const char *prefix, size_t prefix_len,
	    struct msgbuf *body)
{
	struct target *t = calloc(nusers, sizeof *t);
	int err = 0;
	size_t i;

	if (!t)
		return ENOMEM;
	for (i = 0; i < nusers && !err; i++)
		if (open_target(&t[i], spoolfd, users[i], lock_timeout) != 0 ||
		    mailbox_lock(&t[i].mb, F_WRLCK) != 0)
			err = errno ? errno : EIO;
	for (i = 0; i < nusers && !err; i++)
		if (append_one(&t[i], prefix, prefix_len, body) != 0)
			err = errno ? errno : EIO;
	/* Durable everywhere before anyone hears 250. */
	for (i = 0; i < nusers && !err; i++)
		if (mailbox_append_commit(&t[i].mb) != 0)
			err = errno ? errno : EIO;
	for (i = 0; i < nusers; i++) {
		if (err && t[i].begun)
			mailbox_append_rollback(&t[i].mb, t[i].orig_size);
		if (t[i].open)
			mailbox_close(&t[i].mb);
	}
	free(t);
	return err;
}
