#include "lock.h"
#include "deadline.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

static int set_lock(int fd, int cmd, int type)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = (short)type;
	fl.l_whence = SEEK_SET;		/* start 0, length 0: the whole file */
	return fcntl(fd, cmd, &fl);
}

int lock_try(int fd, int type)
{
	if (set_lock(fd, F_SETLK, type) == 0)
		return 0;
	if (errno == EACCES)
		errno = EAGAIN;
	return -1;
}

int lock_wait(int fd, int type, int timeout)
{
	int rc;

	if (lock_try(fd, type) == 0)
		return 0;
	if (errno != EAGAIN)
		return -1;
	deadline_arm(timeout);
	for (;;) {
		rc = set_lock(fd, F_SETLKW, type);
		if (rc == 0 || errno != EINTR)
			break;
		if (deadline_passed()) {
			errno = ETIMEDOUT;
			break;
		}
	}
	deadline_disarm();
	return rc;
}

void lock_release(int fd)
{
	set_lock(fd, F_SETLK, F_UNLCK);
}
