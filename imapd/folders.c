/* Folders: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS. */
#include "session.h"

#define NOT_YET(name) \
	void name(void *v, char *unused) { (void)unused; tagged(v, "NO", "[CANNOT] Not implemented yet"); }
NOT_YET(cmd_create)
NOT_YET(cmd_delete)
NOT_YET(cmd_rename)
NOT_YET(cmd_subscribe)
NOT_YET(cmd_unsubscribe)
NOT_YET(cmd_list)
NOT_YET(cmd_lsub)
NOT_YET(cmd_status)
