/* Reading a message: raw lines in chunks, header fields unfolded, RFC 822
 * tokens (parameter lists are in params.c). */
#include "msgparse.h"
#include "mbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the reader ---- */

void mrd_init(struct mrd *r, int fd, uint64_t start, uint64_t end)
{
	r->fd = fd;
	r->pos = start;
	r->end = end > start ? end : start;
	r->off = r->len = 0;
	r->err = false;
}

struct mrd *mrd_open(int fd, uint64_t start, uint64_t end)
{
	struct mrd *r = malloc(sizeof *r);

	if (r)
		mrd_init(r, fd, start, end);
	return r;
}

void mrd_close(struct mrd *r)
{
	free(r);
}

/* Bytes available at buf + off, reading the next chunk when needed. */
static size_t mrd_fill(struct mrd *r)
{
	ssize_t got;
	size_t want;

	if (r->off < r->len)
		return r->len - r->off;
	r->pos += r->len;
	r->off = r->len = 0;
	if (r->pos >= r->end || r->err)
		return 0;
	want = r->end - r->pos < RD_CHUNK ? (size_t)(r->end - r->pos) : RD_CHUNK;
	got = pread(r->fd, r->buf, want, (off_t)r->pos);
	if (got <= 0) {
		r->err = true;
		return 0;
	}
	r->len = (size_t)got;
	return r->len;
}

size_t mrd_chunk(struct mrd *r, const char **p)
{
	size_t n = mrd_fill(r);

	*p = r->buf + r->off;
	r->off += n;
	return n;
}

bool mrd_line(struct mrd *r, char *head, size_t cap, struct rline *l)
{
	enum linecls_result cls = LC_UNDECIDED;
	struct linecls c;
	char last = 0;
	size_t n;

	memset(l, 0, sizeof *l);
	if (mrd_fill(r) == 0)
		return false;
	l->start = r->pos + r->off;
	linecls_reset(&c);
	while ((n = mrd_fill(r)) > 0) {
		const char *p = r->buf + r->off;
		const char *lf = memchr(p, '\n', n);
		size_t seg = lf ? (size_t)(lf - p) : n;

		for (size_t i = 0; cls == LC_UNDECIDED && i < seg; i++)
			cls = linecls_feed(&c, (unsigned char)p[i]);
		if (l->nhead < cap) {
			size_t k = cap - l->nhead < seg ? cap - l->nhead : seg;

			memcpy(head + l->nhead, p, k);
			l->nhead += k;
		}
		if (seg > 0)
			last = p[seg - 1];
		l->len += seg;
		r->off += seg;
		if (lf) {
			r->off++;
			l->lf = true;
			break;
		}
	}
	l->cr = l->len > 0 && last == '\r';
	l->quoted = cls == LC_QUOTED;
	return true;
}

size_t rline_text(const struct rline *l, const char *head, const char **p)
{
	size_t n = l->nhead;

	*p = head;
	if (l->quoted && n > 0) {
		(*p)++;
		n--;
	}
	if (l->cr && l->nhead == l->len && n > 0)
		n--;
	return n;
}

uint64_t msg_header_end(const struct msgsrc *m)
{
	uint64_t h = m->start + m->hdr_len;
	struct rline ln;
	struct mrd *r;
	char c;

	if (h < m->end)
		return h;		/* the scan found the blank line */
	/* It found none: a header alone, or CRLF line ends, whose "\r" line
	 * the scan does not take for a blank one. */
	if ((r = mrd_open(m->fd, m->start, m->end)) == NULL)
		return m->end;
	while (mrd_line(r, &c, 1, &ln))
		if (ln.len - ln.cr == 0) {
			h = ln.start + ln.len + ln.lf;
			break;
		}
	mrd_close(r);
	return h < m->end ? h : m->end;
}

/* ---- header fields ---- */

bool mime_name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

