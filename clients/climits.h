/* Every limit the clients enforce on what a server sends, in one place.
 * Each has a flag (see opts.h and the man pages). */
#ifndef FACTEUR_CLIMITS_H
#define FACTEUR_CLIMITS_H

#define CLIENT_LINE_MAX        (1024 * 1024)	/* -l: one reply line, CRLF included */
#define CLIENT_SIZE_MAX        (50L * 1024 * 1024) /* -m: one message or literal */
#define CLIENT_SIZE_CEILING    (1L << 31)	/* -m may not go above 2 GiB */
#define CLIENT_LINES_MAX       100000	/* -R: lines of a multi-line reply */
#define CLIENT_TIMEOUT         60	/* -w: seconds to wait for a reply */
#define CLIENT_CONNECT_TIMEOUT 30	/* -W: seconds to connect */

/* No flag: fixed by the protocols, or (literals, depth) far above what
 * the commands the clients send can bring back. */
#define UIDL_MAX               70	/* RFC 1939 7: 1 to 70 characters */
#define IMAP_RESP_LITERALS_MAX 16	/* literals in one IMAP response */
#define IMAP_DEPTH_MAX         16	/* nested lists skipped in a FETCH */
#define PASSWORD_MAX           1024
#define TUNNEL_WAIT_MS         2000	/* for the -c command to exit */

#endif
