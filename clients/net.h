/* Reaching a server: a TCP connection (IPv4 or IPv6, bounded by a
 * timeout), or a command whose standard input and output are the
 * connection (-c: TLS through openssl s_client, or a server program run
 * directly). */
#ifndef FACTEUR_NET_H
#define FACTEUR_NET_H

#include <stdbool.h>
#include <sys/types.h>

#define HOST_MAX 255
#define PORT_MAX 32

struct endpoint {
	char host[HOST_MAX + 1];
	char port[PORT_MAX + 1];
};

/* "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 address.  The
 * port defaults to defport.  false on bad syntax. */
bool endpoint_parse(const char *s, const char *defport, struct endpoint *ep);

/* A connected socket, or exit: EX_NOHOST when the name does not resolve,
 * EX_TEMPFAIL when no address answers within timeout seconds. */
int net_connect(const struct endpoint *ep, int timeout);

/* Start `sh -c cmd` with a socket as its stdin and stdout; returns our
 * end, *pid the child's. */
int net_tunnel(const char *cmd, pid_t *pid);

/* Wait for a tunnel command to end (it has seen EOF); kill it after
 * TUNNEL_WAIT_MS. */
void net_reap(pid_t pid);

#endif
