#include "config.h"
#include "limits.h"
#include "netlist.h"
#include "proxy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#define COMMON_FLAGS "s:a:n:l:t:vL:b:f:D:c:x:X:SCF:W:"

void config_defaults(struct config *cfg, const char *prog, int timeout,
		     long line_max)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->prog = prog;
	cfg->spool = "/var/spool/facteur";
	cfg->authfile = "/etc/facteur/users";
	cfg->logdest = "syslog";
	cfg->timeout = timeout;
	cfg->lock_timeout = LOCK_TIMEOUT;
	cfg->bad_max = BAD_COMMANDS_MAX;
	cfg->auth_fail_max = AUTH_FAILURES_MAX;
	cfg->auth_delay_ms = AUTH_DELAY_MS;
	cfg->fail_max = FAILREC_MAX;
	cfg->fail_window = FAILREC_WINDOW;
	cfg->line_max = line_max;
	cfg->msg_max = MSG_SIZE_MAX_DEFAULT;
	cfg->proxy_timeout = PROXY_TIMEOUT;
	if (gethostname(cfg->hostname, sizeof cfg->hostname - 1) != 0 ||
	    cfg->hostname[0] == '\0')
		strcpy(cfg->hostname, "localhost");
}

int parse_number(const char *s, long min, long max, long *out)
{
	long v = 0;

	if (*s == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			errno = EINVAL;
			return -1;
		}
		if (v > (max - (*s - '0')) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + (*s - '0');
	}
	if (v < min) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

static void usage(const struct config *cfg, const struct program_flags *own)
{
	fprintf(stderr,
		"usage: %s [-v] [-s spool] [-a authfile] [-n hostname] [-l syslog|file]\n"
		"       [-t secs] [-L lock-secs] [-b bad-commands] [-f auth-failures]\n"
		"       [-D auth-delay-ms] [-c line-bytes] [-x trusted-proxies] [-X proxy-secs]\n"
		"       [-S] [-C] [-F failures] [-W window-secs]\n"
		"%s%s%s"
		"see %s(8)\n",
		cfg->prog, *own->usage ? "       " : "", own->usage, *own->usage ? "\n" : "",
		cfg->prog);
	exit(EX_USAGE);
}

long config_number(const struct config *cfg, int opt, const char *arg,
		   long min, long max)
{
	long v;

	if (parse_number(arg, min, max, &v) != 0) {
		fprintf(stderr, "%s: -%c: '%s' is not a number in [%ld, %ld]\n",
			cfg->prog, opt, arg, min, max);
		exit(EX_USAGE);
	}
	return v;
}

static void set_proxies(struct config *cfg, const char *list)
{
	static struct netlist nl;

	if (netlist_parse(list, &nl) != 0) {
		fprintf(stderr, "%s: -x: '%s' is not a list of at most %d addresses, "
			"CIDR blocks or 'local'\n", cfg->prog, list, NETLIST_MAX);
		exit(EX_USAGE);
	}
	cfg->proxy_trusted = list;
}

static void set_hostname(struct config *cfg, const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof cfg->hostname ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789.-[]:") != n) {
		fprintf(stderr, "%s: -n: '%s' is not a host name\n", cfg->prog, name);
		exit(EX_USAGE);
	}
	memcpy(cfg->hostname, name, n + 1);
}

/* One letter, one meaning; a letter a program does not take never reaches here
 * because getopt() rejects it first.  What is not common is the program's. */
static void apply(struct config *cfg, const struct program_flags *own, int opt,
		  const char *arg)
{
	switch (opt) {
	case 's': cfg->spool = arg; break;
	case 'a': cfg->authfile = arg; break;
	case 'n': set_hostname(cfg, arg); break;
	case 'l': cfg->logdest = arg; break;
	case 'v': cfg->transcript = true; break;
	case 't': cfg->timeout = (int)config_number(cfg, opt, arg, 1, 86400); break;
	case 'L': cfg->lock_timeout = (int)config_number(cfg, opt, arg, 1, 3600); break;
	case 'b': cfg->bad_max = (int)config_number(cfg, opt, arg, 1, 100000); break;
	case 'f': cfg->auth_fail_max = (int)config_number(cfg, opt, arg, 1, 1000); break;
	case 'D': cfg->auth_delay_ms = (int)config_number(cfg, opt, arg, 0, 60000); break;
	case 'c': cfg->line_max = config_number(cfg, opt, arg, 64, LINE_MAX_CEILING); break;
	case 'm': cfg->msg_max = config_number(cfg, opt, arg, 1024, MSG_SIZE_CEILING); break;
	case 'x': set_proxies(cfg, arg); break;
	case 'X': cfg->proxy_timeout = (int)config_number(cfg, opt, arg, 1, 3600); break;
	case 'S': cfg->tls = true; break;
	case 'C': cfg->plaintext_auth = true; break;
	case 'F': cfg->fail_max = (int)config_number(cfg, opt, arg, 0, 100000); break;
	case 'W': cfg->fail_window = (int)config_number(cfg, opt, arg, 1, 86400 * 7); break;
	default: own->apply(own->opts, cfg, opt, arg); break;
	}
}

void config_parse(struct config *cfg, int argc, char **argv,
		  const struct program_flags *own)
{
	char opts[128];
	int opt;

	snprintf(opts, sizeof opts, ":%s%s", COMMON_FLAGS, own->letters);
	while ((opt = getopt(argc, argv, opts)) != -1) {
		if (opt == '?' || opt == ':')
			usage(cfg, own);
		apply(cfg, own, opt, optarg);
	}
	if (optind != argc)
		usage(cfg, own);
}
