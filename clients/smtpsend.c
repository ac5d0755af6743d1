/* smtpsend: send one message over SMTP, read from standard input or built
 * from flags, to the recipients given (or, with -t, named in its header).
 * The exit status says what happened (sysexits.h), the server's reply goes
 * to stderr. */
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
#include "secret.h"
#include "smtpc.h"

static const char usage_text[] = "[-v] [-s HOST[:PORT] | -c COMMAND] [-u USER [-p FILE]] "
	"[-f FROM] [-e HELO] [-j SUBJECT] [-b BODY] (-t | RECIPIENT...)";

struct sendopts {
	const char *from, *helo, *subject, *body;
	bool from_header;	/* -t: recipients from the header */
};

static char hostname[256];

static void read_stdin(struct buf *b)
{
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		if (!buf_add(b, chunk, n))
			fail(EX_DATAERR, "message larger than %zu bytes (-m)", b->max);
	if (ferror(stdin))
		fail(EX_IOERR, "reading standard input failed");
}

/* -j/-b: a message with From, To, Subject, Date and Message-ID. */
static void build(struct buf *b, const struct sendopts *so, char **rcpts, int n)
{
	char line[512], date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(line, sizeof line, "From: %s\nDate: %s\nMessage-ID: <%lld.%ld@%s>\n",
		 so->from, date, (long long)now, (long)getpid(), hostname);
	buf_add(b, line, strlen(line));
	for (int i = 0; i < n; i++) {
		buf_add(b, i ? ", " : "To: ", 2 + (i == 0 ? 2 : 0));
		if (!buf_add(b, rcpts[i], strlen(rcpts[i])))
			fail(EX_DATAERR, "message larger than %zu bytes (-m)", b->max);
	}
	buf_add(b, n ? "\nSubject: " : "Subject: ", n ? 10 : 9);
	if (so->subject && !buf_add(b, so->subject, strlen(so->subject)))
		fail(EX_DATAERR, "subject too long");
	buf_add(b, "\n\n", 2);
	if (so->body) {
		if (!buf_add(b, so->body, strlen(so->body)) || !buf_add(b, "\n", 1))
			fail(EX_DATAERR, "message larger than %zu bytes (-m)", b->max);
	} else {
		read_stdin(b);
	}
}

/* The RCPT phase: how many were accepted; *status the worst failure. */
static int recipients(struct smtp *s, char **rcpts, size_t n, int *status)
{
	int ok = 0;

	for (size_t i = 0; i < n; i++) {
		int code = smtp_rcpt(s, rcpts[i]);

		if (code == 250 || code == 251) {
			ok++;
			continue;
		}
		warn("%s: %s", rcpts[i], s->r.text);
		if (*status == EX_OK || smtp_status(code, true) != EX_TEMPFAIL)
			*status = smtp_status(code, true);
	}
	return ok;
}

static int send_message(const struct copts *o, const struct sendopts *so,
			struct buf *msg, char **rcpts, size_t n)
{
	struct smtp s;
	int status = EX_OK, code;

	smtp_open(&s, o, so->helo);
	if (o->user) {
		const char *host = o->server ? o->server : "localhost";
		smtp_auth(&s, o->user, secret_password(o->passfile, o->passenv, host, o->user));
	}
	code = smtp_mail(&s, so->from, msg->p, msg->len);
	if (code != 250) {
		warn("MAIL FROM refused: %s", s.r.text);
		status = smtp_status(code, false);
	} else if (recipients(&s, rcpts, n, &status) > 0) {
		code = smtp_data(&s, msg->p, msg->len);
		if (code != 250) {
			warn("message refused: %s", s.r.text);
			status = smtp_status(code, false);
		}
	}
	smtp_quit(&s);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COPTS_LONG,
		{ "from", required_argument, NULL, 'f' },
		{ "helo", required_argument, NULL, 'e' },
		{ "subject", required_argument, NULL, 'j' },
		{ "body", required_argument, NULL, 'b' },
		{ "header-recipients", no_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	static char hdr[HDR_RCPT_MAX][HDR_ADDR_MAX + 1];
	struct sendopts so = { NULL, NULL, NULL, NULL, false };
	char sender[512], **rcpts, *hdrp[HDR_RCPT_MAX];
	struct copts o;
	struct buf msg;
	size_t n = 0;
	int ch, status;

	progname = "smtpsend";
	copts_init(&o, "SMTPSEND_PASSWORD");
	while ((ch = getopt_long(argc, argv, COPTS_SHORT "f:e:j:b:t", longopts, NULL)) != -1) {
		if (copts_flag(&o, ch, optarg))
			continue;
		switch (ch) {
		case 'f': so.from = optarg; break;
		case 'e': so.helo = optarg; break;
		case 'j': so.subject = optarg; break;
		case 'b': so.body = optarg; break;
		case 't': so.from_header = true; break;
		default: usage(usage_text);
		}
	}
	rcpts = argv + optind;
	n = (size_t)(argc - optind);
	if (so.from_header == (n > 0))
		usage(usage_text);
	if (gethostname(hostname, sizeof hostname - 1) != 0)
		strcpy(hostname, "localhost");
	if (!so.helo)
		so.helo = hostname;
	if (!so.from) {
		const char *me = getenv("LOGNAME") ? getenv("LOGNAME") : getenv("USER");
		snprintf(sender, sizeof sender, "%s@%s", me ? me : "root", hostname);
		so.from = sender;
	}
	buf_init(&msg, o.size_max);
	if (so.subject || so.body)
		build(&msg, &so, rcpts, (int)n);
	else
		read_stdin(&msg);
	if (so.from_header) {
		if (hdr_recipients(msg.p ? msg.p : (char *)"", &msg.len, hdr, &n) != 0)
			fail(EX_DATAERR, "more than %d recipients, or one too long", HDR_RCPT_MAX);
		if (n == 0)
			fail(EX_DATAERR, "no recipients in To, Cc or Bcc");
		for (size_t i = 0; i < n; i++)
			hdrp[i] = hdr[i];
		rcpts = hdrp;
	}
	status = send_message(&o, &so, &msg, rcpts, n);
	buf_free(&msg);
	return status;
}
