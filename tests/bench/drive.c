/* drive: the benchmark client.  It talks SMTP, POP3 or IMAP to one server,
 * either spawned on a pair of pipes (the server's stdin/stdout; the driver
 * reaps it with wait4() and reports its peak RSS) or reached over TCP on
 * 127.0.0.1 (a superserver owns the process: its peak RSS is sampled from
 * /proc just before the session's last command).  It prints one JSON object
 * on stdout: wall time, bytes, counted items, per-step times, peak RSS.
 *
 *   drive [common options] MODE [mode options] [-- server argv...]
 *
 * Common options:
 *   -t PORT      TCP to 127.0.0.1:PORT instead of spawning the server
 *   -S PID       (TCP) the superserver's pid, for the RSS sample
 *   -u UID:GID   (pipes) the server runs with these ids
 *   -e FILE      (pipes) the server's stderr goes there (default /dev/null)
 *   -L USER:PASS log in (POP3 USER/PASS, IMAP LOGIN); "-" or absent: the
 *                server greets pre-authenticated
 *   -G           the server sends no greeting (Dovecot's pre-authenticated
 *                pop3 speaks only when spoken to)
 * Modes:
 *   smtp  -n MSGS -z BYTES -P SESSIONS -r RCPT-FORMAT (%d = session);
 *         messages are split over the sessions, each sent as RFC 2920
 *         allows (text, then the next MAIL/RCPT/DATA, in one write); a
 *         BYTES above 8 MiB means one message, streamed
 *   conn  -n COUNT -q QUIT-COMMAND      sequential connect, greeting, quit
 *   pop3  STEP...   download | retr:N | stat
 *   imap  STEP...   cmd:COMMAND | body:N,N,...   (one FETCH N BODY[] each)
 *
 * Exit status 0 when every reply was the expected one, 1 otherwise (the
 * JSON then has "ok": false and an "error"). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STEPS_MAX 64

static int tcp_port;
static pid_t sa_pid;
static uid_t run_uid = (uid_t)-1;
static gid_t run_gid = (gid_t)-1;
static const char *errfile = "/dev/null";
static char **server_argv;
static const char *login_user, *login_pass;
static bool no_greeting;	/* -G: the server speaks only when spoken to */

static long max_rss_kb;
static uint64_t bytes_in, bytes_out;
static char errbuf[512];

struct step {
	char name[48];
	double secs;
	bool done;
	long items;
	uint64_t bytes;
};
static struct step steps[STEPS_MAX];
static int nsteps;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (errbuf[0])
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof errbuf, fmt, ap);
	va_end(ap);
}

/* ---- buffered reader ------------------------------------------------- */

struct rd {
	int fd;
	char *b;
	size_t cap, r, w;
	bool eof;
};

static void rd_init(struct rd *d, int fd)
{
	d->fd = fd;
	d->cap = 1 << 20;
	d->b = malloc(d->cap);
	d->r = d->w = 0;
	d->eof = false;
	if (!d->b) {
		perror("malloc");
		exit(2);
	}
}

static void rd_free(struct rd *d)
{
	free(d->b);
	d->b = NULL;
}

/* Reads more; keeps [r, w).  0 on data, -1 on EOF or error. */
static int rd_fill(struct rd *d)
{
	ssize_t n;

	if (d->r == d->w)
		d->r = d->w = 0;
	if (d->w == d->cap) {
		if (d->r > 0) {
			memmove(d->b, d->b + d->r, d->w - d->r);
			d->w -= d->r;
			d->r = 0;
		} else {
			char *nb = realloc(d->b, d->cap * 2);
			if (!nb) {
				perror("realloc");
				exit(2);
			}
			d->b = nb;
			d->cap *= 2;
		}
	}
	do
		n = read(d->fd, d->b + d->w, d->cap - d->w);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		d->eof = true;
		return -1;
	}
	d->w += (size_t)n;
	bytes_in += (uint64_t)n;
	return 0;
}

/* The next line, CRLF included, inside the buffer (valid until the next
 * call); NULL at EOF. */
