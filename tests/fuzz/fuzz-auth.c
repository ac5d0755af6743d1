/* The auth file (auth.h): any bytes as its content, then lookups and
 * password checks, against a model of the format as auth.h documents it:
 * one "name:hash" a line, '#' comments and blank lines ignored, a malformed
 * or over-long line skipped on its own, the first line for a name wins.
 *
 * auth_open() runs once (at start-up, as in the programs); each input is
 * then written over the same file, which the module reads again on every
 * lookup.  A rewind() may be served from the stdio buffer unless the last
 * read reached the end of the file, so every input ends with a lookup that
 * reads the whole file (a name the model says is absent).
 *
 * Input: mode (1 byte), then the file.  With mode & 1 a known user line is
 * appended, whose password must verify exactly when that line is the one
 * in force. */
#include "fuzz.h"

#include "auth.h"
#include "limits.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINE_BYTES 1024		/* auth.c reads lines into this much */
#define LOOKUPS_MAX 64		/* each lookup reads the whole file */
#define VERIFY_MAX 4		/* each check costs a crypt(3) */
#define KNOWN_USER "fz-user"
#define KNOWN_PASS "pw"
#define KNOWN_HASH "$1$fuzz$JS8U0WE1L6A2cgUFCnU35/"

static int file_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char first[] =
		"alice:$5$rounds=1000$facteurfuzzalice$QTOXnccyxTuHvLbz1llXMAyAmx0sJc8ZSP0chNXfcD.\n";
	char path[4096];

	(void)argc;
	(void)argv;
	fz_quiet_log();
	snprintf(path, sizeof path, "%s/users", fz_scratch());
	file_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (file_fd < 0)
		fz_fail("%s: %s", path, strerror(errno));
	fz_fd_set(file_fd, first, sizeof first - 1);
	if (auth_open(path) != 0)
		fz_fail("auth_open: %s", strerror(errno));
	return 0;
}

struct entry {
	const char *name, *hash;
	size_t nlen, hlen;
};

struct model {
	struct entry *e;
	size_t n;
};

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > USER_NAME_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) &&
		    !strchr("._-", s[i]))
			return false;
	return true;
}

/* One line without its LF; adds an entry when it is a well-formed user. */
static void model_line(const char *s, size_t n, struct model *m)
{
	const char *colon, *hash, *end;

	if (n >= LINE_BYTES - 1 || memchr(s, '\0', n))
		return;				/* over-long or binary: skipped */
	if (n > 0 && s[0] == '#')
		return;
	end = memchr(s, '\r', n);		/* a CR ends the line's text */
	if (end)
		n = (size_t)(end - s);
	colon = memchr(s, ':', n);
	if (!colon || !name_ok(s, (size_t)(colon - s)))
		return;
	hash = colon + 1;
	end = memchr(hash, ':', (size_t)(s + n - hash));
	if (!end)
		end = s + n;
	if (end == hash)
		return;
	m->e[m->n++] = (struct entry){ s, hash, (size_t)(colon - s), (size_t)(end - hash) };
}

static void model_parse(const char *p, size_t n, struct model *m)
{
	m->n = 0;
	m->e = malloc((n / 2 + 1) * sizeof *m->e);
	if (!m->e)
		fz_fail("out of memory");
	for (size_t i = 0; i < n;) {
		const char *lf = memchr(p + i, '\n', n - i);
		size_t len = lf ? (size_t)(lf - (p + i)) : n - i;

		model_line(p + i, len, m);
		i += len + 1;
	}
}

static const struct entry *model_find(const struct model *m, const char *name, size_t len)
{
	char low[USER_NAME_MAX + 1];

	if (len == 0 || len > USER_NAME_MAX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)tolower((unsigned char)name[i]);
	if (!name_ok(low, len))
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].nlen == len && memcmp(m->e[i].name, low, len) == 0)
			return &m->e[i];
	return NULL;
}

/* crypt(3) work a fuzzed hash may ask for: bcrypt "$2b$31$" or a huge
 * "rounds=" runs for hours.  Only cheap settings are verified. */
