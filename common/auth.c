#include "auth.h"
#include "log.h"

#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define AUTH_LINE_BYTES 1024

static FILE *auth_fp;
/* A real hash from the file, so that unknown users cost the same work. */
static char dummy_hash[AUTH_LINE_BYTES];

bool user_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > USER_NAME_MAX || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Split "name:hash[:ignored]" in place; false if malformed. */
static bool parse_line(char *line, char **name, char **hash)
{
	char *colon, *end;

	line[strcspn(line, "\r\n")] = '\0';
	colon = strchr(line, ':');
	if (!colon)
		return false;
	*colon = '\0';
	*name = line;
	*hash = colon + 1;
	end = strchr(*hash, ':');
	if (end)
		*end = '\0';
	return user_name_valid(*name, strlen(*name)) && **hash != '\0';
}

/* One line without its LF into buf: its length, or -1 at the end.  *bad
 * is set when it was too long or held a NUL (which would hide its end from
 * the string functions). */
static long read_line(FILE *fp, char *buf, size_t cap, bool *bad)
{
	size_t n = 0;
	int c;

	*bad = false;
	while ((c = getc(fp)) != EOF && c != '\n') {
		if (c == '\0' || n + 1 >= cap)
			*bad = true;
		else
			buf[n++] = (char)c;
	}
	if (c == EOF && n == 0 && !*bad)
		return -1;
	buf[n] = '\0';
	return (long)n;
}

/* Calls fn for each well-formed line until it returns true.  Over-long and
 * malformed lines are skipped; when `report` is set they are logged. */
static bool each_user(bool (*fn)(const char *, const char *, void *), void *arg,
		      bool report)
{
	char line[AUTH_LINE_BYTES];
	int lineno = 0;
	bool bad;

	if (!auth_fp)
		return false;
	rewind(auth_fp);
	while (read_line(auth_fp, line, sizeof line, &bad) >= 0) {
		char *name, *hash;

		lineno++;
		if (!bad && (line[0] == '#' || line[strspn(line, " \t\r")] == '\0'))
			continue;
		if (bad || !parse_line(line, &name, &hash)) {
			if (report)
				log_msg(LOG_WARNING, "auth file line %d: malformed, skipped", lineno);
			continue;
		}
		if (fn(name, hash, arg))
			return true;
	}
	return false;
}

static bool take_dummy(const char *name, const char *hash, void *arg)
{
	(void)name;
	(void)arg;
	if (hash[0] != '$' || dummy_hash[0] != '\0')
		return false;
	snprintf(dummy_hash, sizeof dummy_hash, "%s", hash);
	return false;		/* keep going: report every malformed line */
}

int auth_open(const char *path)
{
	auth_fp = fopen(path, "re");
	if (!auth_fp)
		return -1;
	each_user(take_dummy, NULL, true);
	if (ferror(auth_fp)) {
		errno = EIO;
		return -1;
	}
	if (dummy_hash[0] == '\0')
		snprintf(dummy_hash, sizeof dummy_hash, "%s",
			 "$6$facteur$TiYwZqJ9cQ2Dk3a5yU0v4I7bB8s1eLmNnOpRqStUvWxYz0123456789abcdefghijklmnopqrstuvwx");
	return 0;
}

struct lookup {
	char want[USER_NAME_MAX + 1];
	char hash[AUTH_LINE_BYTES];
	bool found;
};

static bool match_user(const char *name, const char *hash, void *arg)
{
	struct lookup *lk = arg;

	if (strcmp(name, lk->want) != 0)
		return false;
	snprintf(lk->hash, sizeof lk->hash, "%s", hash);
	lk->found = true;
	return true;
}

bool auth_fold_name(const char *name, size_t len, char *out)
{
	if (len == 0 || len > USER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[len] = '\0';
	return user_name_valid(out, len);
}

static bool lookup(const char *name, size_t len, struct lookup *lk)
{
	memset(lk, 0, sizeof *lk);
	if (!auth_fold_name(name, len, lk->want))
		return false;
	return each_user(match_user, lk, false);
}

bool auth_user_exists(const char *name, size_t len, char *canon)
{
	struct lookup lk;

	if (!lookup(name, len, &lk))
		return false;
	strcpy(canon, lk.want);
	return true;
}

static bool take_first(const char *name, const char *hash, void *arg)
{
	(void)hash;
	snprintf(arg, USER_NAME_MAX + 1, "%s", name);
	return true;
}

bool auth_first_user(char *canon)
{
	return each_user(take_first, canon, false);
}

/* Compare without an early exit, so timing tells nothing about the hash. */
static bool same_string(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

bool auth_verify(const char *name, size_t len, const char *pass, char *canon)
{
	static struct crypt_data cd;
	struct lookup lk;
	bool known = lookup(name, len, &lk);
	bool usable = known && lk.hash[0] != '!' && lk.hash[0] != '*';
	const char *setting = usable ? lk.hash : dummy_hash;
	const char *out;

	memset(&cd, 0, sizeof cd);
	out = crypt_r(pass, setting, &cd);
	if (!out || out[0] == '*' || !usable || !same_string(out, lk.hash))
		return false;
	strcpy(canon, lk.want);
	return true;
}
