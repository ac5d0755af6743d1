#include "msgbuf.h"
#include "lineio.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void msgbuf_init(struct msgbuf *b, int spoolfd)
{
	b->spoolfd = spoolfd;
	b->fd = -1;
	b->err = 0;
	b->total = 0;
	b->len = 0;
}

/* An anonymous file: unlinked at once, so a crash leaves nothing behind. */
static int open_temp(struct msgbuf *b)
{
	int dirfd = spool_tmp_dir(b->spoolfd);
	char name[128], host[64] = "";

	if (dirfd < 0)
		return -1;
	/* The host's name too: on a shared spool, process ids repeat. */
	if (gethostname(host, sizeof host - 1) != 0 || strchr(host, '/'))
		strcpy(host, "host");
	for (int i = 0; i < 100 && b->fd < 0; i++) {
		snprintf(name, sizeof name, "msg.%s.%ld.%ld.%d", host, (long)getpid(),
			 (long)time(NULL), i);
		b->fd = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (b->fd >= 0)
			unlinkat(dirfd, name, 0);
		else if (errno != EEXIST)
			break;
	}
	close(dirfd);
	return b->fd < 0 ? -1 : 0;
}

static int spill(struct msgbuf *b)
{
	if (b->fd < 0 && open_temp(b) != 0)
		return -1;
	if (write_all(b->fd, b->mem, b->len, 0) != 0)
		return -1;
	b->len = 0;
	return 0;
}

int msgbuf_write(void *v, const char *p, size_t n)
{
	struct msgbuf *b = v;

	if (b->err)
		return -1;
	while (n > 0) {
		size_t room = sizeof b->mem - b->len, take = n < room ? n : room;

		if (room == 0) {
			if (spill(b) != 0) {
				b->err = errno ? errno : EIO;
				return -1;
			}
			continue;
		}
		memcpy(b->mem + b->len, p, take);
		b->len += take;
		b->total += take;
		p += take;
		n -= take;
	}
	return 0;
}

int msgbuf_seal(struct msgbuf *b)
{
	if (b->err)
		return -1;
	if (b->fd >= 0 && b->len > 0 && spill(b) != 0) {
		b->err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

int msgbuf_each(struct msgbuf *b, int (*fn)(void *arg, const char *p, size_t n),
		void *arg)
{
	uint64_t off = 0;

	if (b->fd < 0)
		return fn(arg, b->mem, b->len);
	/* The memory buffer is free again: read the file back through it. */
	while (off < b->total) {
		ssize_t got = pread(b->fd, b->mem, sizeof b->mem, (off_t)off);
		if (got <= 0)
			return -1;
		if (fn(arg, b->mem, (size_t)got) != 0)
			return -1;
		off += (uint64_t)got;
	}
	return 0;
}

void msgbuf_free(struct msgbuf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	msgbuf_init(b, b->spoolfd);
}
