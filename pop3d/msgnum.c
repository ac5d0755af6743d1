#include "msgnum.h"

enum msgnum_status msgnum_parse(const char *arg, uint32_t nmsgs, uint32_t *n)
{
	uint64_t v = 0;

	if (*arg == '\0')
		return MSGNUM_EMPTY;
	for (; *arg; arg++) {
		if (*arg < '0' || *arg > '9')
			return MSGNUM_SYNTAX;
		v = v * 10 + (uint64_t)(*arg - '0');
		if (v > nmsgs)
			return MSGNUM_RANGE;	/* stop before it could wrap */
	}
	if (v == 0)
		return MSGNUM_RANGE;
	*n = (uint32_t)v;
	return MSGNUM_OK;
}

bool msgnum_lines(const char *arg, uint64_t *lines)
{
	uint64_t n = 0;

	if (*arg == '\0')
		return false;
	for (; *arg; arg++) {
		if (*arg < '0' || *arg > '9')
			return false;
		n = n > UINT64_MAX / 20 ? UINT64_MAX - 1 : n * 10 + (uint64_t)(*arg - '0');
	}
	*lines = n;
	return true;
}
