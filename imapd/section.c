/* BODY[section] (RFC 3501 6.4.5): parsing the section-spec, naming it in
 * the response, finding its bytes and writing any window of them.  The
 * top-level HEADER, HEADER.FIELDS, TEXT and the whole message never need
 * the MIME structure: clients fetch them for every message of a mailbox. */
#include "section.h"
#include "msgparse.h"
#include "imapout.h"
#include "lineio.h"
#include "mbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Header lines longer than this are copied in pieces when filtered. */
#define FILTER_HEAD 4096

/* ---- parsing ---- */

static bool take(const char **p, const char *e, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(e - *p) < n || strncasecmp(*p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

static int add_name(struct section *s, const char *name, size_t n)
{
	size_t at = s->nfields ? s->field_off[s->nfields - 1] +
				 s->field_len[s->nfields - 1] + 1 : 0;

	if (s->nfields >= SECTION_FIELDS_MAX || n == 0 ||
	    n >= SECTION_NAMES_SIZE - at)
		return -1;
	memcpy(s->names + at, name, n);
	s->names[at + n] = '\0';
	s->field_off[s->nfields] = (uint16_t)at;
	s->field_len[s->nfields] = (uint16_t)n;
	s->nfields++;
	return 0;
}

/* quoted = DQUOTE *QUOTED-CHAR DQUOTE, into buf */
static int quoted_name(const char **pp, const char *e, char *buf, size_t *n)
{
	const char *p = *pp + 1;

	*n = 0;
	for (; p < e && *p != '"'; p++) {
		if (*p == '\\') {
			if (++p == e || (*p != '"' && *p != '\\'))
				return -1;
		} else if (*p == '\r' || *p == '\n' || *p == '\0' ||
			   (unsigned char)*p >= 0x80) {
			return -1;
		}
		if (*n >= SECTION_NAMES_SIZE)
			return -1;
		buf[(*n)++] = *p;
	}
	if (p == e)
		return -1;
	*pp = p + 1;
	return 0;
}

/* literal = "{" number ["+"] "}" CRLF *CHAR8, as the session passes it on */
static int literal_name(const char **pp, const char *e, char *buf, size_t *n)
{
	const char *p = *pp + 1;
	size_t len = 0;

	if (p == e || !isdigit((unsigned char)*p))
		return -1;
	for (; p < e && isdigit((unsigned char)*p); p++) {
		len = len * 10 + (size_t)(*p - '0');
		if (len >= SECTION_NAMES_SIZE)
			return -1;
	}
	if (p < e && *p == '+')
		p++;
	if (e - p < 3 || memcmp(p, "}\r\n", 3) != 0 || (size_t)(e - p - 3) < len)
		return -1;
	p += 3;
	if (memchr(p, '\0', len))
		return -1;
	memcpy(buf, p, len);
	*n = len;
	*pp = p + len;
	return 0;
}

/* header-list = "(" header-fld-name *(SP header-fld-name) ")" */
static int header_list(const char *p, const char *e, struct section *s)
{
	char buf[SECTION_NAMES_SIZE];
	size_t n;

	if (p == e || *p++ != '(')
		return -1;
	for (;;) {
		if (p == e)
			return -1;
		if (*p == '"') {
			if (quoted_name(&p, e, buf, &n) != 0)
				return -1;
		} else if (*p == '{') {
			if (literal_name(&p, e, buf, &n) != 0)
				return -1;
		} else {
			const char *a = p;

			while (p < e && imap_astring_char((unsigned char)*p))
				p++;
			n = (size_t)(p - a);
			if (n == 0 || n >= sizeof buf)
				return -1;
			memcpy(buf, a, n);
		}
		if (add_name(s, buf, n) != 0)
			return -1;
		if (p < e && *p == ')')
			return p + 1 == e ? 0 : -1;
		if (p == e || *p++ != ' ')
			return -1;
	}
}

static int part_number(const char **pp, const char *e, uint32_t *v)
{
	const char *p = *pp;
	uint64_t n = 0;

	if (p == e || *p < '1' || *p > '9')	/* nz-number */
		return -1;
	for (; p < e && isdigit((unsigned char)*p); p++) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)n;
	*pp = p;
	return 0;
}

int section_parse(const char *text, size_t len, struct section *s)
{
	const char *p = text, *e = text + len;

	memset(s, 0, sizeof *s);
	while (p < e && isdigit((unsigned char)*p)) {
		if (s->nparts == SECTION_PARTS_MAX ||
		    part_number(&p, e, &s->part[s->nparts]) != 0)
			return -1;
		s->nparts++;
		if (p == e)
			return 0;
		if (*p++ != '.' || p == e)
			return -1;
	}
	if (p == e)
		return 0;		/* BODY[]: the whole message */
	if (take(&p, e, "HEADER.FIELDS.NOT ")) {
		s->text = SEC_FIELDS_NOT;
		return header_list(p, e, s);
	}
	if (take(&p, e, "HEADER.FIELDS ")) {
		s->text = SEC_FIELDS;
		return header_list(p, e, s);
	}
	if (take(&p, e, "HEADER"))
		s->text = SEC_HEADER;
	else if (take(&p, e, "TEXT"))
		s->text = SEC_TEXT;
	else if (s->nparts > 0 && take(&p, e, "MIME"))
		s->text = SEC_MIME;		/* RFC 3501: only after a part number */
	else
		return -1;
	return p == e ? 0 : -1;
}

/* ---- naming ---- */

void section_write_name(struct lout *out, const struct section *s)
{
	static const char *const kw[] = {
		[SEC_BODY] = "", [SEC_HEADER] = "HEADER",
		[SEC_FIELDS] = "HEADER.FIELDS", [SEC_FIELDS_NOT] = "HEADER.FIELDS.NOT",
		[SEC_TEXT] = "TEXT", [SEC_MIME] = "MIME",
	};

	lout_write(out, "BODY[", 5);
	for (unsigned i = 0; i < s->nparts; i++)
		lout_printf(out, i ? ".%u" : "%u", (unsigned)s->part[i]);
	if (s->nparts > 0 && s->text != SEC_BODY)
		lout_write(out, ".", 1);
	lout_puts(out, kw[s->text]);
	if (s->text == SEC_FIELDS || s->text == SEC_FIELDS_NOT) {
		lout_write(out, " (", 2);
		for (unsigned i = 0; i < s->nfields; i++) {
			const char *n = s->names + s->field_off[i];
			size_t len = s->field_len[i];

			if (i > 0)
				lout_write(out, " ", 1);
			/* an astring, quoted when a bare one could end the section */
			if (imap_atomic(n, len) && !memchr(n, ']', len))
				lout_write(out, n, len);
			else
				imap_write_string(out, n, len);
		}
		lout_write(out, ")", 1);
	}
	lout_write(out, "]", 1);
}

/* ---- HEADER.FIELDS: the header filtered ---- */

/* Where filtered bytes go: counted always, kept in memory up to a bound,
 * and/or a window of them written out. */
struct fsink {
	char *buf;
	size_t len, cap;
	bool over;		/* more than cap: buf dropped */
	struct lout *out;
	uint64_t skip, stop;
	uint64_t total;
};

static void fs_emit(struct fsink *f, const char *p, size_t n)
{
	uint64_t a = f->total, b = f->total + n;

	f->total = b;
	if (f->out && b > f->skip && a < f->stop) {
		uint64_t from = a < f->skip ? f->skip - a : 0;
		uint64_t to = b > f->stop ? f->stop - a : n;

		lout_write(f->out, p + from, (size_t)(to - from));
	}
	if (!f->cap || f->over)
		return;
	if (n > f->cap - f->len) {
		f->over = true;
		free(f->buf);
		f->buf = NULL;
		return;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

static bool wanted(const struct section *s, const char *t, size_t n)
{
	size_t nl, colon;

	if (mime_field_name(t, n, &nl, &colon))
		for (unsigned i = 0; i < s->nfields; i++)
			if (s->field_len[i] == nl &&
			    strncasecmp(s->names + s->field_off[i], t, nl) == 0)
				return s->text == SEC_FIELDS;
	return s->text == SEC_FIELDS_NOT;
}

/* The part of a long line that did not fit the head buffer. */
static int emit_rest(struct fsink *f, int fd, const struct rline *ln)
{
	uint64_t at = ln->start + ln->nhead, end = ln->start + ln->len - ln->cr;
	char buf[FILTER_HEAD];

	while (at < end) {
		size_t want = end - at < sizeof buf ? (size_t)(end - at) : sizeof buf;
		ssize_t got = pread(fd, buf, want, (off_t)at);

		if (got <= 0)
			return -1;
		fs_emit(f, buf, (size_t)got);
		at += (uint64_t)got;
	}
	return 0;
}

static int emit_line(struct fsink *f, int fd, const struct rline *ln,
		     const char *head)
{
	const char *t;
	size_t n = rline_text(ln, head, &t);

	fs_emit(f, t, n);
	if (ln->nhead < ln->len && emit_rest(f, fd, ln) != 0)
		return -1;
	fs_emit(f, "\r\n", 2);
	return 0;
}

/* Matching lines with their continuations, in order, then the blank line. */
static int filter_header(int fd, uint64_t start, uint64_t end,
			 const struct section *s, struct fsink *f)
{
	struct mrd *r = mrd_open(fd, start, end);
	char head[FILTER_HEAD];
	struct rline ln;
	bool keep = false;
	int rc = 0;

	if (!r)
		return -1;
	while (rc == 0 && mrd_line(r, head, sizeof head, &ln)) {
		const char *t;
		size_t n = rline_text(&ln, head, &t);

		if (ln.len - ln.cr == 0)
			break;
		if (n == 0 || !is_wsp(t[0]))
			keep = wanted(s, t, n);
		if (keep)
			rc = emit_line(f, fd, &ln, head);
	}
	/* RFC 3501 6.4.5: the subset of the header "including the delimiting
	 * blank line", also when the message has no body and none of the
	 * fields is there ("\r\n" alone, as Dovecot answers HEADER.FIELDS). */
	fs_emit(f, "\r\n", 2);
	if (r->err)
		rc = -1;
	mrd_close(r);
	return rc;
}

static int resolve_fields(int fd, uint64_t start, uint64_t end,
			  const struct section *s, struct section_data *d)
{
	struct fsink f = { NULL, 0, SECTION_SYNTH_MAX, false, NULL, 0, 0, 0 };

	d->start = start;
	d->end = end;
	if (end - start < (SECTION_SYNTH_MAX - 2) / 2)
		f.cap = 2 * (size_t)(end - start) + 2;	/* LF to CRLF at most doubles */
	if ((f.buf = malloc(f.cap)) == NULL)
		return -1;
	if (filter_header(fd, start, end, s, &f) != 0) {
		free(f.buf);
		return -1;
	}
	d->wire_size = f.total;
	if (!f.over) {
		d->buf = f.buf;
		d->len = f.len;
		return 0;
	}
	/* Too much to keep: filter again when it is written. */
	if ((d->filter = malloc(sizeof *d->filter)) == NULL)
		return -1;
	*d->filter = *s;
	return 0;
}

/* ---- locating the data ---- */

static int64_t wire_count(int fd, uint64_t start, uint64_t end)
{
	struct wire_opts o = { false, 0, UINT64_MAX };

	return start < end ? mbox_to_wire(fd, start, end, &o, NULL) : 0;
}

static int set_range(struct section_data *d, int fd, uint64_t start,
		     uint64_t end, int64_t wire)
{
	d->start = start;
	d->end = end > start ? end : start;
	if (wire < 0)
		wire = wire_count(fd, d->start, d->end);
	if (wire < 0)
		return -1;
	d->wire_size = (uint64_t)wire;
	return 0;
}

/* HEADER, HEADER.FIELDS, TEXT or everything of a message given by its
 * header range [h, b) and body range [b, e). */
static int resolve_message(int fd, const struct section *s, uint64_t h,
			   uint64_t b, uint64_t e, int64_t whole,
			   struct section_data *d)
{
	int64_t hw;

	switch (s->text) {
	case SEC_HEADER:
		return set_range(d, fd, h, b, -1);
	case SEC_FIELDS:
	case SEC_FIELDS_NOT:
		return resolve_fields(fd, h, b, s, d);
	case SEC_TEXT:
		if (whole < 0)
			return set_range(d, fd, b, e, -1);
		if ((hw = wire_count(fd, h, b)) < 0)
			return -1;
		return set_range(d, fd, b, e, whole - hw);
	default:
		return set_range(d, fd, h, e, whole);
	}
}

static int resolve_part(const struct msgsrc *m, const struct mime_part *root,
			const struct section *s, struct section_data *d)
{
	const struct mime_part *p, *c;
	int rc = 0;

	p = mime_find(root, s->part, s->nparts);
	c = p && p->kind == MIME_MESSAGE ? p->child : NULL;
	if (!p) {
		d->exists = false;
	} else if (s->text == SEC_BODY) {
		rc = set_range(d, m->fd, p->body_off, p->end, (int64_t)p->body_wire);
	} else if (s->text == SEC_MIME) {
		rc = set_range(d, m->fd, p->hdr_off, p->body_off, (int64_t)p->hdr_wire);
	} else if (!c) {
		d->exists = false;	/* HEADER or TEXT of what is not a message */
	} else {
		rc = resolve_message(m->fd, s, c->hdr_off, c->body_off, c->end,
				     (int64_t)(c->hdr_wire + c->body_wire), d);
	}
	return rc;
}

int section_resolve_parsed(const struct msgsrc *m, const struct mime_part *root,
			   const struct section *s, struct section_data *d)
{
	struct mime_part *own = NULL;
	uint64_t b;
	int rc;

	memset(d, 0, sizeof *d);
	d->exists = true;
	if (s->nparts > 0) {
		if (!root && (root = own = mime_parse(m)) == NULL)
			return -1;
		rc = resolve_part(m, root, s, d);
		mime_free(own);
		return rc;
	}
	if (s->text == SEC_MIME) {
		d->exists = false;
		return 0;
	}
	b = msg_header_end(m);
	return resolve_message(m->fd, s, m->start, b, m->end,
			       m->wire_size || m->start == m->end ?
			       (int64_t)m->wire_size : -1, d);
}

int section_resolve(const struct msgsrc *m, const struct section *s,
		    struct section_data *d)
{
	return section_resolve_parsed(m, NULL, s, d);
}

int section_write(struct lout *out, const struct msgsrc *m,
		  const struct section_data *d, uint64_t skip, uint64_t limit)
{
	uint64_t stop = limit > UINT64_MAX - skip ? UINT64_MAX : skip + limit;

	if (!d->exists || skip >= d->wire_size || limit == 0)
		return 0;
	if (d->buf) {
		uint64_t to = stop < d->len ? stop : d->len;

		lout_write(out, d->buf + skip, (size_t)(to - skip));
	} else if (d->filter) {
		struct fsink f = { NULL, 0, 0, false, out, skip, stop, 0 };

		if (filter_header(m->fd, d->start, d->end, d->filter, &f) != 0)
			return -1;
	} else {
		struct wire_opts o = { false, skip, limit };

		if (mbox_to_wire(m->fd, d->start, d->end, &o, out) < 0)
			return -1;
	}
	return out->failed ? -1 : 0;
}

void section_data_free(struct section_data *d)
{
	free(d->buf);
	free(d->filter);
	d->buf = NULL;
	d->filter = NULL;
}
