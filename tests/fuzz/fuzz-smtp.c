/* SMTP commands: the input is a client's side of a session, cut into lines
 * as the session cuts them.  Each line goes through the real command table
 * and command_find(); HELO/EHLO, MAIL, RCPT and AUTH arguments go through
 * their checks (envelope.h, addr.h, sasl.h), which must only ever accept
 * what is safe to write into a From_ line, a trace header or a path.  No
 * reply is written and no mail is delivered: the whole session is the
 * session-smtpd target's job. */
#include "fuzz.h"

#include "addr.h"
#include "ascii.h"
#include "auth.h"
#include "config.h"
#include "envelope.h"
#include "limits.h"
#include "mbox.h"
#include "sasl.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The command table is private to smtpd.c: including the file gives this
 * target the table the server really uses, so a new command is fuzzed
 * without a change here.  Its main() is renamed out of the way. */
#define main smtpd_main
#include "smtpd.c"
#undef main

/* Users of the scratch auth file; hashes are never checked here. */
static const char users[] =
	"# fuzz users\n"
	"alice:$5$rounds=1000$x$x\n"
	"bob:$5$rounds=1000$x$x\n"
	"carol.x_y-z:!\n"
	"9lives:*\n";

static struct config cfg;
static struct smtp_opts opt;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4096];
	int fd;

	(void)argc;
	(void)argv;
	fz_quiet_log();
	snprintf(path, sizeof path, "%s/users", fz_scratch());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, users, sizeof users - 1) != (ssize_t)sizeof users - 1 ||
	    close(fd) != 0)
		fz_fail("writing %s: %s", path, strerror(errno));
	if (auth_open(path) != 0)
		fz_fail("auth_open %s: %s", path, strerror(errno));
	config_defaults(&cfg, "smtpd", SMTP_TIMEOUT, LINE_MAX_CEILING);
	snprintf(cfg.hostname, sizeof cfg.hostname, "mx.test");
	opt.domains = "test.lan,Example.ORG";
	return 0;
}

/* Text that goes into a header line: printable ASCII and spaces only. */
static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* A parsed path must be bounded, NUL-terminated and printable. */
static void check_path(const struct smtp_path *p, const char *what)
{
	size_t ll = strnlen(p->local, sizeof p->local);
	size_t dl = strnlen(p->domain, sizeof p->domain);
	size_t ml = strnlen(p->mailbox, sizeof p->mailbox);
	char token[PATH_MAX_SMTP + 1], line[FROM_LINE_MAX];
	const time_t when = 1700000000;
	size_t n;

	FZ_CHECK(ll <= LOCAL_PART_MAX && dl <= DOMAIN_MAX && ml <= PATH_MAX_SMTP,
		 "%s: unbounded path part", what);
	FZ_CHECK(header_safe(p->mailbox), "%s: control byte in mailbox", what);
	if (p->null) {
		FZ_CHECK(ml == 0, "%s: null path with a mailbox", what);
	} else {
		/* RFC 5321 4.1.2 allows an empty Quoted-string ("") as local part. */
		FZ_CHECK((ll > 0 || p->quoted) && dl > 0 && ml > dl && p->mailbox[ml - dl - 1] == '@' &&
			 strcmp(p->mailbox + ml - dl, p->domain) == 0,
			 "%s: mailbox '%s' does not end in @domain", what, p->mailbox);
	}
	/* The envelope sender as one From_ token, and the line reads back. */
	addr_from_token(p, token, sizeof token);
	FZ_CHECK(token[0] != '\0', "%s: empty From_ token", what);
	for (const char *c = token; *c; c++)
		FZ_CHECK(*c > ' ' && *c <= '~' && *c != '"',
			 "%s: byte 0x%02x in From_ token", what, (unsigned char)*c);
	n = mbox_from_line(line, sizeof line, token, when);
	FZ_CHECK(n > 0 && line[n - 1] == '\n' && mbox_from_date(line, n - 1) == when,
		 "%s: From_ line does not read back: %s", what, line);
}

/* addr_parse_path and addr_next_param on an exact-size copy, so that a read
 * one byte too far is caught even where the session has a NUL there. */
static void parse_raw(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);
	struct smtp_path p;
	const char *key, *val;
	size_t used = 0, pos, klen, vlen;
	int r;

	if (!copy)
		return;
	memcpy(copy, s, len);
	if (addr_parse_path(copy, len, &p, &used) == ADDR_OK) {
		FZ_CHECK(used >= 2 && used <= len && copy[used - 1] == '>',
			 "addr_parse_path took %zu of %zu bytes", used, len);
		check_path(&p, "addr_parse_path");
		pos = used;
		for (int i = 0; (r = addr_next_param(copy, len, &pos, &key, &klen, &val, &vlen)) == 1; i++) {
			FZ_CHECK(i <= (int)len && pos <= len && klen > 0 &&
				 key >= copy && key + klen <= copy + len &&
				 val >= copy && val + vlen <= copy + len,
				 "addr_next_param out of bounds");
			FZ_CHECK(isalnum((unsigned char)key[0]), "parameter key starts badly");
		}
	}
	free(copy);
}

