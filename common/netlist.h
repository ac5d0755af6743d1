/* A list of trusted networks, as -x gives it: comma-separated addresses and
 * CIDR blocks, IPv4 and IPv6 ("10.0.0.5,192.0.2.0/24,2001:db8::/32"), and
 * the word "local" for a peer with no IP address (a pipe, a Unix socket). */
#ifndef FACTEUR_NETLIST_H
#define FACTEUR_NETLIST_H

#include <stdbool.h>
#include <stddef.h>

#define NETLIST_MAX 64		/* entries in one list */

struct netblock {
	int family;		/* AF_INET, AF_INET6, or 0 for "local" */
	unsigned char addr[16];
	unsigned bits;		/* prefix length */
};

struct netlist {
	size_t n;
	struct netblock b[NETLIST_MAX];
};

/* 0, or -1 when an entry is not an address, a CIDR block or "local", or
 * there are more than NETLIST_MAX of them. */
int netlist_parse(const char *list, struct netlist *nl);

/* Is the peer (an address as text, or "local") in the list?  An IPv4
 * address written IPv4-mapped ("::ffff:a.b.c.d") is compared as IPv4. */
bool netlist_match(const struct netlist *nl, const char *peer);

#endif