static char *rd_line(struct rd *d, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *nl = memchr(d->b + d->r + scanned, '\n', d->w - d->r - scanned);
		if (nl) {
			char *line = d->b + d->r;
			*len = (size_t)(nl - line) + 1;
			d->r += *len;
			return line;
		}
		scanned = d->w - d->r;
		if (rd_fill(d) != 0)
			return NULL;
	}
}

static int rd_skip(struct rd *d, uint64_t n)
{
	while (n > 0) {
		size_t have = d->w - d->r;
		if (have == 0) {
			if (rd_fill(d) != 0)
				return -1;
			continue;
		}
		if (have > n)
			have = (size_t)n;
		d->r += have;
		n -= have;
	}
	return 0;
}

/* A dot-terminated multi-line body (POP3), read from the start of a line.
 * Returns its size in bytes (terminator excluded), -1 at EOF. */
static int64_t rd_dotbody(struct rd *d)
{
	int64_t total = 0;
	bool bol = true;	/* r is at the beginning of a line */

	for (;;) {
		size_t have = d->w - d->r;
		char *base = d->b + d->r, *p;

		if (bol && have < 3) {
			if (rd_fill(d) != 0)
				return -1;
			continue;
		}
		if (bol && memcmp(base, ".\r\n", 3) == 0) {
			d->r += 3;
			return total;
		}
		p = memmem(base, have, "\r\n.\r\n", 5);
		if (p) {
			size_t body = (size_t)(p - base) + 2;
			total += (int64_t)body;
			d->r += body + 3;
			return total;
		}
		/* Consume the complete lines; a partial last line stays. */
		p = memrchr(base, '\n', have);
		if (p) {
			size_t take = (size_t)(p - base) + 1;
			total += (int64_t)take;
			d->r += take;
			bol = true;
		}
		if (rd_fill(d) != 0)
			return -1;
	}
}

/* ---- connections ----------------------------------------------------- */

struct conn {
	int rfd, wfd;
	pid_t pid;
	struct rd rd;
	double t0;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
		bytes_out += (uint64_t)k;
	}
	return 0;
}

static int sendf(struct conn *c, const char *fmt, ...)
{
	char buf[65536];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof buf) {
		fail("command too long");
		return -1;
	}
	if (write_all(c->wfd, buf, (size_t)n) != 0) {
		fail("write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int open_conn(struct conn *c)
{
	c->t0 = now();
	c->pid = 0;
	if (tcp_port) {
		struct sockaddr_in sin;
		int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (s < 0) {
			fail("socket: %s", strerror(errno));
			return -1;
		}
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)tcp_port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(s, (struct sockaddr *)&sin, sizeof sin) != 0) {
			fail("connect: %s", strerror(errno));
			close(s);
			return -1;
		}
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c->rfd = c->wfd = s;
	} else {
		int to[2], from[2];

		if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) {
			fail("pipe: %s", strerror(errno));
			return -1;
		}
		c->pid = fork();
		if (c->pid < 0) {
			fail("fork: %s", strerror(errno));
			return -1;
		}
		if (c->pid == 0) {
			int e = open(errfile, O_WRONLY | O_APPEND | O_CREAT, 0644);
			dup2(to[0], 0);
			dup2(from[1], 1);
			if (e >= 0)
				dup2(e, 2);
			signal(SIGPIPE, SIG_DFL);
			if (run_gid != (gid_t)-1 &&
			    (setgroups(0, NULL) != 0 || setgid(run_gid) != 0))
				_exit(126);
			if (run_uid != (uid_t)-1 && setuid(run_uid) != 0)
				_exit(126);
			execvp(server_argv[0], server_argv);
			_exit(127);
		}
		close(to[0]);
		close(from[1]);
		c->wfd = to[1];
		c->rfd = from[0];
	}
	rd_init(&c->rd, c->rfd);
	return 0;
}

