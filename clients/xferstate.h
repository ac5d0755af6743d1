/* popxfer's memory of what it has sent: one UIDL a line, appended and
 * fsynced (the directory too, when the file is new) as soon as the SMTP
 * server has accepted the message and before it is deleted on the POP3
 * side.  A line without its LF was being written when the process died:
 * it is ignored, so that message is sent again (the one in flight). */
#ifndef FACTEUR_XFERSTATE_H
#define FACTEUR_XFERSTATE_H

#include <stdbool.h>
#include <stddef.h>

struct xstate {
	const char *path;
	int fd;
	char **uidls;		/* the file's, sorted, then this run's */
	size_t n, sorted;
};

/* Exit EX_CANTCREAT or EX_DATAERR when the file cannot be opened or is
 * not a state file; more than max lines is an error too. */
void xstate_open(struct xstate *s, const char *path, long max);
/* Was uidl sent by an earlier run? */
bool xstate_has(const struct xstate *s, const char *uidl);
/* Durable when it returns; exit EX_IOERR otherwise. */
void xstate_add(struct xstate *s, const char *uidl);
/* Rewrite the file with only the UIDLs for which keep() is true (after a
 * QUIT that deleted the others): temporary file, fsync, rename, fsync
 * the directory. */
void xstate_compact(struct xstate *s, bool (*keep)(void *arg, const char *uidl),
		    void *arg);
void xstate_close(struct xstate *s);

#endif