static bool cheap(const struct entry *e)
{
	const char *h = e->hash;

	if (h[0] == '!' || h[0] == '*')
		return true;
	if (e->hlen >= 3 && (memcmp(h, "$1$", 3) == 0 || memcmp(h, "$5$", 3) == 0 ||
			     memcmp(h, "$6$", 3) == 0))
		return e->hlen < 10 || memcmp(h + 3, "rounds=", 7) != 0 ||
		       (e->hlen >= 15 && memcmp(h + 3, "rounds=1000$", 12) == 0);
	return h[0] != '$' && h[0] != '_';
}

static void check_name(const struct model *m, const char *name, size_t len, bool verify)
{
	const struct entry *e = model_find(m, name, len);
	char canon[USER_NAME_MAX + 1];
	bool got = auth_user_exists(name, len, canon);

	FZ_CHECK(got == (e != NULL), "auth_user_exists('%.*s') says %d, model %d",
		 (int)len, name, got, e != NULL);
	if (got)
		FZ_CHECK(strlen(canon) == len && memcmp(canon, e->name, len) == 0,
			 "canonical name of '%.*s' is '%s'", (int)len, name, canon);
	if (verify && (!e || cheap(e)))
		FZ_CHECK(!auth_verify(name, len, "not the password", canon),
			 "a wrong password verified for '%.*s'", (int)len, name);
}

/* Leave the module's stream at end of file (see the top). */
static void read_to_end(const struct model *m)
{
	char name[32], canon[USER_NAME_MAX + 1];

	for (unsigned i = 0;; i++) {
		snprintf(name, sizeof name, "absent%u", i);
		if (!model_find(m, name, strlen(name)))
			break;
	}
	FZ_CHECK(!auth_user_exists(name, strlen(name), canon), "'%s' exists", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char known[] = "\n" KNOWN_USER ":" KNOWN_HASH "\n";
	struct fz f = { data, size };
	uint8_t mode = fz_u8(&f);
	struct fz_buf file = { 0 };
	struct model m;
	char canon[USER_NAME_MAX + 1];
	const struct entry *e;
	size_t lookups = 0;

	fz_buf_add(&file, f.p, f.n);
	if (mode & 1)
		fz_buf_add(&file, known, sizeof known - 1);
	fz_fd_set(file_fd, file.p, file.len);
	model_parse(file.p, file.len, &m);

	FZ_CHECK(auth_first_user(canon) == (m.n > 0), "auth_first_user disagrees");
	if (m.n > 0)
		FZ_CHECK(strlen(canon) == m.e[0].nlen &&
			 memcmp(canon, m.e[0].name, m.e[0].nlen) == 0,
			 "first user is '%s'", canon);

	/* Every line's name, as written and in upper case. */
	for (size_t i = 0; i < file.len && lookups < LOOKUPS_MAX; lookups++) {
		const char *s = file.p + i, *lf = memchr(s, '\n', file.len - i);
		size_t len = lf ? (size_t)(lf - s) : file.len - i;
		const char *colon = memchr(s, ':', len);
		size_t nlen = colon ? (size_t)(colon - s) : len;
		char upper[USER_NAME_MAX + 1];

		if (nlen <= USER_NAME_MAX) {
			check_name(&m, s, nlen, lookups < VERIFY_MAX);
			for (size_t k = 0; k < nlen; k++)
				upper[k] = (char)toupper((unsigned char)s[k]);
			check_name(&m, upper, nlen, false);
		}
		i += len + 1;
	}
	check_name(&m, "nobody-here", 11, true);

	e = model_find(&m, KNOWN_USER, strlen(KNOWN_USER));
	if (e && cheap(e)) {
		bool want = e->hlen == strlen(KNOWN_HASH) && memcmp(e->hash, KNOWN_HASH, e->hlen) == 0;
		FZ_CHECK(auth_verify(KNOWN_USER, strlen(KNOWN_USER), KNOWN_PASS, canon) == want,
			 "the known user's password %s", want ? "failed" : "verified");
	}
	read_to_end(&m);
	free(m.e);
	fz_buf_free(&file);
	return 0;
}
