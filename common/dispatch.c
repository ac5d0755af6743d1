#include "dispatch.h"
#include "ascii.h"

#include <string.h>

const struct command *command_find(const struct command *table, char *line,
				   char **args)
{
	size_t verb = strcspn(line, " ");

	*args = line[verb] ? line + verb + 1 : line + verb;
	for (const struct command *c = table; c->name; c++)
		if (ascii_ieq(line, verb, c->name))
			return c;
	return NULL;
}
