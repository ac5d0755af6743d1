/* fcntl (POSIX) record locks on whole files, every wait bounded.  These lock
 * or fail loudly; there is no configuration in which they do nothing. */
#ifndef FACTEUR_LOCK_H
#define FACTEUR_LOCK_H

/* type is F_RDLCK or F_WRLCK.  Waits at most `timeout` seconds; -1 with
 * errno ETIMEDOUT (or EDEADLK, EIO...) on failure. */
int lock_wait(int fd, int type, int timeout);
/* No wait: -1 with errno EAGAIN when someone else holds it. */
int lock_try(int fd, int type);
void lock_release(int fd);

#endif
