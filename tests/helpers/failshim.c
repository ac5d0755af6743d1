/* failshim.so, preloaded into a facteur program: the FAIL_NTH-th call of
 * FAIL_CALL (fsync, fdatasync or renameat) fails with FAIL_ERRNO (default
 * EIO) instead of running.  The other calls go through.  Used to check that
 * nothing is reported stored unless it was durably written. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int fail_now(const char *name, int *count)
{
	const char *want = getenv("FAIL_CALL"), *nth = getenv("FAIL_NTH");
	const char *err = getenv("FAIL_ERRNO");

	if (!want || strcmp(want, name) != 0)
		return 0;
	if (++*count != (nth ? atoi(nth) : 1))
		return 0;
	errno = err ? atoi(err) : EIO;
	return 1;
}

int fsync(int fd)
{
	static int (*real)(int);
	static int count;

	if (fail_now("fsync", &count))
		return -1;
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	return real(fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);
	static int count;

	if (fail_now("fdatasync", &count))
		return -1;
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	return real(fd);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	static int (*real)(int, const char *, int, const char *);
	static int count;

	if (fail_now("renameat", &count))
		return -1;
	if (!real)
		real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
	return real(olddirfd, oldpath, newdirfd, newpath);
}
