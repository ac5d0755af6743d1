/* fsyncfloor DIR COUNT SIZE WRITERS: the durability floor.  WRITERS
 * processes each append their share of COUNT records of SIZE bytes to a file
 * of their own in DIR, with write() then fsync() for every record: what a
 * server must do at the least before it may answer "250" for each message.
 * Prints the wall time in seconds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1 << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int writer(const char *dir, int id, long count, long size)
{
	char path[4096], *buf = malloc(CHUNK);
	int fd;

	if (!buf)
		return 1;
	memset(buf, 'x', CHUNK);
	for (long i = 0; i < CHUNK; i += 73)
		buf[i] = '\n';
	snprintf(path, sizeof path, "%s/floor.%d", dir, id);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	for (long i = 0; i < count; i++) {
		for (long left = size; left > 0;) {
			ssize_t n = write(fd, buf, left < CHUNK ? (size_t)left : CHUNK);
			if (n <= 0) {
				perror("write");
				return 1;
			}
			left -= n;
		}
		if (fsync(fd) != 0) {
			perror("fsync");
			return 1;
		}
	}
	close(fd);
	unlink(path);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	long count, size, writers, bad = 0;
	double t0;
	int status;

	if (argc != 5) {
		fprintf(stderr, "usage: fsyncfloor DIR COUNT SIZE WRITERS\n");
		return 2;
	}
	count = atol(argv[2]);
	size = atol(argv[3]);
	writers = atol(argv[4]);
	if (count < 1 || size < 1 || writers < 1)
		return 2;
	t0 = now();
	for (long w = 0; w < writers; w++) {
		long share = count * (w + 1) / writers - count * w / writers;
		pid_t p = fork();
		if (p < 0) {
			perror("fork");
			return 1;
		}
		if (p == 0)
			_exit(writer(argv[1], (int)w, share, size));
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	printf("%.6f\n", now() - t0);
	return bad != 0;
}
