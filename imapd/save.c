#include "save.h"
#include "session.h"

#include "lineio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define COPY_CHUNK (256 * 1024)

int target_begin(struct imap *s, const char *name, struct target *t)
{
	memset(t, 0, sizeof *t);
	if (s->conn.state == I_SELECTED && strcmp(name, s->mailbox) == 0) {
		/* The same file: one struct, or closing a second descriptor
		 * would drop this process's lock on it.  MOVE holds its write
		 * lock already, and keeps it. */
		t->mb = &s->mb;
		t->held = s->mb.lock == F_WRLCK;
		if (!t->held && !view_lock(s, F_WRLCK)) {
			errno = EAGAIN;
			return -1;
		}
	} else {
		t->mb = &t->own;
		if (mailbox_open(t->mb, s->userfd, name, strcmp(name, "INBOX") == 0,
				 s->conn.cfg->lock_timeout) != 0)
			return -1;
		if (mailbox_lock(t->mb, F_WRLCK) != 0 || mailbox_sync(t->mb) != 0) {
			int e = errno;
			mailbox_close(t->mb);
			errno = e;
			return -1;
		}
	}
	if (mailbox_append_begin(t->mb, &t->orig_size) != 0) {
		int e = errno;
		target_end(s, t, false);
		errno = e;
		return -1;
	}
	t->begun = true;
	t->first = t->mb->ix.h.nrec;
	return 0;
}

int target_write(struct target *t, const void *p, size_t n)
{
	return mailbox_append_write(t->mb, p, n);
}

int target_copy(struct target *t, int fd, uint64_t start, uint64_t end)
{
	static char buf[COPY_CHUNK];

	while (start < end) {
		size_t want = end - start < sizeof buf ? (size_t)(end - start) : sizeof buf;
		ssize_t got = pread(fd, buf, want, (off_t)start);

		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		if (target_write(t, buf, (size_t)got) != 0)
			return -1;
		start += (uint64_t)got;
	}
	return 0;
}

int target_commit(struct target *t)
{
	if (mailbox_append_commit(t->mb) != 0)
		return -1;
	t->begun = false;		/* durable now: nothing to roll back */
	/* The messages are stored, whatever comes next: a failure to index
	 * them only costs their UIDs in the answer (first = nrec: none). */
	if (mailbox_sync(t->mb) != 0)
		t->first = t->mb->ix.h.nrec;
	return 0;
}

int target_set_flags(struct target *t, uint32_t k, uint32_t flags, uint64_t keywords)
{
	struct idx_rec *r;

	if (t->first + k >= t->mb->ix.h.nrec)
		return -1;
	r = &t->mb->ix.rec[t->first + k];
	r->flags = flags;
	r->keywords = keywords;
	return 0;
}

int target_save_flags(struct target *t)
{
	if (t->first >= t->mb->ix.h.nrec)
		return 0;
	return mailbox_save_flags(t->mb, t->first, t->mb->ix.h.nrec - 1);
}

void target_end(struct imap *s, struct target *t, bool committed)
{
	if (t->begun && !committed)
		mailbox_append_rollback(t->mb, t->orig_size);
	if (t->mb == &s->mb) {
		if (!t->held)
			view_unlock(s);
	} else if (t->mb) {
		mailbox_unlock(t->mb);
		mailbox_close(t->mb);
	}
	t->mb = NULL;
}
