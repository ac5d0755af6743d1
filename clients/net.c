#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "climits.h"
#include "deadline.h"
#include "fail.h"

static bool copy(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n == 0 || n >= dstsz)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

bool endpoint_parse(const char *s, const char *defport, struct endpoint *ep)
{
	const char *colon, *port = defport;
	size_t hlen;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || (close[1] && close[1] != ':'))
			return false;
		if (close[1] == ':')
			port = close + 2;
		s++;
		hlen = (size_t)(close - s);
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;		/* a bare IPv6 address */
		hlen = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			port = colon + 1;
	}
	return copy(ep->host, sizeof ep->host, s, hlen) &&
	       copy(ep->port, sizeof ep->port, port, strlen(port));
}

/* One address, bounded: a non-blocking connect, then poll. */
static int try_connect(const struct addrinfo *ai, int timeout, int *err)
{
	struct pollfd pfd;
	socklen_t len = sizeof *err;
	int fd, flags;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto done;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, timeout * 1000) <= 0) {
		*err = ETIMEDOUT;
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) != 0 || *err) {
		close(fd);
		return -1;
	}
done:
	fcntl(fd, F_SETFL, flags);
	return fd;
}

int net_connect(const struct endpoint *ep, int timeout)
{
	struct addrinfo hints, *res, *ai;
	int rc, fd = -1, err = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(ep->host, ep->port, &hints, &res);
	if (rc != 0)
		fail(EX_NOHOST, "%s port %s: %s", ep->host, ep->port, gai_strerror(rc));
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = try_connect(ai, timeout, &err);
	freeaddrinfo(res);
	if (fd < 0)
		fail(EX_TEMPFAIL, "cannot connect to %s port %s: %s", ep->host, ep->port,
		     strerror(err));
	return fd;
}

int net_tunnel(const char *cmd, pid_t *pid)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		fail(EX_OSERR, "socketpair: %s", strerror(errno));
	fflush(NULL);
	*pid = fork();
	if (*pid < 0)
		fail(EX_OSERR, "fork: %s", strerror(errno));
	if (*pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	return sv[0];
}

void net_reap(pid_t pid)
{
	long long until = now_ms() + TUNNEL_WAIT_MS;

	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (now_ms() >= until) {
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
			return;
		}
		sleep_ms(10);
	}
}
