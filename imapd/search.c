/* SEARCH and UID SEARCH. */
#include "session.h"

void cmd_search(void *v, char *unused)
{
	(void)unused;
	tagged(v, "NO", "[CANNOT] Not implemented yet");
}
