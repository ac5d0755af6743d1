/* Where a message waits between its arrival (SMTP DATA, IMAP APPEND) and its
 * delivery: in memory up to MSG_MEM_MAX, then in an unlinked temporary file
 * under SPOOL/.tmp, so that no mailbox is locked while a slow client is
 * still sending. */
#ifndef FACTEUR_MSGBUF_H
#define FACTEUR_MSGBUF_H

#include <stddef.h>
#include <stdint.h>

#include "limits.h"

struct msgbuf {
	int spoolfd;
	int fd;			/* temp file, -1 while in memory */
	int err;		/* errno of the first failure */
	uint64_t total;		/* bytes held */
	size_t len;		/* bytes in mem not yet in fd */
	char mem[MSG_MEM_MAX];
};

void msgbuf_init(struct msgbuf *b, int spoolfd);
/* emit_fn for the dot reader; 0, or -1 (b->err set). */
int msgbuf_write(void *b, const char *p, size_t n);
/* Finish writing: flush to the temp file if there is one. */
int msgbuf_seal(struct msgbuf *b);
/* Call fn over the whole content, in order. */
int msgbuf_each(struct msgbuf *b, int (*fn)(void *arg, const char *p, size_t n),
		void *arg);
void msgbuf_free(struct msgbuf *b);

#endif