static void check_reply(const char *err, const char *what)
{
	FZ_CHECK((err[0] == '4' || err[0] == '5') && isdigit((unsigned char)err[1]) &&
		 isdigit((unsigned char)err[2]) && err[3] == ' ',
		 "%s: malformed reply '%s'", what, err);
}

static bool domain_listed(const char *d)
{
	return strcasecmp(d, "test.lan") == 0 || strcasecmp(d, "example.org") == 0;
}

static void on_mail(struct smtp *s, const char *args)
{
	const char *err = check_mail(args, s->esmtp, cfg.msg_max, &s->from);

	if (err) {
		check_reply(err, "MAIL");
		return;
	}
	check_path(&s->from, "MAIL");
	s->conn.state = S_MAIL;
}

static void on_rcpt(struct smtp *s, const char *args)
{
	char user[USER_NAME_MAX + 1], again[USER_NAME_MAX + 1];
	struct smtp_path to;
	const char *err = check_rcpt(args, &cfg, &opt, user, &to);

	if (err) {
		check_reply(err, "RCPT");
		return;
	}
	/* Whatever the address, the mailbox is a known user's: never a path. */
	FZ_CHECK(user_name_valid(user, strlen(user)), "RCPT: bad user name '%s'", user);
	FZ_CHECK(auth_user_exists(user, strlen(user), again) && strcmp(again, user) == 0,
		 "RCPT: '%s' is not a user", user);
	FZ_CHECK(header_safe(to.mailbox), "RCPT: control byte in mailbox");
	if (strcmp(to.mailbox, "postmaster") != 0)
		FZ_CHECK(domain_listed(to.domain), "RCPT: accepted foreign domain '%s'", to.domain);
	s->conn.state = S_RCPT;
}

static void on_helo(struct smtp *s, const char *args, bool esmtp)
{
	char helo[DOMAIN_MAX + 1];

	if (*args == '\0' || *args == ' ')
		return;
	helo_sanitize(args, helo, sizeof helo);
	FZ_CHECK(helo[0] != '\0', "HELO: empty name");
	for (const char *c = helo; *c; c++)
		FZ_CHECK(isalnum((unsigned char)*c) || strchr(".-:[]_", *c),
			 "HELO: byte 0x%02x kept", (unsigned char)*c);
	s->esmtp = esmtp;
	s->conn.state = S_READY;
}

/* AUTH with an initial response: the decoders see what a client sent. */
static void on_auth(const char *args)
{
	const char *sp = strchr(args, ' ');
	struct sasl_plain plain;
	char out[SASL_FIELD_MAX + 1];

	if (!sp)
		return;
	if (ascii_ieq(args, (size_t)(sp - args), "PLAIN") &&
	    sasl_plain_decode(sp + 1, strlen(sp + 1), &plain))
		FZ_CHECK(plain.user_len == strlen(plain.user) && plain.user_len > 0,
			 "AUTH PLAIN: user length");
	if (ascii_ieq(args, (size_t)(sp - args), "LOGIN"))
		FZ_CHECK(base64_decode(sp + 1, strlen(sp + 1), out, sizeof out - 1) < (long)sizeof out,
			 "AUTH LOGIN: decoded past the buffer");
}

/* One command line, as the session loop (serve.c) sees it after the
 * invalid-byte check. */
static void command(struct smtp *s, char *line, bool *in_data)
{
	size_t verb = strcspn(line, " ");
	const struct command *c;
	char *args;

	if (*in_data) {
		*in_data = strcmp(line, ".") != 0;
		return;
	}
	c = command_find(commands, line, &args);
	FZ_CHECK(args == line + verb + (line[verb] != '\0'), "command_find: args misplaced");
	if (!c) {
		for (c = commands; c->name; c++)
			FZ_CHECK(!ascii_ieq(line, verb, c->name), "command_find missed %s", c->name);
		return;
	}
	FZ_CHECK(ascii_ieq(line, verb, c->name), "command_find: %s for another verb", c->name);
	if (!(c->states & s->conn.state))
		return;
	if (c->run == cmd_helo || c->run == cmd_ehlo)
		on_helo(s, args, c->run == cmd_ehlo);
	else if (c->run == cmd_mail)
		on_mail(s, args);
	else if (c->run == cmd_rcpt)
		on_rcpt(s, args);
	else if (c->run == cmd_auth)
		on_auth(args);
	else if (c->run == cmd_data && *args == '\0') {
		*in_data = true;
		s->conn.state = S_READY;
	} else if (c->run == cmd_rset && *args == '\0' && s->conn.state != S_START)
		s->conn.state = S_READY;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smtp s;
	const char *p = (const char *)data, *end = p + size;
	bool in_data = false;
	char *line;

	memset(&s, 0, sizeof s);
	s.conn.cfg = &cfg;
	s.conn.state = S_START;
	line = malloc(size + 1);
	if (!line)
		return 0;
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		const char *lt;
		size_t len;

		if (!lf)
			break;		/* no LF: the session never sees it */
		len = (size_t)(lf - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		memcpy(line, p, len);
		line[len] = '\0';
		if ((lt = memchr(line, '<', len)) != NULL)
			parse_raw(lt, len - (size_t)(lt - line));
		p = lf + 1;
		if (memchr(line, '\0', len) || memchr(line, '\r', len))
			continue;	/* answered 500 by the session */
		command(&s, line, &in_data);
	}
	free(line);
	return 0;
}
