/* Behind a load balancer: when -x names the balancer's addresses, a
 * connection must come from one of them and start with a PROXY protocol
 * header (v1 or v2), whose client address then stands for the peer. */
#ifndef FACTEUR_PROXY_H
#define FACTEUR_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#define PROXY_TIMEOUT 3		/* seconds for the header (-X); Dovecot's haproxy_timeout */

/* Check that peer is in the trusted list, read the header from fd (exactly
 * its bytes, within timeout seconds) and replace peer with the client's
 * address (a health check's LOCAL header keeps it); *tls says whether the
 * header reports the client's connection to the balancer as TLS.  Returns
 * 0, or -1 after a log line saying why the connection must be closed
 * unanswered. */
int proxy_receive(int fd, const char *trusted, int timeout, char *peer, size_t peersz,
		  bool *tls);

#endif
