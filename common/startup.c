#include "startup.h"
#include "auth.h"
#include "log.h"
#include "proxy.h"
#include "spool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* An address from the environment is used only if it parses as one. */
static bool valid_ip(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return s && strlen(s) < PEER_MAX &&
	       (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

/* The client's address when fd 0 is not the client's socket: stunnel in
 * inetd mode runs us on a loopback TCP connection of its own and exports
 * REMOTE_HOST; tcpserver exports TCPREMOTEIP.  The environment comes from the
 * service manager, never from the client. */
static bool env_peer(struct startup *st)
{
	static const char *const vars[] = { "REMOTE_HOST", "TCPREMOTEIP", "REMOTE_ADDR" };
	const char *env;

	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		if (valid_ip(env = getenv(vars[i]))) {
			snprintf(st->peer, sizeof st->peer, "%s", env);
			return true;
		}
	}
	return false;
}

static void socket_peer(struct startup *st, const struct sockaddr_storage *ss)
{
	char buf[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, sizeof buf);
		snprintf(st->peer, sizeof st->peer, "%s", buf);
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf, sizeof buf);
		/* An IPv4 client on a dual-stack socket. */
		snprintf(st->peer, sizeof st->peer, "%s",
			 strncmp(buf, "::ffff:", 7) == 0 && strchr(buf, '.') ? buf + 7 : buf);
	}
}

static void find_peer(struct startup *st)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const char *host = getenv("TCPREMOTEHOST");

	strcpy(st->peer, "local");
	if (getpeername(0, (struct sockaddr *)&ss, &len) == 0 &&
	    (ss.ss_family == AF_INET || ss.ss_family == AF_INET6))
		socket_peer(st, &ss);
	/* a pipe, a socketpair, or a loopback hop from a TLS terminator */
	if (startup_peer_loopback(st))
		env_peer(st);
	st->peer_host[0] = '\0';
	if (host && strlen(host) < sizeof st->peer_host &&
	    strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
		    == strlen(host))
		strcpy(st->peer_host, host);
}

/* Mail is never touched as root: become the spool's owner. */
static int leave_root(int spoolfd, struct startup *st)
{
	struct passwd *pw;
	struct stat sb;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (fstat(spoolfd, &sb) != 0) {
		st->error = "spool unreadable";
		return -1;
	}
	if (sb.st_uid == 0) {
		log_msg(LOG_ERR, "spool directory is owned by root: refusing to serve as root");
		st->error = "spool owned by root";
		return -1;
	}
	/* The group: the spool's, or the owner's own when the spool is root's. */
	gid = sb.st_gid;
	if (gid == 0 && (pw = getpwuid(sb.st_uid)) != NULL)
		gid = pw->pw_gid;
	if (gid == 0) {
		log_msg(LOG_ERR, "spool directory group is root and its owner has no other group");
		st->error = "spool group is root";
		return -1;
	}
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(sb.st_uid) != 0 ||
	    setuid(0) == 0) {
		log_msg(LOG_ERR, "cannot switch to uid %ld: %s", (long)sb.st_uid, strerror(errno));
		st->error = "cannot drop privileges";
		return -1;
	}
	return 0;
}

int startup(const struct config *cfg, struct startup *st)
{
	memset(st, 0, sizeof *st);
	st->spoolfd = -1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);	/* a file size limit is a write error, not death */
	umask(077);
	find_peer(st);
	if (log_open(cfg->prog, cfg->logdest) != 0) {
		st->error = "log unavailable";
		return -1;
	}
	if (auth_open(cfg->authfile) != 0) {
		log_msg(LOG_ERR, "auth file %s: %s", cfg->authfile, strerror(errno));
		st->error = "auth file unavailable";
		return -1;
	}
	st->spoolfd = spool_open(cfg->spool);
	if (st->spoolfd < 0) {
		log_msg(LOG_ERR, "spool %s: %s", cfg->spool, strerror(errno));
		st->error = "spool unavailable";
		return -1;
	}
	if (leave_root(st->spoolfd, st) != 0)
		return -1;
	/* Behind a balancer the header comes first; anything wrong with it
	 * closes the connection unanswered (the reason is logged). */
	if (cfg->proxy_trusted) {
		if (proxy_receive(0, cfg->proxy_trusted, cfg->proxy_timeout,
				  st->peer, sizeof st->peer, &st->proxy_tls) != 0)
			exit(1);
		st->peer_host[0] = '\0';	/* TCPREMOTEHOST named the balancer */
	}
	return 0;
}

bool startup_peer_loopback(const struct startup *st)
{
	return strcmp(st->peer, "local") == 0 || strncmp(st->peer, "127.", 4) == 0 ||
	       strcmp(st->peer, "::1") == 0;
}

const char *startup_peer_label(const struct startup *st)
{
	static char label[sizeof ((struct startup *)0)->peer_host + PEER_MAX + 3];

	if (st->peer_host[0])
		snprintf(label, sizeof label, "%s [%s]", st->peer_host, st->peer);
	else
		snprintf(label, sizeof label, "[%s]", st->peer);
	return label;
}
