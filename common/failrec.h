/* The failed-login record shared by smtpd, pop3d and imapd: a file of
 * FAILREC_SLOTS fixed-size entries in the spool (".failures"), one per
 * client address ("a:ADDR") and per user name tried ("u:NAME").  An entry
 * counts failures since its first one; after the window it counts nothing
 * and its slot is free again.  A full file reuses the least recently touched
 * slot, so the file never grows past FAILREC_SLOTS entries.  Every access
 * holds an fcntl lock on the whole file: concurrent sessions of all three
 * programs never lose an update. */
#ifndef FACTEUR_FAILREC_H
#define FACTEUR_FAILREC_H

#include <stdbool.h>
#include <time.h>

#define FAILREC_FILE ".failures"

/* The most failures that still count at `now` among keys[0..n) ("" keys
 * are skipped), read under one lock. */
int failrec_count(int spoolfd, const char *const keys[], int n, int window, time_t now);

/* Count one more failure for each of keys[0..n) ("" skipped), under one
 * lock; -1 (errno set) if the file failed. */
int failrec_add(int spoolfd, const char *const keys[], int n, int window, time_t now);

#endif
