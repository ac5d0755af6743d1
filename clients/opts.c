#include "opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "climits.h"
#include "fail.h"

void copts_init(struct copts *o, const char *passenv)
{
	o->server = NULL;
	o->cmd = NULL;
	o->user = NULL;
	o->passfile = NULL;
	o->passenv = passenv;
	o->verbose = false;
	o->timeout = CLIENT_TIMEOUT;
	o->connect_timeout = CLIENT_CONNECT_TIMEOUT;
	o->line_max = CLIENT_LINE_MAX;
	o->size_max = CLIENT_SIZE_MAX;
	o->lines_max = CLIENT_LINES_MAX;
}

long opt_number(const char *arg, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		fail(EX_USAGE, "%s: not a number from %ld to %ld: %s", what, min, max, arg);
	return v;
}

bool copts_flag(struct copts *o, int ch, const char *arg)
{
	switch (ch) {
	case 's': o->server = arg; break;
	case 'c': o->cmd = arg; break;
	case 'u': o->user = arg; break;
	case 'p': o->passfile = arg; break;
	case 'v': o->verbose = true; break;
	case 'w': o->timeout = (int)opt_number(arg, 1, 86400, "-w"); break;
	case 'W': o->connect_timeout = (int)opt_number(arg, 1, 86400, "-W"); break;
	case 'l': o->line_max = (size_t)opt_number(arg, 64, CLIENT_SIZE_CEILING, "-l"); break;
	case 'm': o->size_max = (size_t)opt_number(arg, 1, CLIENT_SIZE_CEILING, "-m"); break;
	case 'R': o->lines_max = opt_number(arg, 1, 100000000, "-R"); break;
	default: return false;
	}
	return true;
}

void usage(const char *text)
{
	fprintf(stderr, "usage: %s %s\n"
		"common flags: -s HOST[:PORT] -c COMMAND -u USER -p PASSWORD-FILE -v\n"
		"              -w SECS -W SECS -l BYTES -m BYTES -R LINES (see %s(1))\n",
		progname, text, progname);
	exit(EX_USAGE);
}
