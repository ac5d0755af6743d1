#include "failrec.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* One entry, as stored: native byte order, the file never leaves the host. */
struct slot {
	char key[FAILREC_KEY_MAX];	/* NUL-padded; "" is a free slot */
	uint32_t count;
	uint32_t pad;
	int64_t first;			/* time of the first failure counted */
	int64_t last;			/* time of the latest, for reuse */
};

/* The whole file, read in one call: 96 KiB, not worth a heap allocation. */
static struct slot table[FAILREC_SLOTS];

static bool live(const struct slot *e, int window, time_t now)
{
	return e->key[0] != '\0' && now - e->first < window && e->first <= now;
}

/* Open and lock the file: F_RDLCK to read (no file, nothing recorded),
 * F_WRLCK to update (created on the first failure). */
static int open_locked(int spoolfd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
	int flags = type == F_WRLCK ? O_RDWR | O_CREAT : O_RDONLY;
	int fd = openat(spoolfd, FAILREC_FILE, flags | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -1;
	while (fcntl(fd, F_SETLKW, &fl) != 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Read the table; what a new or truncated file lacks reads as free slots. */
static void read_table(int fd)
{
	ssize_t n = pread(fd, table, sizeof table, 0);

	if (n < 0)
		n = 0;
	memset((char *)table + n, 0, sizeof table - (size_t)n);
}

/* The slot of the table holding key, else the best one to take: free or
 * expired first, then the least recently touched. */
static int find_slot(const char *key, int window, time_t now, struct slot *out)
{
	int best = 0;
	int64_t best_last = INT64_MAX;

	for (int i = 0; i < FAILREC_SLOTS; i++) {
		struct slot *e = &table[i];

		e->key[FAILREC_KEY_MAX - 1] = '\0';
		if (strcmp(e->key, key) == 0) {
			*out = *e;
			return i;
		}
		int64_t age = live(e, window, now) ? e->last : INT64_MIN;
		if (age < best_last) {
			best_last = age;
			best = i;
		}
	}
	memset(out, 0, sizeof *out);
	return best;
}

int failrec_count(int spoolfd, const char *const keys[], int n, int window, time_t now)
{
	struct slot e;
	int fd = open_locked(spoolfd, F_RDLCK), most = 0;

	if (fd < 0)
		return 0;
	read_table(fd);
	for (int k = 0; k < n; k++) {
		if (!keys[k][0])
			continue;
		find_slot(keys[k], window, now, &e);
		if (e.key[0] && live(&e, window, now) && (int)e.count > most)
			most = (int)e.count;
	}
	close(fd);
	return most;
}

/* One more failure for key, in the table and in the file. */
static int add_one(int fd, const char *key, int window, time_t now)
{
	struct slot e;
	int i = find_slot(key, window, now, &e);

	if (!e.key[0] || !live(&e, window, now)) {
		memset(&e, 0, sizeof e);
		strncpy(e.key, key, FAILREC_KEY_MAX - 1);
		e.first = now;
	}
	if (e.count < UINT32_MAX)
		e.count++;
	e.last = now;
	table[i] = e;	/* the next key of this pass sees it taken */
	if (pwrite(fd, &e, sizeof e, (off_t)i * (off_t)sizeof e) != (ssize_t)sizeof e)
		return -1;
	return 0;
}

int failrec_add(int spoolfd, const char *const keys[], int n, int window, time_t now)
{
	int fd = open_locked(spoolfd, F_WRLCK), rc = 0;

	if (fd < 0)
		return -1;
	read_table(fd);
	for (int k = 0; k < n; k++)
		if (keys[k][0] && add_one(fd, keys[k], window, now) != 0)
			rc = -1;
	close(fd);	/* releases the lock */
	return rc;
}
