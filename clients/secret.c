#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "buf.h"
#include "climits.h"
#include "fail.h"
#include "sasl.h"

#define NETRC_MAX (64 * 1024)

static char password[PASSWORD_MAX + 1];
static char netrc_login[PASSWORD_MAX + 1];

/* Next white-space separated token of text at *pos into tok. */
static bool token(const char *text, size_t *pos, char *tok, size_t toksz)
{
	size_t i = *pos, n = 0;

	while (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')
		i++;
	if (!text[i])
		return false;
	while (text[i] && !strchr(" \t\r\n", text[i])) {
		if (n + 1 < toksz)
			tok[n++] = text[i];
		i++;
	}
	tok[n] = '\0';
	*pos = i;
	return true;
}

bool netrc_find(const char *text, const char *host, const char *user,
		char *login, size_t loginsz, char *pass, size_t passsz)
{
	char tok[PASSWORD_MAX + 1], l[PASSWORD_MAX + 1], p[PASSWORD_MAX + 1];
	size_t pos = 0;
	bool in = false, have = token(text, &pos, tok, sizeof tok);

	l[0] = p[0] = '\0';
	while (have) {
		bool entry = !strcmp(tok, "machine") || !strcmp(tok, "default");

		if (entry || !strcmp(tok, "macdef")) {
			if (in && p[0] && (!user || !strcmp(user, l)))
				break;
			in = false;
			l[0] = p[0] = '\0';
			if (!strcmp(tok, "default"))
				in = true;
			else if (entry && token(text, &pos, tok, sizeof tok))
				in = !strcmp(tok, host);
		} else if (!strcmp(tok, "login") && token(text, &pos, tok, sizeof tok)) {
			snprintf(l, sizeof l, "%s", tok);
		} else if (!strcmp(tok, "password") && token(text, &pos, tok, sizeof tok)) {
			snprintf(p, sizeof p, "%s", tok);
		}
		have = token(text, &pos, tok, sizeof tok);
	}
	if (!in || !p[0] || (user && strcmp(user, l)))
		return false;
	snprintf(login, loginsz, "%s", l);
	snprintf(pass, passsz, "%s", p);
	return true;
}

/* The first line of a file, bounded. */
static bool read_first_line(const char *path, char *dst, size_t dstsz, size_t max,
			    struct buf *all)
{
	char chunk[4096];
	ssize_t n;
	int fd;

	buf_init(all, max);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		if (!buf_add(all, chunk, (size_t)n))
			break;
	close(fd);
	if (dst && all->p) {
		size_t len = strcspn(all->p, "\r\n");
		if (len >= dstsz)
			len = dstsz - 1;
		memcpy(dst, all->p, len);
		dst[len] = '\0';
	}
	return all->p != NULL;
}

static bool from_netrc(const char *host, const char *user, char *pass, size_t passsz)
{
	const char *home = getenv("HOME");
	char path[4096];
	struct buf text;
	bool found = false;

	if (!home || snprintf(path, sizeof path, "%s/.netrc", home) >= (int)sizeof path)
		return false;
	if (read_first_line(path, NULL, 0, NETRC_MAX, &text))
		found = netrc_find(text.p, host, user, netrc_login, sizeof netrc_login,
				   pass, passsz);
	buf_free(&text);
	return found;
}

const char *secret_user(const char *user, const char *host)
{
	const char *env;
	char pass[PASSWORD_MAX + 1];

	if (user)
		return user;
	if (from_netrc(host, NULL, pass, sizeof pass))
		return netrc_login;
	if ((env = getenv("LOGNAME")) || (env = getenv("USER")))
		return env;
	fail(EX_USAGE, "no user name: give -u USER");
}

static bool prompt(const char *host, const char *user)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	bool ok;

	if (!tty)
		return false;
	fprintf(tty, "Password for %s@%s: ", user, host);
	fflush(tty);
	ok = tcgetattr(fileno(tty), &old) == 0;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (ok)
		tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(password, sizeof password, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	password[strcspn(password, "\r\n")] = '\0';
	return ok;
}

const char *secret_password(const char *passfile, const char *envname,
			    const char *host, const char *user)
{
	const char *env;
	struct buf all;

	if (passfile) {
		if (!read_first_line(passfile, password, sizeof password, PASSWORD_MAX + 2,
				     &all))
			fail(EX_NOINPUT, "cannot read password file %s: %s", passfile,
			     strerror(errno ? errno : EIO));
		buf_free(&all);
		return password;
	}
	if (envname && (env = getenv(envname)) && strlen(env) <= PASSWORD_MAX)
		return strcpy(password, env);
	if (from_netrc(host, user, password, sizeof password))
		return password;
	if (prompt(host, user))
		return password;
	fail(EX_USAGE, "no password for %s: use -p FILE, $%s, ~/.netrc or a terminal",
	     user, envname ? envname : "");
}

void sasl_plain_response(const char *user, const char *pass, char *dst, size_t dstsz)
{
	char plain[2 * PASSWORD_MAX + 4];
	size_t ul = strlen(user), pl = strlen(pass);

	if (strpbrk(user, "\r\n") || strpbrk(pass, "\r\n") || ul + pl + 2 > sizeof plain)
		fail(EX_USAGE, "user or password holds a line break or is too long");
	plain[0] = '\0';
	memcpy(plain + 1, user, ul);
	plain[ul + 1] = '\0';
	memcpy(plain + ul + 2, pass, pl);
	if (!base64_encode(plain, ul + pl + 2, dst, dstsz))
		fail(EX_USAGE, "user or password too long");
}
