#include "senders.h"
#include "limits.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* "user: address" with optional spaces; false for a comment or nonsense. */
static bool split(char *line, char **user, char **addr)
{
	char *colon = strchr(line, ':');

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '#' || !colon)
		return false;
	*colon = '\0';
	*user = line;
	*addr = colon + 1 + strspn(colon + 1, " \t");
	(*addr)[strcspn(*addr, " \t")] = '\0';
	return **user != '\0' && **addr != '\0';
}

static bool search(FILE *f, const char *user, const char *address)
{
	char line[SENDERS_LINE_MAX + 2], *u, *a;
	bool skipping = false;

	while (fgets(line, sizeof line, f)) {
		bool whole = strchr(line, '\n') != NULL || feof(f);

		/* the tail of an over-long line is not a line of its own */
		if (!skipping && whole && split(line, &u, &a) &&
		    strcmp(u, user) == 0 && strcasecmp(a, address) == 0)
			return true;
		skipping = !whole;
	}
	return false;
}

bool senders_allow(const char *path, const char *user, const char *address)
{
	struct stat sb;
	FILE *f;
	bool ok;

	if (!path || !(f = fopen(path, "re")))
		return false;
	if (fstat(fileno(f), &sb) != 0 || sb.st_size > SENDERS_FILE_MAX) {
		log_msg(LOG_ERR, "senders file %s: unreadable or over %d bytes", path,
			SENDERS_FILE_MAX);
		fclose(f);
		return false;
	}
	ok = search(f, user, address);
	fclose(f);
	return ok;
}
