/* Every limit facteur enforces, in one place.  Each has a flag to change it
 * (see config.h and the man pages); the comment names the RFC minimum the
 * default respects. */
#ifndef FACTEUR_LIMITS_H
#define FACTEUR_LIMITS_H

/* Command lines, terminator included. */
#define SMTP_LINE_MAX        512      /* RFC 5321 4.5.3.1.4 (-c) */
#define POP3_LINE_MAX        255      /* RFC 2449 4 (-c) */
#define IMAP_LINE_MAX        65536    /* 64 KiB, as Dovecot; RFC 7162 4: >= 8192 (-c) */
#define LINE_MAX_CEILING     65536    /* no -c may go above this */

/* Messages. */
#define MSG_SIZE_MAX_DEFAULT (50L * 1024 * 1024)   /* -m, advertised in SIZE */
#define MSG_SIZE_CEILING     (1L << 31)            /* -m may not exceed 2 GiB */
#define MSG_MEM_MAX          (64 * 1024)           /* then spill to a temp file */
#define HOPS_MAX             100      /* Received: headers, RFC 5321 6.3 (-R) */
#define RCPT_MAX             100      /* RFC 5321 4.5.3.1.8 (-r) */

/* RFC 5321 4.5.3.1: address parts. */
#define LOCAL_PART_MAX       64
#define DOMAIN_MAX           255
#define PATH_MAX_SMTP        256

/* Sessions. */
#define BAD_COMMANDS_MAX     20       /* then close (-b) */
#define IMAP_PREAUTH_BAD_MAX 3        /* before login (-B) */
#define AUTH_FAILURES_MAX    3        /* then close (-f) */
#define AUTH_DELAY_MS        1000     /* after the n-th failure, n times this (-D) */
#define AUTH_LINE_MAX        2048     /* a SASL response line, base64 */

/* The failed-login record kept across connections (spool/.failures). */
#define FAILREC_MAX          10       /* failures per address or user (-F) */
#define FAILREC_WINDOW       900      /* seconds a failure counts (-W) */
#define FAILREC_SLOTS        1024     /* entries in the file; oldest reused */
#define FAILREC_KEY_MAX      72       /* "a:" or "u:" + address or user name */
#define SENDERS_FILE_MAX     (1024 * 1024)  /* the -e file, bytes */
#define SENDERS_LINE_MAX     512      /* one "user: address" line of -e */

/* Timeouts, seconds. */
#define SMTP_TIMEOUT         300      /* RFC 5321 4.5.3.2.7: 5 min per command (-t) */
#define SMTP_DATA_TIMEOUT    600      /* RFC 5321 4.5.3.2.6: 10 min for DATA (-T) */
#define POP3_TIMEOUT         600      /* RFC 1939 3: at least 10 minutes (-t) */
#define IMAP_TIMEOUT         1800     /* RFC 3501 5.4: at least 30 minutes (-t) */
#define IMAP_PREAUTH_TIMEOUT 60       /* before login: short (-P) */
#define LOCK_TIMEOUT         30       /* waiting for a mailbox lock (-L) */
#define WRITE_TIMEOUT        300      /* a client that stops reading */

/* Store. */
#define USER_NAME_MAX        64
#define MAILBOX_NAME_MAX     512      /* whole IMAP name, bytes */
#define MAILBOX_COMPONENT_MAX 200     /* one level; leaves room for ".x.index" */
#define MAILBOX_DEPTH_MAX    16
#define KEYWORDS_MAX         64       /* per mailbox, one bit each in the index */
#define KEYWORD_LEN_MAX      63
#define SUBSCRIPTIONS_MAX    1000     /* names in a user's subscription list */
#define LIST_RESULTS_MAX     10000    /* names in one LIST or LSUB answer */

/* IMAP parser. */
#define IMAP_LITERAL_MAX     (64 * 1024)  /* non-APPEND literals (-k) */
#define IMAP_LITERALS_MAX    20       /* literals in one command */
#define IMAP_NESTING_MAX     16       /* parentheses in SEARCH, FETCH lists */
#define IMAP_SEARCH_KEYS_MAX 256
#define IMAP_SEQSET_MAX      1024     /* ranges in one sequence set */
#define IMAP_MIME_DEPTH_MAX  16       /* BODYSTRUCTURE nesting */
#define IMAP_MIME_PARTS_MAX  1000

#endif
