#include "proxy.h"
#include "deadline.h"
#include "log.h"
#include "netlist.h"
#include "proxyproto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Read buf[*have..want) from fd before the deadline.  0, or -1 with the
 * reason in *why. */
static int read_upto(int fd, unsigned char *buf, size_t *have, size_t want,
		     long long until, const char **why)
{
	while (*have < want) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = until - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			*why = "no header in time";
			return -1;
		}
		n = read(fd, buf + *have, want - *have);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			*why = n == 0 ? "closed before the header" : strerror(errno);
			return -1;
		}
		*have += (size_t)n;
	}
	return 0;
}

/* Read and parse the header: 0, or -1 with the reason in *why. */
static int read_header(int fd, int timeout, struct proxy_header *h, const char **why)
{
	static unsigned char buf[PROXY_V2_MAX];
	long long until = now_ms() + (long long)timeout * 1000;
	size_t have = 0, want = 0;

	for (;;) {
		switch (proxy_parse(buf, have, h, &want)) {
		case PROXY_OK:
			return 0;
		case PROXY_BAD:
			*why = "malformed header";
			return -1;
		case PROXY_TOOLONG:
			*why = "header line over 107 bytes";
			return -1;
		case PROXY_MORE:
			if (read_upto(fd, buf, &have, want, until, why) != 0)
				return -1;
			break;
		}
	}
}

int proxy_receive(int fd, const char *trusted, int timeout, char *peer, size_t peersz,
		  bool *tls)
{
	struct netlist nl;
	struct proxy_header h;
	const char *why;

	if (netlist_parse(trusted, &nl) != 0 || !netlist_match(&nl, peer)) {
		log_msg(LOG_NOTICE, "proxy: [%s] is not a trusted proxy: closing", peer);
		return -1;
	}
	if (read_header(fd, timeout, &h, &why) != 0) {
		log_msg(LOG_NOTICE, "proxy: [%s]: %s: closing", peer, why);
		return -1;
	}
	*tls = h.tls;
	/* An IPv4 client of a dual-stack balancer reads as IPv4, as in startup. */
	if (!h.local)
		snprintf(peer, peersz, "%s", strncmp(h.src, "::ffff:", 7) == 0 &&
			 strchr(h.src, '.') ? h.src + 7 : h.src);
	return 0;
}
