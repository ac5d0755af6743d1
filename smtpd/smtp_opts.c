#include "smtp_opts.h"
#include "limits.h"

static void apply(void *v, const struct config *cfg, int opt, const char *arg)
{
	struct smtp_opts *o = v;

	switch (opt) {
	case 'd': o->domains = arg; break;
	case 'p': o->postmaster = arg; break;
	case 'T': o->data_timeout = (int)config_number(cfg, opt, arg, 1, 86400); break;
	case 'r': o->rcpt_max = (int)config_number(cfg, opt, arg, 1, 100000); break;
	case 'R': o->hops_max = (int)config_number(cfg, opt, arg, 1, 10000); break;
	case 'H': o->legacy_helo = true; break;
	case 'A': o->submission = true; break;
	case 'e': o->senders = arg; break;
	}
}

void smtp_opts_parse(struct config *cfg, struct smtp_opts *o, int argc, char **argv)
{
	const struct program_flags own = {
		"d:m:p:T:r:R:HAe:",
		"[-H] [-A] [-d domains] [-p postmaster] [-m msg-bytes] [-r rcpts]\n"
		"       [-R hops] [-T data-secs] [-e senders-file]",
		apply, o,
	};

	*o = (struct smtp_opts){ .data_timeout = SMTP_DATA_TIMEOUT, .rcpt_max = RCPT_MAX,
				 .hops_max = HOPS_MAX };
	config_defaults(cfg, "smtpd", SMTP_TIMEOUT, SMTP_LINE_MAX);
	config_parse(cfg, argc, argv, &own);
}
