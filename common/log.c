#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One log line, cut there; a transcript line (escaped) gets half of it. */
#define LOG_LINE_MAX 2048

static int log_fd = -1;		/* -1: syslog */
static char log_prog[16] = "facteur";

int log_open(const char *prog, const char *dest)
{
	snprintf(log_prog, sizeof log_prog, "%s", prog);
	if (strcmp(dest, "syslog") == 0) {
		openlog(log_prog, LOG_PID | LOG_NDELAY, LOG_MAIL);
		return 0;
	}
	log_fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	return log_fd < 0 ? -1 : 0;
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n = 0;

	if (log_fd >= 0) {
		struct tm tm;
		time_t t = time(NULL);

		gmtime_r(&t, &tm);
		n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
		n += snprintf(line + n, sizeof line - (size_t)n, "%s[%ld]: ",
			      log_prog, (long)getpid());
	}
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	if (log_fd < 0) {
		syslog(prio, "%s", line);
		return;
	}
	n = (int)strlen(line);
	if (n >= (int)sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	/* One write with O_APPEND: lines from concurrent processes never mix. */
	if (write(log_fd, line, (size_t)n) < 0) {
		/* nowhere left to report it */
	}
}

char *log_escape(char *dst, size_t dstsz, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < dstsz; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c >= 0x20 && c < 0x7f && c != '\\') {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	if (dstsz > 0)
		dst[o] = '\0';
	return dst;
}

void log_transcript(char dir, const char *line, size_t len)
{
	char esc[LOG_LINE_MAX / 2];

	log_msg(LOG_DEBUG, "%c %s", dir, log_escape(esc, sizeof esc, line, len));
}
