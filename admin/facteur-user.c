/* facteur-user: manage the users of the auth file (see facteur-user(8)).
 * Every change takes PATH.lock, rewrites the file atomically (userfile.c)
 * and checks names with the servers' own rule (user_name_valid). */
#include "password.h"
#include "userfile.h"

#include "auth.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EX_USAGE 64

struct opts {
	const char *authfile;	/* -a */
	const char *spool;	/* -s */
};

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (user_name_valid(name, n))
		return true;
	fprintf(stderr, "facteur-user: '%s' is not a user name: lower-case letters, digits, "
		"'.', '_', '-', starting with a letter or digit, at most %d bytes\n",
		name, USER_NAME_MAX);
	return false;
}

/* SPOOL/NAME, 0700, owned by the spool's owner (the servers run as that
 * user).  An existing directory is kept as it is. */
static int make_maildir(const struct opts *o, const char *name)
{
	struct stat sb;
	int sfd = open(o->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (sfd < 0 || fstat(sfd, &sb) != 0) {
		fprintf(stderr, "facteur-user: spool %s: %s\n", o->spool, strerror(errno));
		return -1;
	}
	if (mkdirat(sfd, name, 0700) != 0) {
		close(sfd);
		return errno == EEXIST ? 0 : -1;
	}
	if (geteuid() == 0 && fchownat(sfd, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
		fprintf(stderr, "facteur-user: chown %s/%s: %s\n", o->spool, name, strerror(errno));
		close(sfd);
		return -1;
	}
	close(sfd);
	return 0;
}

static int set_password(struct userfile *f, long i, const char *name)
{
	char pw[PASSWORD_MAX + 2], hash[CRYPT_OUTPUT_SIZE];
	int rc = password_read(pw) == 0 && password_hash(pw, hash, sizeof hash) == 0 ? 0 : -1;

	explicit_bzero(pw, sizeof pw);
	if (rc == 0 && userfile_set(f, i, name, hash) != 0)
		rc = -1;
	return rc == 0 ? userfile_commit(f) : -1;
}

static int cmd_add(const struct opts *o, struct userfile *f, const char *name)
{
	if (userfile_find(f, name) >= 0) {
		fprintf(stderr, "facteur-user: %s already exists\n", name);
		return -1;
	}
	if (access(o->spool, W_OK | X_OK) != 0) {
		fprintf(stderr, "facteur-user: spool %s: %s\n", o->spool, strerror(errno));
		return -1;
	}
	if (set_password(f, -1, name) != 0)
		return -1;
	return make_maildir(o, name);
}

static long existing(const struct userfile *f, const char *name)
{
	long i = userfile_find(f, name);

	if (i < 0)
		fprintf(stderr, "facteur-user: no user %s\n", name);
	return i;
}

static int cmd_passwd(const struct opts *o, struct userfile *f, const char *name)
{
	long i = existing(f, name);

	(void)o;
	return i < 0 ? -1 : set_password(f, i, name);
}

/* A hash starting with '!' never matches (auth.c): locking keeps the hash
 * behind it, so unlocking gives the old password back. */
static int set_lock(struct userfile *f, const char *name, bool lock)
{
	long i = existing(f, name);
	char hash[CRYPT_OUTPUT_SIZE + 2];
	const char *old;

	if (i < 0)
		return -1;
	old = userfile_hash(f, i);
	snprintf(hash, sizeof hash, "%s%s", lock ? "!" : "", old + strspn(old, "!"));
	return userfile_set(f, i, name, hash) || userfile_commit(f);
}

static int cmd_lock(const struct opts *o, struct userfile *f, const char *name)
{
	(void)o;
	return set_lock(f, name, true);
}

static int cmd_unlock(const struct opts *o, struct userfile *f, const char *name)
{
	(void)o;
	return set_lock(f, name, false);
}

static int cmd_remove(const struct opts *o, struct userfile *f, const char *name)
{
	long i = existing(f, name);

	if (i < 0 || userfile_set(f, i, name, NULL) != 0 || userfile_commit(f) != 0)
		return -1;
	fprintf(stderr, "facteur-user: %s removed; the mail stays in %s/%s\n", name, o->spool, name);
	return 0;
}

static int cmd_list(const struct opts *o, struct userfile *f, const char *unused)
{
	(void)o;
	(void)unused;
	for (size_t i = 0; i < f->nlines; i++) {
		const char *l = f->line[i], *colon = l ? strchr(l, ':') : NULL;

		if (!colon || l[0] == '#')
			continue;
		printf("%.*s%s\n", (int)(colon - l), l,
		       colon[1] == '!' || colon[1] == '*' ? "\tlocked" : "");
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

static const struct command {
	const char *name;
	bool takes_user;
	int (*run)(const struct opts *, struct userfile *, const char *);
} commands[] = {
	{ "add", true, cmd_add },
	{ "passwd", true, cmd_passwd },
	{ "lock", true, cmd_lock },
	{ "unlock", true, cmd_unlock },
	{ "remove", true, cmd_remove },
	{ "list", false, cmd_list },
};

static void usage(void)
{
	fprintf(stderr, "usage: facteur-user [-a authfile] [-s spool] add|passwd|lock|unlock|remove NAME\n"
			"       facteur-user [-a authfile] list\n"
			"see facteur-user(8)\n");
	exit(EX_USAGE);
}

int main(int argc, char **argv)
{
	struct opts o = { "/etc/facteur/users", "/var/spool/facteur" };
	struct userfile f;
	int opt, rc;

	while ((opt = getopt(argc, argv, "a:s:")) != -1) {
		if (opt == 'a')
			o.authfile = optarg;
		else if (opt == 's')
			o.spool = optarg;
		else
			usage();
	}
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		const struct command *cmd = &commands[c];

		if (optind >= argc || strcmp(argv[optind], cmd->name) != 0)
			continue;
		if (argc - optind != (cmd->takes_user ? 2 : 1))
			usage();
		if (cmd->takes_user && !name_ok(argv[optind + 1]))
			return 1;
		umask(077);
		rc = userfile_open(&f, o.authfile) == 0 &&
		     cmd->run(&o, &f, argv[optind + 1]) == 0 ? 0 : 1;
		userfile_close(&f);
		return rc;
	}
	usage();
}
