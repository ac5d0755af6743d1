/* DATA: receive the message completely (dotreader.c, msgbuf.c), add the
 * trace headers, deliver (deliver.c), and answer only once it is on disk. */
#include "session.h"

#include "deliver.h"
#include "dotreader.h"
#include "log.h"
#include "mbox.h"
#include "msgbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PREFIX_MAX (FROM_LINE_MAX + 2 * PATH_MAX_SMTP + 2 * DOMAIN_MAX + 512)

/* Read until CRLF.CRLF.  Returns only when the message is complete. */
static void receive(struct smtp *s, struct dotreader *d)
{
	struct lin *in = &s->conn.in;

	in->timeout = s->opt->data_timeout;
	while (d->status == DOT_MORE) {
		enum lin_status st = lin_fill(in);

		if (st == LIN_TIMEOUT)
			reply_close(s, 1, "421 4.4.2 %s Error: timeout exceeded during DATA",
				    s->conn.cfg->hostname);
		if (st != LIN_OK) {
			log_msg(LOG_INFO, "lost connection from %s during DATA",
				startup_peer_label(&s->conn.env));
			exit(1);
		}
		in->pos += dotreader_feed(d, in->buf + in->pos, in->len - in->pos);
	}
	in->timeout = s->conn.cfg->timeout;
	if (d->status == DOT_BARE) {
		log_msg(LOG_NOTICE, "%s: bare CR or LF in DATA, closing",
			startup_peer_label(&s->conn.env));
		reply_close(s, 1, "421 4.5.0 %s Error: bare CR or LF in message data; "
			    "lines must end with CRLF (RFC 5321 2.3.8)", s->conn.cfg->hostname);
	}
}

static void make_qid(char *dst, size_t n, unsigned long seq)
{
	snprintf(dst, n, "%lX.%lX.%lu", (unsigned long)time(NULL),
		 (unsigned long)getpid(), seq);
}

/* From_ line, Return-Path: and Received: (RFC 5321 4.4), in mbox form. */
static size_t make_prefix(struct smtp *s, const char *qid, char *dst, size_t n)
{
	char sender[PATH_MAX_SMTP + 1], date[64], forclause[PATH_MAX_SMTP + 16] = "";
	time_t now = time(NULL);
	struct tm tm;
	size_t len;
	int k;

	addr_from_token(&s->from, sender, sizeof sender);
	len = mbox_from_line(dst, n, sender, now);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (s->nrcpt == 1)
		snprintf(forclause, sizeof forclause, " for <%s>", s->first_rcpt);
	k = snprintf(dst + len, n - len,
		     "Return-Path: <%s>\n"
		     "Received: from %s (%s) by %s (facteur) with %s id %s%s; %s\n",
		     s->from.null ? "" : s->from.mailbox, s->helo,
		     startup_peer_label(&s->conn.env), s->conn.cfg->hostname,
		     s->authed ? "ESMTPA" : s->esmtp ? "ESMTP" : "SMTP",
		     qid, forclause, date);
	return k < 0 || (size_t)k >= n - len ? n - 1 : len + (size_t)k;
}

static bool storage_full(int err)
{
	return err == ENOSPC || err == EFBIG || err == EDQUOT;
}

void cmd_data(void *v, char *args)
{
	static struct msgbuf body;
	struct smtp *s = v;
	struct dotreader d;
	char qid[64], prefix[PREFIX_MAX];
	size_t plen;
	int err;

	if (*args) {
		reply(s, "501 5.5.4 Syntax: DATA");
		return;
	}
	reply(s, "354 End data with <CR><LF>.<CR><LF>");
	msgbuf_init(&body, s->conn.env.spoolfd);
	dotreader_init(&d, (uint64_t)s->conn.cfg->msg_max, msgbuf_write, &body);
	receive(s, &d);
	make_qid(qid, sizeof qid, s->messages + 1);
	if (d.too_big) {
		reply(s, "552 5.3.4 Message size exceeds fixed maximum message size");
	} else if (d.nul) {
		log_msg(LOG_NOTICE, "%s: NUL byte in DATA, refused",
			startup_peer_label(&s->conn.env));
		reply(s, "554 5.6.0 Message contains a NUL byte (RFC 5322 2.3), not delivered");
	} else if (d.hops >= (unsigned)s->opt->hops_max) {
		log_msg(LOG_NOTICE, "%s: %u Received: headers, mail loop?",
			startup_peer_label(&s->conn.env), d.hops);
		reply(s, "554 5.4.6 Too many hops (mail loop?)");
	} else if (msgbuf_seal(&body) != 0) {
		log_msg(LOG_ERR, "spooling message: %s", strerror(body.err));
		reply(s, storage_full(body.err) ? "452 4.3.1 Insufficient system storage"
						: "451 4.3.0 Error: local error in processing");
	} else {
		plen = make_prefix(s, qid, prefix, sizeof prefix);
		err = deliver(s->conn.env.spoolfd, s->rcpt_users, s->nusers,
			      s->conn.cfg->lock_timeout, prefix, plen, &body);
		if (err == 0) {
			s->messages++;
			log_msg(LOG_INFO, "%s: from=<%s> size=%llu nrcpt=%d delivered", qid,
				s->from.mailbox, (unsigned long long)d.size, s->nrcpt);
			reply(s, "250 2.0.0 Ok: delivered as %s", qid);
		} else {
			log_msg(LOG_ERR, "%s: delivery failed: %s", qid, strerror(err));
			if (storage_full(err))
				reply(s, "452 4.3.1 Insufficient system storage");
			else if (err == ETIMEDOUT || err == EAGAIN || err == EDEADLK)
				reply(s, "451 4.2.0 Mailbox busy, try again later");
			else
				reply(s, "451 4.3.0 Error: local error in processing");
		}
	}
	msgbuf_free(&body);
	transaction_reset(s);
}
