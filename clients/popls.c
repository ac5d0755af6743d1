/* popls: list a POP3 mailbox (number, size, UIDL), print one message as
 * stored (or its header and first lines with -n), delete one with -d. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "net.h"
#include "opts.h"
#include "pop3c.h"
#include "secret.h"

static const char usage_text[] = "[-v] [-s HOST[:PORT] | -c COMMAND] [-u USER] "
	"[-p FILE] [-n LINES] [-d N] [N]";

static int to_stdout(void *arg, const char *p, size_t n)
{
	(void)arg;
	if (fwrite(p, 1, n, stdout) != n)
		fail(EX_IOERR, "writing to standard output failed");
	return 0;
}

static const char *netrc_host(const struct copts *o)
{
	static struct endpoint ep;

	if (o->server && endpoint_parse(o->server, "110", &ep))
		return ep.host;
	return "localhost";
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COPTS_LONG,
		{ "lines", required_argument, NULL, 'n' },
		{ "delete", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	struct copts o;
	struct pop3 p;
	const char *user, *host;
	long show = 0, dele = 0, lines = -1;
	int ch;

	progname = "popls";
	copts_init(&o, "POPLS_PASSWORD");
	while ((ch = getopt_long(argc, argv, COPTS_SHORT "n:d:", longopts, NULL)) != -1) {
		if (copts_flag(&o, ch, optarg))
			continue;
		if (ch == 'n')
			lines = opt_number(optarg, 0, 1000000000L, "-n");
		else if (ch == 'd')
			dele = opt_number(optarg, 1, UINT32_MAX, "-d");
		else
			usage(usage_text);
	}
	if (optind < argc)
		show = opt_number(argv[optind++], 1, UINT32_MAX, "message number");
	if (optind < argc || (lines >= 0 && !show))
		usage(usage_text);

	host = netrc_host(&o);
	user = secret_user(o.user, host);
	pop3_open(&p, &o);
	pop3_login(&p, user, secret_password(o.passfile, o.passenv, host, user));
	pop3_list(&p, false);
	if (show) {
		if (!pop3_find(&p, (uint32_t)show) ||
		    !pop3_fetch(&p, (uint32_t)show, lines, to_stdout, NULL))
			fail(EX_DATAERR, "no message %ld: %.200s", show, p.c.line);
	} else if (!dele) {
		for (size_t i = 0; i < p.n; i++)
			printf("%u %llu %s\n", p.msgs[i].num,
			       (unsigned long long)p.msgs[i].size, p.msgs[i].uidl);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		fail(EX_IOERR, "writing to standard output failed");
	if (dele && !pop3_dele(&p, (uint32_t)dele))
		fail(EX_DATAERR, "cannot delete message %ld: %.200s", dele, p.c.line);
	pop3_quit(&p);
	return EX_OK;
}
