#include "session.h"

#define NOT_YET(name) \
	void name(void *v, char *unused) { (void)unused; tagged(v, "NO", "[CANNOT] Not implemented yet"); }
NOT_YET(cmd_append)
NOT_YET(cmd_fetch)
NOT_YET(cmd_store)
NOT_YET(cmd_copy)
NOT_YET(cmd_move)
NOT_YET(cmd_idle)