/* VmHWM of the superserver's current child (TCP mode), in KiB. */
static void sample_rss(void)
{
	char path[64], buf[256], line[256];
	FILE *f;
	long pid;

	if (!sa_pid)
		return;
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)sa_pid, (long)sa_pid);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, sizeof buf, f)) {
		fclose(f);
		return;
	}
	fclose(f);
	char *p = buf;
	while (sscanf(p, "%ld", &pid) == 1) {
		FILE *s;
		snprintf(path, sizeof path, "/proc/%ld/status", pid);
		if ((s = fopen(path, "r")) != NULL) {
			while (fgets(line, sizeof line, s)) {
				long kb;
				if (sscanf(line, "VmHWM: %ld kB", &kb) == 1 && kb > max_rss_kb)
					max_rss_kb = kb;
			}
			fclose(s);
		}
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
}

/* Ends the session: our side closes, the server's output is drained to EOF
 * and (pipes) the server is reaped.  Returns its exit status or -1. */
static int close_conn(struct conn *c)
{
	int status = 0;

	if (tcp_port)
		shutdown(c->wfd, SHUT_WR);
	else
		close(c->wfd);
	while (!c->rd.eof) {
		c->rd.r = c->rd.w = 0;
		rd_fill(&c->rd);
	}
	close(c->rfd);
	rd_free(&c->rd);
	if (c->pid > 0) {
		struct rusage ru;
		pid_t p;

		do
			p = wait4(c->pid, &status, 0, &ru);
		while (p < 0 && errno == EINTR);
		if (p == c->pid && ru.ru_maxrss > max_rss_kb)
			max_rss_kb = ru.ru_maxrss;
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	return 0;
}

static struct step *step_begin(const char *name)
{
	struct step *s;

	if (nsteps >= STEPS_MAX)
		nsteps = STEPS_MAX - 1;
	s = &steps[nsteps++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->secs = now();
	s->done = false;
	s->items = 0;
	s->bytes = bytes_in;
	return s;
}

static void step_end(struct step *s)
{
	s->secs = now() - s->secs;
	s->done = true;
	s->bytes = bytes_in - s->bytes;
}

/* ---- SMTP ------------------------------------------------------------ */

static char *smtp_body;		/* dot-stuffed body, CRLF, without the final dot */
static size_t smtp_body_len;

/* A plain-text body of about `size` bytes: 72-column lines, with a line
 * starting "From " (mbox quoting) and one starting "." (dot stuffing). */
static void smtp_make_body(size_t size)
{
	static const char *words[] = {
		"the", "message", "server", "mailbox", "delivery", "queue", "of",
		"and", "a", "to", "in", "is", "for", "local", "spool", "index",
		"with", "on", "that", "lock", "append", "report", "notes", "week",
	};
	size_t cap = size + 4096, n = 0, line = 0;
	unsigned seed = 12345;

	smtp_body = malloc(cap);
	if (!smtp_body) {
		perror("malloc");
		exit(2);
	}
	while (n + 80 < size) {
		size_t start = n;
		line++;
		if (line % 40 == 7)
			n += (size_t)sprintf(smtp_body + n, "From the notes of last week:");
		else if (line % 40 == 23)
			n += (size_t)sprintf(smtp_body + n, "..a line that began with a dot");
		while (n - start < 64) {
			seed = seed * 1103515245u + 12345u;
			n += (size_t)sprintf(smtp_body + n, "%s%s", n > start ? " " : "",
					     words[(seed >> 16) % (sizeof words / sizeof *words)]);
		}
		smtp_body[n++] = '\r';
		smtp_body[n++] = '\n';
	}
	smtp_body_len = n;
}

/* Reads one reply (multi-line aware); returns its code or -1. */
static int smtp_reply(struct conn *c)
{
	for (;;) {
		size_t len;
		char *l = rd_line(&c->rd, &len);
		if (!l) {
			fail("smtp: connection closed");
			return -1;
		}
		if (len < 4 || l[0] < '1' || l[0] > '5') {
			fail("smtp: bad reply line");
			return -1;
		}
		if (l[3] != '-')
			return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
	}
}

static int smtp_expect(struct conn *c, int code, const char *what)
{
	int got = smtp_reply(c);

	if (got != code) {
		fail("smtp %s: expected %d, got %d", what, code, got);
		return -1;
	}
	return 0;
}

/* One session delivering messages [first, first+count) to rcpt. */
static int smtp_session(long first, long count, const char *rcpt)
{
	struct conn c;
	char *buf;
	size_t cap = smtp_body_len + 4096;
	int rc = -1;

	buf = malloc(cap);
	if (!buf || open_conn(&c) != 0)
		return -1;
	if (smtp_expect(&c, 220, "greeting") != 0 || sendf(&c, "EHLO bench.client\r\n") != 0 ||
	    smtp_expect(&c, 250, "EHLO") != 0)
		goto out;
	if (count > 0) {
		if (sendf(&c, "MAIL FROM:<sender@client.test>\r\nRCPT TO:<%s>\r\nDATA\r\n", rcpt) != 0 ||
		    smtp_expect(&c, 250, "MAIL") != 0 || smtp_expect(&c, 250, "RCPT") != 0 ||
		    smtp_expect(&c, 354, "DATA") != 0)
			goto out;
	}
	for (long i = 0; i < count; i++) {
		bool last = i == count - 1;
		size_t n = (size_t)snprintf(buf, cap,
			"From: Sender <sender@client.test>\r\nTo: <%s>\r\n"
			"Subject: bench message %ld\r\nMessage-ID: <%ld.%ld@client.test>\r\n"
			"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n\r\n",
			rcpt, first + i, first + i, (long)getpid());
		memcpy(buf + n, smtp_body, smtp_body_len);
		n += smtp_body_len;
		n += (size_t)snprintf(buf + n, cap - n, ".\r\n");
		if (!last)
			n += (size_t)snprintf(buf + n, cap - n,
				"MAIL FROM:<sender@client.test>\r\nRCPT TO:<%s>\r\nDATA\r\n", rcpt);
		else {
			if (sa_pid)
				sample_rss();
			n += (size_t)snprintf(buf + n, cap - n, "QUIT\r\n");
		}
		if (write_all(c.wfd, buf, n) != 0) {
			fail("write: %s", strerror(errno));
			goto out;
		}
		if (smtp_expect(&c, 250, "end of data") != 0)
			goto out;
		if (!last && (smtp_expect(&c, 250, "MAIL") != 0 || smtp_expect(&c, 250, "RCPT") != 0 ||
			      smtp_expect(&c, 354, "DATA") != 0))
			goto out;
	}
	if (count == 0 && sendf(&c, "QUIT\r\n") != 0)
		goto out;
	if (smtp_expect(&c, 221, "QUIT") != 0)
		goto out;
	rc = 0;
out:
	free(buf);
	if (close_conn(&c) != 0 && rc == 0) {
		fail("server exit status non-zero");
		rc = -1;
	}
	return rc;
}

/* One big message sent in pieces (it never sits whole in the driver). */
static int smtp_big(size_t size, const char *rcpt)
{
	struct conn c;
	int rc = -1;

	/* After the fork: the server's ru_maxrss must not count our buffer. */
	if (open_conn(&c) != 0)
		return -1;
	smtp_make_body(1 << 20);
	if (smtp_expect(&c, 220, "greeting") != 0 || sendf(&c, "EHLO bench.client\r\n") != 0 ||
	    smtp_expect(&c, 250, "EHLO") != 0 ||
	    sendf(&c, "MAIL FROM:<sender@client.test>\r\nRCPT TO:<%s>\r\nDATA\r\n", rcpt) != 0 ||
	    smtp_expect(&c, 250, "MAIL") != 0 || smtp_expect(&c, 250, "RCPT") != 0 ||
	    smtp_expect(&c, 354, "DATA") != 0)
		goto out;
	if (sendf(&c, "From: <sender@client.test>\r\nSubject: big\r\n\r\n") != 0)
		goto out;
	for (size_t sent = 0; sent < size;) {
		size_t n = smtp_body_len < size - sent ? smtp_body_len : size - sent;
		/* Cut at a line end so the body stays well-formed. */
		while (n > 0 && smtp_body[n - 1] != '\n')
			n--;
		if (n == 0)
			break;
		if (write_all(c.wfd, smtp_body, n) != 0) {
			fail("write: %s", strerror(errno));
			goto out;
		}
		sent += n;
	}
	if (sa_pid)
		sample_rss();
	if (sendf(&c, ".\r\nQUIT\r\n") != 0 || smtp_expect(&c, 250, "end of data") != 0 ||
	    smtp_expect(&c, 221, "QUIT") != 0)
		goto out;
	rc = 0;
out:
	if (close_conn(&c) != 0 && rc == 0) {
		fail("server exit status non-zero");
		rc = -1;
	}
	return rc;
}

static int mode_smtp(long msgs, size_t size, int sessions, const char *rcptfmt)
{
	int res[2];
	char rcpt[256];

	if (size > (8u << 20)) {
		snprintf(rcpt, sizeof rcpt, rcptfmt, 0);
		return smtp_big(size, rcpt);
	}
	smtp_make_body(size > 400 ? size - 300 : 100);
	if (sessions <= 1) {
		snprintf(rcpt, sizeof rcpt, rcptfmt, 0);
		return smtp_session(0, msgs, rcpt);
	}
	if (pipe(res) != 0)
		return -1;
	for (int i = 0; i < sessions; i++) {
		pid_t p = fork();
		if (p < 0) {
			fail("fork: %s", strerror(errno));
			return -1;
		}
		if (p == 0) {
			long first = msgs * i / sessions, last = msgs * (i + 1) / sessions;
			char line[700];
			int rc;

			close(res[0]);
			snprintf(rcpt, sizeof rcpt, rcptfmt, i);
			rc = smtp_session(first, last - first, rcpt);
			snprintf(line, sizeof line, "%d %ld %llu %llu %s\n", rc, max_rss_kb,
				 (unsigned long long)bytes_in, (unsigned long long)bytes_out,
				 errbuf[0] ? errbuf : "-");
			if (write(res[1], line, strlen(line)) < 0)
				_exit(3);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	close(res[1]);
	FILE *f = fdopen(res[0], "r");
	char line[700];
	int bad = 0, got = 0;
	while (f && fgets(line, sizeof line, f)) {
		int rc;
		long rss;
		unsigned long long bi, bo;
		char msg[600];
		if (sscanf(line, "%d %ld %llu %llu %599[^\n]", &rc, &rss, &bi, &bo, msg) == 5) {
			got++;
			if (rss > max_rss_kb)
				max_rss_kb = rss;
			bytes_in += bi;
			bytes_out += bo;
			if (rc != 0) {
				bad++;
				fail("%s", msg);
			}
		}
	}
	while (wait(NULL) > 0)
		;
	if (got != sessions)
		fail("only %d of %d sessions reported", got, sessions);
	return bad || got != sessions ? -1 : 0;
}

/* ---- connection cost ------------------------------------------------- */

static int conn_once(const char *quit, bool sample)
{
	struct conn c;
	size_t len;
	char *l;
	int rc = -1;

	if (open_conn(&c) != 0)
		return -1;
	if (no_greeting) {
		if (sample)
			sample_rss();
		rc = sendf(&c, "%s\r\n", quit);
		l = rd_line(&c.rd, &len);
		if (!l)
			rc = -1;
	} else if (!(l = rd_line(&c.rd, &len)) || !(l[0] == '2' || l[0] == '+' || l[0] == '*'))
		fail("no greeting");
	else {
		if (sample)
			sample_rss();
		if (sendf(&c, "%s\r\n", quit) == 0)
			rc = 0;
	}
	close_conn(&c);
	return rc;
}

static int mode_conn(long count, const char *quit)
{
	for (long i = 0; i < count; i++)
		if (conn_once(quit, false) != 0)
			return -1;
	return 0;
}

/* ---- POP3 ------------------------------------------------------------ */

static int pop3_ok(struct conn *c, const char *what)
{
	size_t len;
	char *l = rd_line(&c->rd, &len);

	if (!l) {
		fail("pop3 %s: connection closed", what);
		return -1;
	}
	if (len < 3 || memcmp(l, "+OK", 3) != 0) {
		fail("pop3 %s: %.*s", what, (int)(len > 200 ? 200 : len - (len > 1 ? 2 : 0)), l);
		return -1;
	}
	return 0;
}

/* A multi-line listing; counts its lines. */
static long pop3_listing(struct conn *c)
{
	long n = 0;

	for (;;) {
		size_t len;
		char *l = rd_line(&c->rd, &len);
		if (!l)
			return -1;
		if (len == 3 && l[0] == '.')
			return n;
		n++;
	}
}

static int mode_pop3(int argc, char **argv)
{
	struct conn c;
	long count = -1;
	int rc = -1;

	if (open_conn(&c) != 0)
		return -1;
	struct step *s = step_begin("greeting+login");
	if (!no_greeting && pop3_ok(&c, "greeting") != 0)
		goto out;
	if (login_user) {
		if (sendf(&c, "USER %s\r\n", login_user) != 0 || pop3_ok(&c, "USER") != 0 ||
		    sendf(&c, "PASS %s\r\n", login_pass) != 0 || pop3_ok(&c, "PASS") != 0)
			goto out;
	}
	step_end(s);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "stat") == 0) {
			s = step_begin("STAT");
			if (sendf(&c, "STAT\r\n") != 0 || pop3_ok(&c, "STAT") != 0)
				goto out;
			step_end(s);
		} else if (strcmp(a, "download") == 0) {
			s = step_begin("LIST");
			if (sendf(&c, "LIST\r\n") != 0 || pop3_ok(&c, "LIST") != 0 ||
			    (count = pop3_listing(&c)) < 0)
				goto out;
			s->items = count;
			step_end(s);
			s = step_begin("UIDL");
			if (sendf(&c, "UIDL\r\n") != 0 || pop3_ok(&c, "UIDL") != 0 ||
			    (s->items = pop3_listing(&c)) < 0)
				goto out;
			step_end(s);
			if (s->items != count) {
				fail("UIDL lists %ld, LIST %ld", s->items, count);
				goto out;
			}
			s = step_begin("RETR");
			for (long m = 1; m <= count; m++) {
				if (sendf(&c, "RETR %ld\r\n", m) != 0 || pop3_ok(&c, "RETR") != 0 ||
				    rd_dotbody(&c.rd) < 0) {
					fail("RETR %ld failed", m);
					goto out;
				}
				s->items++;
			}
			step_end(s);
		} else if (strncmp(a, "retr:", 5) == 0) {
			s = step_begin("RETR");
			if (sendf(&c, "RETR %s\r\n", a + 5) != 0 || pop3_ok(&c, "RETR") != 0 ||
			    rd_dotbody(&c.rd) < 0)
				goto out;
			s->items = 1;
			step_end(s);
		} else {
			fail("unknown pop3 step %s", a);
			goto out;
		}
	}
	if (sa_pid)
		sample_rss();
	s = step_begin("QUIT");
	if (sendf(&c, "QUIT\r\n") != 0 || pop3_ok(&c, "QUIT") != 0)
		goto out;
	step_end(s);
	rc = 0;
out:
	if (close_conn(&c) != 0 && rc == 0) {
		fail("server exit status non-zero");
		rc = -1;
	}
	return rc;
}

/* ---- IMAP ------------------------------------------------------------ */

/* A literal announced at the end of a line: "{123}\r\n" or "{123+}\r\n". */
static long literal_size(const char *l, size_t len)
{
	size_t e = len;

	while (e > 0 && (l[e - 1] == '\n' || l[e - 1] == '\r'))
		e--;
	if (e < 3 || l[e - 1] != '}')
		return -1;
	e--;
	if (e > 0 && l[e - 1] == '+')
		e--;
	size_t d = e;
	while (d > 0 && l[d - 1] >= '0' && l[d - 1] <= '9')
		d--;
	if (d == e || d == 0 || l[d - 1] != '{')
		return -1;
	return strtol(l + d, NULL, 10);
}

/* Reads responses up to the tagged one; counts FETCH, EXPUNGE and SEARCH
 * items into s.  0 when tagged OK. */
static int imap_wait(struct conn *c, const char *tag, struct step *s)
{
	size_t tlen = strlen(tag);

	for (;;) {
		size_t len;
		char *l = rd_line(&c->rd, &len);
		long lit;

		if (!l) {
			fail("imap %s: connection closed", tag);
			return -1;
		}
		if (len > tlen && memcmp(l, tag, tlen) == 0 && l[tlen] == ' ') {
			if (len >= tlen + 3 && memcmp(l + tlen + 1, "OK", 2) == 0)
				return 0;
			fail("imap %s: %.*s", s ? s->name : tag, (int)(len > 200 ? 200 : len - 2), l);
			return -1;
		}
		if (s && len > 2 && l[0] == '*' && l[1] == ' ') {
			if (len > 9 && memcmp(l + 2, "SEARCH", 6) == 0) {
				for (size_t i = 8; i < len; i++)
					if (l[i] == ' ' && i + 1 < len && l[i + 1] >= '0' && l[i + 1] <= '9')
						s->items++;
			} else if (l[2] >= '0' && l[2] <= '9') {
				char *sp = memchr(l + 2, ' ', len - 2);
				if (sp && (size_t)(l + len - sp) > 6 &&
				    (memcmp(sp + 1, "FETCH", 5) == 0 || memcmp(sp + 1, "EXPUNGE", 7) == 0))
					s->items++;
			}
		}
		/* Literals may chain: a literal, then more of the line, maybe another. */
		while ((lit = literal_size(l, len)) >= 0) {
			if (rd_skip(&c->rd, (uint64_t)lit) != 0 || !(l = rd_line(&c->rd, &len))) {
				fail("imap: connection closed in a literal");
				return -1;
			}
		}
	}
}

static int mode_imap(int argc, char **argv)
{
	struct conn c;
	char tag[16];
	int t = 0, rc = -1;
	size_t len;
	char *l;

	if (open_conn(&c) != 0)
		return -1;
	struct step *s = step_begin("greeting+login");
	l = rd_line(&c.rd, &len);
	if (!l || len < 4 || (memcmp(l, "* OK", 4) != 0 && memcmp(l, "* PREAUTH", 9) != 0)) {
		fail("imap: no greeting");
		goto out;
	}
	if (login_user) {
		snprintf(tag, sizeof tag, "a%d", t++);
		if (sendf(&c, "%s LOGIN \"%s\" \"%s\"\r\n", tag, login_user, login_pass) != 0 ||
		    imap_wait(&c, tag, NULL) != 0)
			goto out;
	}
	step_end(s);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "cmd:", 4) == 0) {
			char name[48];
			snprintf(name, sizeof name, "%.*s", (int)strcspn(a + 4, " "), a + 4);
			if (strncmp(a + 4, "UID ", 4) == 0)
				snprintf(name, sizeof name, "UID %.*s", (int)strcspn(a + 8, " "), a + 8);
			s = step_begin(name);
			snprintf(tag, sizeof tag, "a%d", t++);
			if (sendf(&c, "%s %s\r\n", tag, a + 4) != 0 || imap_wait(&c, tag, s) != 0)
				goto out;
			step_end(s);
		} else if (strncmp(a, "body:", 5) == 0) {
			const char *p = a + 5;
			s = step_begin("FETCH BODY[]");
			while (*p) {
				long n = strtol(p, (char **)&p, 10);
				snprintf(tag, sizeof tag, "a%d", t++);
				if (sendf(&c, "%s FETCH %ld BODY[]\r\n", tag, n) != 0 ||
				    imap_wait(&c, tag, s) != 0)
					goto out;
				if (*p == ',')
					p++;
			}
			step_end(s);
		} else {
			fail("unknown imap step %s", a);
			goto out;
		}
	}
	if (sa_pid)
		sample_rss();
	s = step_begin("LOGOUT");
	snprintf(tag, sizeof tag, "a%d", t++);
	if (sendf(&c, "%s LOGOUT\r\n", tag) != 0 || imap_wait(&c, tag, NULL) != 0)
		goto out;
	step_end(s);
	rc = 0;
