/* popxfer: move messages from a POP3 account to an address over SMTP.
 * Each message goes byte for byte, with one Received: line added on top;
 * its UIDL is written durably to the state file once the SMTP server has
 * answered 250, and only then (with -d) is it deleted on the POP3 side.
 * A kill at any moment loses nothing and sends again at most the message
 * that was in flight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fail.h"
#include "hdrrcpt.h"
#include "net.h"
#include "opts.h"
#include "pop3c.h"
#include "secret.h"
#include "smtpc.h"
#include "xferstate.h"

static const char usage_text[] = "[-v] [-s HOST[:PORT] | -c COMMAND] [-u USER] [-p FILE] "
	"[-S HOST[:PORT] | -C COMMAND] [-U USER] [-P FILE] [-f FROM] [-e HELO] "
	"[-F STATEFILE] [-d] ADDRESS [N...]";

struct xfer {
	struct copts pop, smtp;
	const char *to, *from, *helo, *statefile;
	bool delete;
	char hostname[256];
	const char *pophost;
	struct pop3 p;
	struct smtp s;
	bool smtp_open;
	struct xstate st;
};

static const char *host_of(const struct copts *o, const char *port)
{
	static struct endpoint ep[2];
	static int k;
	struct endpoint *e = &ep[k++ & 1];

	if (o->server && endpoint_parse(o->server, port, e))
		return e->host;
	return "localhost";
}

static void trace_header(const struct xfer *x, const struct pop3_msg *m, struct buf *b)
{
	char line[1024], date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(line, sizeof line, "Received: from %s by %s (popxfer) with POP3 id %s\n"
		 "\tfor <%s>; %s\n", x->pophost, x->hostname, m->uidl, x->to, date);
	buf_add(b, line, strlen(line));
}

static void open_smtp(struct xfer *x)
{
	const char *host = host_of(&x->smtp, "25");

	smtp_open(&x->s, &x->smtp, x->helo);
	if (x->smtp.user)
		smtp_auth(&x->s, x->smtp.user, secret_password(x->smtp.passfile,
			  x->smtp.passenv, host, x->smtp.user));
	x->smtp_open = true;
}

/* Send one message; its status (0 when the server took it). */
static int send_one(struct xfer *x, const struct pop3_msg *m, size_t k, size_t total)
{
	char from[512];
	struct buf b;
	int code, status = EX_OK;
	size_t hl;

	buf_init(&b, x->pop.size_max + 1024);
	trace_header(x, m, &b);
	hl = b.len;
	if (!pop3_fetch(&x->p, m->num, -1, buf_emit, &b))
		fail(EX_UNAVAILABLE, "RETR %u refused: %.200s", m->num, x->p.c.line);
	if (!x->smtp_open)
		open_smtp(x);
	/* The envelope sender: -f, else the message's Return-Path, else <>. */
	if (!x->from)
		hdr_return_path(b.p + hl, b.len - hl, from, sizeof from);
	code = smtp_mail(&x->s, x->from ? x->from : from, b.p, b.len);
	if (code == 250 && (code = smtp_rcpt(&x->s, x->to)) != 250 && code != 251)
		status = smtp_status(code, true);
	else if (code == 250 || code == 251)
		code = smtp_data(&x->s, b.p, b.len);
	if (!status)
		status = smtp_status(code, false);
	fprintf(stderr, "%s: %zu/%zu %u %llu bytes: %s\n", progname, k, total, m->num,
		(unsigned long long)m->size, x->s.r.text);
	if (code == 250)
		xstate_add(&x->st, m->uidl);	/* durable before the DELE */
	else if (code >= 400 && code < 500)
		status = EX_TEMPFAIL;
	buf_free(&b);
	return code == 250 ? EX_OK : status ? status : EX_PROTOCOL;
}

static bool keep_none(void *arg, const char *uidl)
{
	(void)arg, (void)uidl;
	return false;
}

