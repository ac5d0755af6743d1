#include "netlist.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define ENTRY_MAX 64		/* "ffff:...:ffff/128" fits with room */

static int parse_entry(const char *s, size_t n, struct netblock *b)
{
	char text[ENTRY_MAX];
	char *slash;
	unsigned max, bits = 0;

	if (n == 0 || n >= sizeof text)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	memset(b, 0, sizeof *b);
	if (strcmp(text, "local") == 0)
		return 0;
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, text, b->addr) == 1)
		b->family = AF_INET;
	else if (inet_pton(AF_INET6, text, b->addr) == 1)
		b->family = AF_INET6;
	else
		return -1;
	max = b->family == AF_INET ? 32 : 128;
	if (!slash) {
		b->bits = max;
		return 0;
	}
	if (slash[1] == '\0' || strlen(slash + 1) > 3 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return -1;
	for (const char *d = slash + 1; *d; d++)
		bits = bits * 10 + (unsigned)(*d - '0');
	if (bits > max)
		return -1;
	b->bits = bits;
	return 0;
}

int netlist_parse(const char *list, struct netlist *nl)
{
	const char *p = list;

	nl->n = 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (nl->n == NETLIST_MAX || parse_entry(p, n, &nl->b[nl->n]) != 0)
			return -1;
		nl->n++;
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

static bool prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	unsigned char mask = (unsigned char)(0xff00 >> rest);

	return memcmp(a, b, whole) == 0 &&
	       (rest == 0 || ((a[whole] ^ b[whole]) & mask) == 0);
}

bool netlist_match(const struct netlist *nl, const char *peer)
{
	static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	unsigned char addr[16];
	int family = 0;

	if (inet_pton(AF_INET, peer, addr) == 1) {
		family = AF_INET;
	} else if (inet_pton(AF_INET6, peer, addr) == 1) {
		family = AF_INET6;
		if (memcmp(addr, mapped, sizeof mapped) == 0) {
			memmove(addr, addr + 12, 4);
			family = AF_INET;
		}
	} else if (strcmp(peer, "local") != 0) {
		return false;
	}
	for (size_t i = 0; i < nl->n; i++)
		if (nl->b[i].family == family &&
		    (family == 0 || prefix_equal(nl->b[i].addr, addr, nl->b[i].bits)))
			return true;
	return false;
}
