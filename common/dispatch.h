/* Table-driven command dispatch: each program has one table of commands with
 * the states each is allowed in; unknown verbs and wrong states are answered
 * uniformly by the program, never by the handlers. */
#ifndef FACTEUR_DISPATCH_H
#define FACTEUR_DISPATCH_H

struct command {
	const char *name;
	unsigned states;		/* bit mask of the session states it runs in */
	void (*run)(void *session, char *args);
};

/* Split "VERB[ args]" in place and find VERB (any case) in `table`, which
 * ends with a row whose name is NULL.  *args is set past the first space,
 * or to "".  Returns NULL for an unknown verb. */
const struct command *command_find(const struct command *table, char *line,
				   char **args);

#endif
