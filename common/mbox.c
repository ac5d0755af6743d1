#include "mbox.h"
#include "lineio.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

size_t mbox_from_line(char *dst, size_t dstsz, const char *sender, time_t when)
{
	char date[64];
	struct tm tm;
	int n;

	gmtime_r(&when, &tm);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
	n = snprintf(dst, dstsz, "From %s %s\n", sender, date);
	return n < 0 ? 0 : (size_t)n < dstsz ? (size_t)n : dstsz - 1;
}

time_t mbox_from_date(const char *line, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char buf[FROM_LINE_MAX], wday[4], mon[4];
	const char *p, *m;
	struct tm tm;
	int n;

	if (len < 5 || len >= sizeof buf || memcmp(line, "From ", 5) != 0)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	p = strchr(buf + 5, ' ');	/* past the sender */
	if (!p)
		return -1;
	memset(&tm, 0, sizeof tm);
	n = sscanf(p, " %3s %3s %d %d:%d:%d %d", wday, mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tm.tm_year);
	if (n != 7 || strlen(mon) != 3 || (m = strstr(months, mon)) == NULL ||
	    (m - months) % 3 != 0 || tm.tm_year < 1970 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_mon = (int)(m - months) / 3;
	tm.tm_year -= 1900;
	return timegm(&tm);
}

void linecls_reset(struct linecls *c)
{
	c->matched = 0;
	c->gt = false;
}

enum linecls_result linecls_feed(struct linecls *c, unsigned char ch)
{
	static const char from[] = "From ";

	if (c->matched == 0 && ch == '>') {
		c->gt = true;
		return LC_UNDECIDED;
	}
	if (ch != (unsigned char)from[c->matched])
		return LC_OTHER;
	if (++c->matched < 5)
		return LC_UNDECIDED;
	return c->gt ? LC_QUOTED : LC_FROM;
}

/* ---- wire to mbox ---- */

void quoter_init(struct quoter *q, emit_fn emit, void *arg)
{
	memset(q, 0, sizeof *q);
	q->emit = emit;
	q->arg = arg;
	q->at_start = true;
}

static void q_emit(struct quoter *q, const char *p, size_t n)
{
	if (n == 0 || q->err)
		return;
	if (q->emit(q->arg, p, n) != 0)
		q->err = -1;
	q->out += n;
	q->last_lf = p[n - 1] == '\n';
}

/* A piece of one line, without its LF; `ends` says an LF follows. */
static void q_piece(struct quoter *q, const char *s, size_t n, bool ends)
{
	size_t i = 0;

	if (q->at_start && (n > 0 || ends)) {
		q->at_start = false;
		q->deciding = true;
		q->nheld = 0;
		linecls_reset(&q->cls);
	}
	while (q->deciding && i < n) {
		unsigned char ch = (unsigned char)s[i];
		enum linecls_result r = linecls_feed(&q->cls, ch);

		if (r == LC_OTHER) {
			q_emit(q, q->held, q->nheld);
			q->deciding = false;
			break;			/* s[i] goes out with the rest */
		}
		i++;
		if (r == LC_UNDECIDED) {
			if (ch == '>')
				q_emit(q, ">", 1);
			else
				q->held[q->nheld++] = (char)ch;
			continue;
		}
		q_emit(q, ">", 1);		/* the quote mboxrd adds */
		q_emit(q, q->held, q->nheld);
		q_emit(q, " ", 1);
		q->deciding = false;
	}
	if (!q->deciding)
		q_emit(q, s + i, n - i);
	if (ends) {
		if (q->deciding) {
			q_emit(q, q->held, q->nheld);
			q->deciding = false;
		}
		q_emit(q, "\n", 1);
		q->at_start = true;
	}
}

int quoter_feed(struct quoter *q, const char *p, size_t n)
{
	while (n > 0) {
		const char *lf = memchr(p, '\n', n);
		size_t seg = lf ? (size_t)(lf - p) : n;
		size_t body = seg;

		if (q->cr) {			/* the CR held from the last piece */
			q->cr = false;
			if (seg > 0 || !lf)
				q_piece(q, "\r", 1, false);
		}
		if (lf && body > 0 && p[body - 1] == '\r')
			body--;			/* CRLF becomes LF */
		if (!lf && body > 0 && p[body - 1] == '\r') {
			body--;			/* maybe a CRLF split across pieces */
			q->cr = true;
		}
		q_piece(q, p, body, lf != NULL);
		if (!lf)
			break;
		p = lf + 1;
		n -= seg + 1;
	}
	return q->err;
}

int quoter_finish(struct quoter *q)
{
	if (q->cr) {
		q->cr = false;
		q_piece(q, "\r", 1, false);
	}
	if (q->deciding) {
		q_emit(q, q->held, q->nheld);
		q->deciding = false;
	}
	return q->err;
}

/* ---- mbox to wire ---- */

#define WIRE_CHUNK (256 * 1024)

struct wire {
	struct lout *out;
	uint64_t pos;		/* wire bytes produced so far */
	uint64_t skip, stop;	/* window [skip, stop) that is written */
};

static void w_emit(struct wire *w, const char *p, size_t n)
{
	uint64_t a = w->pos, b = w->pos + n;

	w->pos = b;
	if (!w->out || b <= w->skip || a >= w->stop)
		return;
	if (a < w->skip) {
		p += w->skip - a;
		a = w->skip;
	}
	if (b > w->stop)
		b = w->stop;
	lout_write(w->out, p, (size_t)(b - a));
}

static void w_repeat(struct wire *w, char c, uint64_t count)
{
	char run[256];

	memset(run, c, sizeof run);
	while (count > 0) {
		size_t n = count < sizeof run ? (size_t)count : sizeof run;
		w_emit(w, run, n);
		count -= n;
	}
}

struct unquote {
	bool at_start, deciding, prev_cr;
	struct linecls cls;
	uint64_t gts;		/* '>' run held while deciding */
	size_t nheld;		/* "From" bytes matched while deciding */
};

/* Give back what was held when the line turned out not to be quoted. */
static void u_release(struct unquote *u, struct wire *w, bool quoted)
{
	w_repeat(w, '>', quoted ? u->gts - 1 : u->gts);
	w_emit(w, "From ", u->nheld);
	u->deciding = false;
}

static void u_line_end(struct unquote *u, struct wire *w, const char *seg,
		       size_t n)
{
	bool cr = n > 0 ? seg[n - 1] == '\r' : u->prev_cr;

	w_emit(w, cr ? "\n" : "\r\n", cr ? 1 : 2);
	u->at_start = true;
	u->prev_cr = false;
}

static void u_chunk(struct unquote *u, struct wire *w, const char *p, size_t n,
		    bool dotstuff)
{
	while (n > 0) {
		const char *lf;
		size_t seg;

		if (u->at_start) {
			u->at_start = false;
			u->deciding = true;
			u->gts = 0;
			u->nheld = 0;
			linecls_reset(&u->cls);
			if (dotstuff && *p == '.')
				w_emit(w, ".", 1);
		}
		while (u->deciding && n > 0 && *p != '\n') {
			enum linecls_result r = linecls_feed(&u->cls, (unsigned char)*p);

			if (r == LC_OTHER || r == LC_FROM) {
				u_release(u, w, false);
				break;
			}
			if (r == LC_QUOTED) {
				u_release(u, w, true);
				w_emit(w, " ", 1);
			} else if (*p == '>') {
				u->gts++;
			} else {
				u->nheld++;
			}
			p++;
			n--;
		}
		if (n == 0)
			return;
		if (u->deciding)	/* the line ended while deciding */
			u_release(u, w, false);
		lf = memchr(p, '\n', n);
		seg = lf ? (size_t)(lf - p) : n;
		if (lf) {
			w_emit(w, p, seg);
			u_line_end(u, w, p, seg);
			p += seg + 1;
			n -= seg + 1;
		} else {
			w_emit(w, p, seg);
			u->prev_cr = p[seg - 1] == '\r';
			return;
		}
	}
}

int64_t mbox_to_wire(int fd, uint64_t start, uint64_t end,
		     const struct wire_opts *o, struct lout *out)
{
	static char buf[WIRE_CHUNK];
	struct wire w = { out, 0, o->skip,
			  o->limit > UINT64_MAX - o->skip ? UINT64_MAX : o->skip + o->limit };
	struct unquote u = { .at_start = true };

	while (start < end) {
		size_t want = end - start < sizeof buf ? (size_t)(end - start) : sizeof buf;
		ssize_t got = pread(fd, buf, want, (off_t)start);

		if (got <= 0)
			return -1;
		u_chunk(&u, &w, buf, (size_t)got, o->dotstuff);
		start += (uint64_t)got;
		if (out && out->failed)
			return -1;
	}
	if (u.deciding)
		u_release(&u, &w, false);
	return (int64_t)w.pos;
}

uint64_t mbox_skip_lines(int fd, uint64_t start, uint64_t end, uint64_t nlines)
{
	static char buf[WIRE_CHUNK];

	while (start < end && nlines > 0) {
		size_t want = end - start < sizeof buf ? (size_t)(end - start) : sizeof buf;
		ssize_t got = pread(fd, buf, want, (off_t)start);
		const char *p = buf, *e;

		if (got <= 0)
			return end;
		e = buf + got;
		while (nlines > 0 && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
			p++;
			nlines--;
		}
		if (nlines == 0)
			return start + (uint64_t)(p - buf);
		start += (uint64_t)got;
	}
	return start < end ? start : end;
}