static int transfer(struct xfer *x, const uint32_t *nums, size_t nn)
{
	size_t total = 0, k = 0;
	int status = EX_OK;
	bool *todo = calloc(x->p.n + 1, sizeof *todo);

	if (!todo)
		fail(EX_OSERR, "out of memory");
	for (size_t i = 0; i < nn; i++)
		if (!pop3_find(&x->p, nums[i]))
			fail(EX_DATAERR, "no message %u on the POP3 server", nums[i]);
	for (size_t i = 0; i < x->p.n; i++) {
		bool chosen = nn == 0;

		for (size_t j = 0; j < nn && !chosen; j++)
			chosen = nums[j] == x->p.msgs[i].num;
		todo[i] = chosen;
		total += chosen && !xstate_has(&x->st, x->p.msgs[i].uidl);
	}
	for (size_t i = 0; i < x->p.n && status == EX_OK; i++) {
		const struct pop3_msg *m = &x->p.msgs[i];

		if (!todo[i])
			continue;
		if (!xstate_has(&x->st, m->uidl))
			status = send_one(x, m, ++k, total);
		if (status == EX_OK && x->delete && !pop3_dele(&x->p, m->num))
			fail(EX_UNAVAILABLE, "DELE %u refused: %.200s", m->num, x->p.c.line);
	}
	free(todo);
	return status;
}

static void parse(struct xfer *x, int argc, char **argv, uint32_t **nums, size_t *nn)
{
	static const struct option longopts[] = {
		COPTS_LONG,
		{ "smtp-server", required_argument, NULL, 'S' },
		{ "smtp-command", required_argument, NULL, 'C' },
		{ "smtp-user", required_argument, NULL, 'U' },
		{ "smtp-password-file", required_argument, NULL, 'P' },
		{ "from", required_argument, NULL, 'f' },
		{ "helo", required_argument, NULL, 'e' },
		{ "state", required_argument, NULL, 'F' },
		{ "delete", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	copts_init(&x->pop, "POPXFER_PASSWORD");
	copts_init(&x->smtp, "POPXFER_SMTP_PASSWORD");
	while ((ch = getopt_long(argc, argv, COPTS_SHORT "S:C:U:P:f:e:F:d", longopts, NULL)) != -1) {
		if (copts_flag(&x->pop, ch, optarg))
			continue;
		switch (ch) {
		case 'S': x->smtp.server = optarg; break;
		case 'C': x->smtp.cmd = optarg; break;
		case 'U': x->smtp.user = optarg; break;
		case 'P': x->smtp.passfile = optarg; break;
		case 'f': x->from = optarg; break;
		case 'e': x->helo = optarg; break;
		case 'F': x->statefile = optarg; break;
		case 'd': x->delete = true; break;
		default: usage(usage_text);
		}
	}
	if (optind >= argc)
		usage(usage_text);
	x->to = argv[optind++];
	*nn = (size_t)(argc - optind);
	*nums = calloc(*nn + 1, sizeof **nums);
	if (!*nums)
		fail(EX_OSERR, "out of memory");
	for (size_t i = 0; i < *nn; i++)
		(*nums)[i] = (uint32_t)opt_number(argv[optind + (int)i], 1, UINT32_MAX,
						  "message number");
	/* One set of timeouts and bounds for both sides. */
	x->smtp.verbose = x->pop.verbose;
	x->smtp.timeout = x->pop.timeout;
	x->smtp.connect_timeout = x->pop.connect_timeout;
	x->smtp.line_max = x->pop.line_max;
	x->smtp.size_max = x->pop.size_max;
	x->smtp.lines_max = x->pop.lines_max;
}

int main(int argc, char **argv)
{
	static struct xfer x;
	char statepath[4096];
	const char *user;
	uint32_t *nums;
	size_t nn;
	int status;

	progname = "popxfer";
	parse(&x, argc, argv, &nums, &nn);
	if (gethostname(x.hostname, sizeof x.hostname - 1) != 0)
		strcpy(x.hostname, "localhost");
	if (!x.helo)
		x.helo = x.hostname;
	x.pophost = host_of(&x.pop, "110");
	user = secret_user(x.pop.user, x.pophost);
	if (!x.statefile) {
		const char *home = getenv("HOME");
		snprintf(statepath, sizeof statepath, "%s/.popxfer-%s@%s", home ? home : ".",
			 user, x.pophost);
		x.statefile = statepath;
	}
	xstate_open(&x.st, x.statefile, x.pop.lines_max);
	pop3_open(&x.p, &x.pop);
	pop3_login(&x.p, user, secret_password(x.pop.passfile, x.pop.passenv, x.pophost, user));
	pop3_list(&x.p, true);
	status = transfer(&x, nums, nn);
	if (x.smtp_open)
		smtp_quit(&x.s);
	pop3_quit(&x.p);
	/* A whole mailbox moved and deleted: every UIDL the file holds is
	 * gone for good from the server, and the file starts again empty. */
	if (x.delete && status == EX_OK && nn == 0)
		xstate_compact(&x.st, keep_none, NULL);
	xstate_close(&x.st);
	free(nums);
	return status;
}