out:
	if (close_conn(&c) != 0 && rc == 0) {
		fail("server exit status non-zero");
		rc = -1;
	}
	return rc;
}

/* ---- main ------------------------------------------------------------ */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void usage(void)
{
	fputs("usage: drive [-G] [-t port] [-S pid] [-u uid:gid] [-e errfile] [-L user:pass]\n"
	      "             smtp|conn|pop3|imap [mode options / steps] [-- server argv]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	int i = 1, rc;
	double t0;
	const char *mode;

	signal(SIGPIPE, SIG_IGN);
	for (; i < argc && argv[i][0] == '-' && argv[i][1] && !argv[i][2]; i += 2) {
		if (i + 1 >= argc)
			usage();
		switch (argv[i][1]) {
		case 't': tcp_port = atoi(argv[i + 1]); break;
		case 'S': sa_pid = (pid_t)atol(argv[i + 1]); break;
		case 'e': errfile = argv[i + 1]; break;
		case 'G': no_greeting = true; i--; break;
		case 'u': {
			unsigned long u, g;
			if (sscanf(argv[i + 1], "%lu:%lu", &u, &g) != 2)
				usage();
			run_uid = (uid_t)u;
			run_gid = (gid_t)g;
			break;
		}
		case 'L':
			if (strcmp(argv[i + 1], "-") != 0) {
				char *colon = strchr(argv[i + 1], ':');
				if (!colon)
					usage();
				*colon = '\0';
				login_user = argv[i + 1];
				login_pass = colon + 1;
			}
			break;
		default: usage();
		}
	}
	if (i >= argc)
		usage();
	mode = argv[i++];
	/* Split off the server's argv. */
	int nargs = 0;
	char **args = argv + i;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++)
		nargs++;
	if (i < argc)
		server_argv = argv + i + 1;
	if (!tcp_port && (!server_argv || !server_argv[0]))
		usage();

	t0 = now();
	if (strcmp(mode, "smtp") == 0 || strcmp(mode, "conn") == 0) {
		long n = 1, z = 4096, P = 1;
		const char *rcpt = "bench@bench.test", *quit = "QUIT";
		for (int k = 0; k + 1 < nargs; k += 2) {
			if (strcmp(args[k], "-n") == 0) n = atol(args[k + 1]);
			else if (strcmp(args[k], "-z") == 0) z = atol(args[k + 1]);
			else if (strcmp(args[k], "-P") == 0) P = atol(args[k + 1]);
			else if (strcmp(args[k], "-r") == 0) rcpt = args[k + 1];
			else if (strcmp(args[k], "-q") == 0) quit = args[k + 1];
			else usage();
		}
		if (mode[0] == 's')
			rc = mode_smtp(n, (size_t)z, (int)P, rcpt);
		else {
			rc = mode_conn(n, quit);
			t0 = now() - t0;
			/* One more, untimed, for the RSS sample. */
			if (rc == 0 && tcp_port && sa_pid)
				conn_once(quit, true);
			goto report_with_time;
		}
	} else if (strcmp(mode, "pop3") == 0) {
		rc = mode_pop3(nargs, args);
	} else if (strcmp(mode, "imap") == 0) {
		rc = mode_imap(nargs, args);
	} else {
		usage();
	}
	t0 = now() - t0;
report_with_time:
	printf("{\"ok\": %s, \"wall\": %.6f, \"bytes_in\": %llu, \"bytes_out\": %llu, "
	       "\"maxrss_kb\": %ld, \"steps\": [",
	       rc == 0 ? "true" : "false", t0, (unsigned long long)bytes_in,
	       (unsigned long long)bytes_out, max_rss_kb);
	for (int k = 0; k < nsteps; k++) {
		printf("%s{\"name\": ", k ? ", " : "");
		json_str(steps[k].name);
		printf(", \"secs\": %.6f, \"items\": %ld, \"bytes\": %llu}",
		       steps[k].done ? steps[k].secs : -1.0,
		       steps[k].items, (unsigned long long)steps[k].bytes);
	}
	printf("]");
	if (rc != 0) {
		printf(", \"error\": ");
		json_str(errbuf[0] ? errbuf : "failed");
	}
	printf("}\n");
	return rc == 0 ? 0 : 1;
}
