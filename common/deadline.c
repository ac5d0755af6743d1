#include "deadline.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static long long deadline_at;

static void on_tick(int sig)
{
	(void)sig;	/* only here to interrupt the blocking call */
}

long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void deadline_arm(int seconds)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_tick;	/* no SA_RESTART: we want EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	deadline_at = now_ms() + (long long)seconds * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
}

void deadline_disarm(void)
{
	struct itimerval off;

	memset(&off, 0, sizeof off);
	setitimer(ITIMER_REAL, &off, NULL);
}

bool deadline_passed(void)
{
	return now_ms() >= deadline_at;
}

void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}
