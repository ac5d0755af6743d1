#include "imap_opts.h"
#include "limits.h"

static void apply(void *v, const struct config *cfg, int opt, const char *arg)
{
	struct imap_opts *o = v;

	switch (opt) {
	case 'k': o->literal_max = config_number(cfg, opt, arg, 1024, MSG_SIZE_CEILING); break;
	case 'P': o->preauth_timeout = (int)config_number(cfg, opt, arg, 1, 86400); break;
	case 'B': o->preauth_bad_max = (int)config_number(cfg, opt, arg, 1, 1000); break;
	}
}

void imap_opts_parse(struct config *cfg, struct imap_opts *o, int argc, char **argv)
{
	const struct program_flags own = {
		"m:k:P:B:",
		"[-m msg-bytes] [-k literal-bytes] [-P preauth-secs] [-B preauth-bad]",
		apply, o,
	};

	*o = (struct imap_opts){ .literal_max = IMAP_LITERAL_MAX,
				 .preauth_timeout = IMAP_PREAUTH_TIMEOUT,
				 .preauth_bad_max = IMAP_PREAUTH_BAD_MAX };
	config_defaults(cfg, "imapd", IMAP_TIMEOUT, IMAP_LINE_MAX);
	config_parse(cfg, argc, argv, &own);
}
