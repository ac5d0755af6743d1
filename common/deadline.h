/* Bounding blocking system calls (fcntl F_SETLKW, write) by a deadline.
 * While armed, a periodic SIGALRM interrupts the call with EINTR; the caller
 * retries until deadline_passed().  A periodic tick, not a one-shot alarm, so a
 * signal that lands just before the call blocks cannot be lost. */
#ifndef FACTEUR_DEADLINE_H
#define FACTEUR_DEADLINE_H

#include <stdbool.h>

void deadline_arm(int seconds);
void deadline_disarm(void);
bool deadline_passed(void);

/* Monotonic milliseconds. */
long long now_ms(void);

/* Sleep, resuming after signals. */
void sleep_ms(long ms);

#endif
