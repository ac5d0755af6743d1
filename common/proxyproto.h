/* The PROXY protocol header a load balancer (HAProxy's send-proxy and
 * send-proxy-v2) puts before the client's first byte: version 1, one text
 * line, and version 2, a binary block (HAProxy's proxy-protocol.txt, 2.1
 * and 2.2).  A pure function over a buffer: no I/O, easy to test and fuzz.
 * The reader (proxy.c) asks it how many bytes to read next, so that it
 * never takes a byte of the protocol that follows the header. */
#ifndef FACTEUR_PROXYPROTO_H
#define FACTEUR_PROXYPROTO_H

#include <stdbool.h>
#include <stddef.h>

#define PROXY_V1_MAX    107	/* longest v1 line with its CRLF (2.1) */
#define PROXY_V2_HEAD   16	/* signature, command, family, length */
#define PROXY_V2_MAX    (PROXY_V2_HEAD + 65535)	/* the length is 16 bits */
#define PROXY_ADDR_MAX  46	/* INET6_ADDRSTRLEN */

enum proxy_status {
	PROXY_OK,		/* a whole header; h is filled */
	PROXY_MORE,		/* a prefix of one: at least *want bytes needed */
	PROXY_BAD,		/* not a header, or one that breaks the spec */
	PROXY_TOOLONG,		/* a v1 line with no CRLF in its first 107 bytes */
};

struct proxy_header {
	int version;		/* 1 or 2 */
	bool local;		/* v2 LOCAL, v1 UNKNOWN, or an address family that
				 * carries no IP: keep the connection's own peer */
	size_t len;		/* bytes of the header, all of them */
	char src[PROXY_ADDR_MAX];	/* the client, when !local */
	char dst[PROXY_ADDR_MAX];	/* the address the client connected to */
	unsigned sport, dport;
	bool tls;		/* v2: the client reached the balancer over TLS
				 * (a PP2_TYPE_SSL TLV with PP2_CLIENT_SSL set,
				 * HAProxy's send-proxy-v2-ssl; 2.2.5) */
};

/* Parse the start of buf[0..len).  On PROXY_MORE, *want (> len) is how many
 * bytes the buffer must hold before the answer can change; reading exactly
 * up to it never passes the end of a header. */
enum proxy_status proxy_parse(const unsigned char *buf, size_t len,
			      struct proxy_header *h, size_t *want);

#endif