bool mime_field_name(const char *p, size_t n, size_t *namelen, size_t *colon)
{
	const char *c = memchr(p, ':', n);
	size_t k;

	if (!c || c == p)
		return false;
	k = (size_t)(c - p);
	*colon = k;
	while (k > 0 && is_wsp(p[k - 1]))	/* obsolete "Name :" */
		k--;
	if (k == 0)
		return false;
	for (size_t i = 0; i < k; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return false;
	*namelen = k;
	return true;
}

void hdracc_init(struct hdracc *a, char *buf, size_t cap, hdr_want_fn want,
		 hdr_field_fn field, void *arg)
{
	memset(a, 0, sizeof *a);
	a->buf = buf;
	a->cap = cap;
	a->want = want;
	a->field = field;
	a->arg = arg;
}

static void acc_append(struct hdracc *a, const char *p, size_t n)
{
	if (n > a->cap - a->len)
		n = a->cap - a->len;
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

void hdracc_flush(struct hdracc *a)
{
	const char *v = a->buf + a->namelen;
	size_t n = a->len - a->namelen;

	if (!a->open)
		return;
	a->open = false;
	while (n > 0 && (is_wsp(*v) || *v == '\r')) {
		v++;
		n--;
	}
	while (n > 0 && (is_wsp(v[n - 1]) || v[n - 1] == '\r'))
		n--;
	a->field(a->arg, a->buf, a->namelen, v, n);
}

void hdracc_line(struct hdracc *a, const char *p, size_t n)
{
	size_t nl, colon;

	if (n > 0 && is_wsp(p[0])) {
		if (a->open)
			acc_append(a, p, n);
		return;
	}
	hdracc_flush(a);
	if (!mime_field_name(p, n, &nl, &colon) || !a->want(a->arg, p, nl))
		return;
	a->open = true;
	a->len = 0;
	acc_append(a, p, nl);
	a->namelen = a->len;
	acc_append(a, p + colon + 1, n - colon - 1);
}

int hdr_read_fields(int fd, uint64_t start, uint64_t end, size_t max,
		    hdr_want_fn want, hdr_field_fn field, void *arg, const bool *stop)
{
	char *head = malloc(max), *acc = malloc(max);
	struct mrd *r = mrd_open(fd, start, end);
	struct hdracc a;
	struct rline ln;
	int rc = -1;

	if (head && acc && r) {
		hdracc_init(&a, acc, max, want, field, arg);
		while (!(stop && *stop) && mrd_line(r, head, max, &ln) &&
		       ln.len - ln.cr > 0) {
			const char *t;
			size_t n = rline_text(&ln, head, &t);

			hdracc_line(&a, t, n);
		}
		hdracc_flush(&a);
		rc = r->err ? -1 : 0;
	}
	free(head);
	free(acc);
	mrd_close(r);
	return rc;
}

/* ---- RFC 822 tokens ---- */

void hlex_cfws_comment(struct hlex *x, const char **cs, size_t *cn)
{
	while (x->p < x->e) {
		const char *start;
		unsigned depth = 1;

		if (is_wsp(*x->p) || *x->p == '\r' || *x->p == '\n') {
			x->p++;
			continue;
		}
		if (*x->p != '(')
			break;
		start = ++x->p;
		while (x->p < x->e && depth > 0) {	/* nesting is counted, not recursed */
			if (*x->p == '\\' && x->p + 1 < x->e)
				x->p++;
			else if (*x->p == '(')
				depth++;
			else if (*x->p == ')')
				depth--;
			x->p++;
		}
		if (cs) {
			*cs = start;
			*cn = (size_t)(x->p - start) - (depth == 0);
		}
	}
}

void hlex_cfws(struct hlex *x)
{
	hlex_cfws_comment(x, NULL, NULL);
}

size_t hlex_token(struct hlex *x, const char *stops, const char **s)
{
	const char *p = x->p;

	while (p < x->e) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || c == ';' || c == '"' || c == '(' ||
		    strchr(stops, c))
			break;
		p++;
	}
	*s = x->p;
	x->p = p;
	return (size_t)(p - *s);
}

size_t hlex_quoted(struct hlex *x, char *dst, size_t cap)
{
	size_t n = 0;

	x->p++;				/* the opening quote */
	while (x->p < x->e && *x->p != '"') {
		if (*x->p == '\\' && x->p + 1 < x->e)
			x->p++;
		if (n < cap)
			dst[n++] = *x->p;
		x->p++;
	}
	if (x->p < x->e)
		x->p++;			/* the closing quote */
	return n;
}

