/* What every filter does before its first protocol byte: ignore SIGPIPE,
 * open the log, the auth file and the spool, leave root for the spool's
 * owner, and find out who the peer is. */
#ifndef FACTEUR_STARTUP_H
#define FACTEUR_STARTUP_H

#include "config.h"
#include "limits.h"

#define PEER_MAX 64

struct startup {
	int spoolfd;
	char peer[PEER_MAX];		/* address, or "local" for a pipe */
	char peer_host[DOMAIN_MAX + 1];	/* TCPREMOTEHOST when sane, else "" */
	bool proxy_tls;			/* the balancer says the client used TLS */
	const char *error;		/* why the service is refused, or NULL */
};

/* Returns 0, or -1 with st->error set (already logged when the log opened):
 * the caller then answers with its protocol's refusal and exits. */
int startup(const struct config *cfg, struct startup *st);

/* Is the peer this host: a pipe ("local"), 127.0.0.0/8 or ::1? */
bool startup_peer_loopback(const struct startup *st);

/* Sanitised "peer" or "host [peer]" for log lines. */
const char *startup_peer_label(const struct startup *st);

#endif
