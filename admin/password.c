#include "password.h"

#include <crypt.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* One line from fd 0 without its newline; -1 if too long, empty or at EOF. */
static int read_line(char *buf, size_t size)
{
	size_t n = 0;
	char c;

	while (read(0, &c, 1) == 1 && c != '\n') {
		if (n + 1 >= size)
			return -1;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return n == 0 ? -1 : 0;
}

static int prompt(const char *what, char *buf, size_t size)
{
	struct termios old, quiet;
	int rc;

	fprintf(stderr, "%s", what);
	if (tcgetattr(0, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(0, TCSANOW, &quiet);
	rc = read_line(buf, size);
	tcsetattr(0, TCSANOW, &old);
	fprintf(stderr, "\n");
	return rc;
}

int password_read(char *pw)
{
	char again[PASSWORD_MAX + 2];
	bool tty = isatty(0);
	int rc = tty ? prompt("New password: ", pw, PASSWORD_MAX + 1)
		     : read_line(pw, PASSWORD_MAX + 1);

	if (rc != 0) {
		fprintf(stderr, "facteur-user: no password, or over %d bytes\n", PASSWORD_MAX);
		return -1;
	}
	if (tty && (prompt("Again: ", again, sizeof again) != 0 || strcmp(pw, again) != 0)) {
		fprintf(stderr, "facteur-user: the passwords differ\n");
		explicit_bzero(again, sizeof again);
		return -1;
	}
	explicit_bzero(again, sizeof again);
	return 0;
}

int password_hash(const char *pw, char *out, size_t outsz)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	memset(&cd, 0, sizeof cd);
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) ||
	    !(h = crypt_r(pw, salt, &cd)) || h[0] == '*' || strlen(h) >= outsz) {
		fprintf(stderr, "facteur-user: crypt: %s\n", strerror(errno));
		return -1;
	}
	strcpy(out, h);
	explicit_bzero(&cd, sizeof cd);
	return 0;
}
