/* The MIME structure of a message in one streaming pass (RFC 2045, 2046):
 * lines are read in chunks; each part keeps its offsets, its wire sizes and
 * the few MIME fields BODYSTRUCTURE needs.  Nesting and the number of parts
 * are bounded (limits.h): past them the rest is one opaque part. */
#include "msgparse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A line in a body needs only its start to be told from a boundary. */
#define BOUNDARY_HEAD (2 + MIME_BOUNDARY_MAX + 2)

/* Parse-time state of a part; `pub` first so that the two convert. */
struct ppart {
	struct mime_part pub;
	char *boundary;		/* multipart with a usable boundary */
	size_t blen;
	bool closed;		/* its close delimiter was seen: epilogue */
	uint64_t hdr_w0, body_w0, body_l0;	/* running counts at the starts */
	char *raw_type, *raw_cte, *raw_disp, *raw_lang;	/* fields as read */
};

struct pctx {
	int fd;
	struct mrd *rd;
	struct ppart *root, *cur;
	bool in_header;		/* cur's header is being read */
	bool frozen;		/* out of parts: boundaries are content now */
	bool top_only;		/* stop after the message's own header */
	bool oom;
	unsigned nparts;
	long kept;		/* bytes of fields kept, all parts */
	uint64_t w, l;		/* wire bytes and LF-ended lines before this line */
	bool prev_cr, prev_lf, prev_text;	/* the line before this one */
	struct hdracc acc;
	char *accbuf, *head;
};

static struct ppart *pp(const struct mime_part *p)
{
	return (struct ppart *)p;
}

/* ---- fields of the header being read ---- */

static bool want_field(void *arg, const char *name, size_t n)
{
	(void)arg;
	return n > 8 && strncasecmp(name, "Content-", 8) == 0;
}

static char **field_slot(struct ppart *p, const char *name, size_t n)
{
	static const struct { const char *name; size_t off; } slots[] = {
		{ "Content-Type", offsetof(struct ppart, raw_type) },
		{ "Content-Transfer-Encoding", offsetof(struct ppart, raw_cte) },
		{ "Content-Disposition", offsetof(struct ppart, raw_disp) },
		{ "Content-Language", offsetof(struct ppart, raw_lang) },
		{ "Content-ID", offsetof(struct ppart, pub.id) },
		{ "Content-Description", offsetof(struct ppart, pub.description) },
		{ "Content-MD5", offsetof(struct ppart, pub.md5) },
		{ "Content-Location", offsetof(struct ppart, pub.location) },
	};

	for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
		if (mime_name_is(name, n, slots[i].name))
			return (char **)((char *)p + slots[i].off);
	return NULL;
}

static void got_field(void *arg, const char *name, size_t nlen,
		      const char *val, size_t vlen)
{
	struct pctx *c = arg;
	char **slot = field_slot(c->cur, name, nlen);

	if (!slot || *slot || c->kept + (long)vlen > MIME_KEEP_MAX)
		return;			/* not ours, a repeat (the first counts), or over budget */
	if ((*slot = mime_strndup(val, vlen)) == NULL)
		c->oom = true;
	c->kept += (long)vlen;
}

/* RFC 2046 5.2.1: the only encodings that leave a message parseable. */
static bool plain_encoding(const char *e)
{
	return !strcmp(e, "7BIT") || !strcmp(e, "8BIT") || !strcmp(e, "BINARY");
}

static void set_kind(struct pctx *c, struct ppart *p)
{
	const char *b;

	if (!strcmp(p->pub.type, "MESSAGE") && !strcmp(p->pub.subtype, "RFC822")) {
		p->pub.kind = MIME_MESSAGE;
		return;
	}
	if (strcmp(p->pub.type, "MULTIPART") != 0 || p->pub.depth >= IMAP_MIME_DEPTH_MAX)
		return;			/* a leaf, or too deep to open */
	p->pub.kind = MIME_MULTIPART;
	b = mime_param_get(p->pub.params, p->pub.nparams, "BOUNDARY");
	if (b && *b && strlen(b) <= MIME_BOUNDARY_MAX) {
		p->blen = strlen(b);
		if ((p->boundary = mime_strndup(b, p->blen)) == NULL)
			c->oom = true;
	}
}

static void header_done(struct pctx *c, struct ppart *p)
{
	hdracc_flush(&c->acc);
	if (mime_fields_interpret(&p->pub, p->raw_type, p->raw_cte, p->raw_disp,
				  p->raw_lang) != 0)
		c->oom = true;
	if (p->pub.type && p->pub.subtype && p->pub.encoding)
		set_kind(c, p);
	free(p->raw_type);
	free(p->raw_cte);
	free(p->raw_disp);
	free(p->raw_lang);
	p->raw_type = p->raw_cte = p->raw_disp = p->raw_lang = NULL;
}

/* ---- the tree ---- */

static struct ppart *new_part(struct pctx *c, struct ppart *parent,
			      uint64_t off, uint64_t w)
{
	struct ppart *p = calloc(1, sizeof *p);

	if (!p) {
		c->oom = true;
		return NULL;
	}
	p->pub.fd = c->fd;
	p->pub.hdr_off = p->pub.body_off = p->pub.end = off;
	p->hdr_w0 = w;
	c->nparts++;
	if (parent) {
		struct mime_part **tail = &parent->pub.child;

		while (*tail)
			tail = &(*tail)->next;
		*tail = &p->pub;
		p->pub.parent = &parent->pub;
		p->pub.depth = parent->pub.depth + 1;
		parent->pub.nchildren++;
	}
	c->cur = p;
	c->in_header = true;
	return p;
}

/* The header ended with the blank line `ln`: the body starts after it. */
static void header_end(struct pctx *c, const struct rline *ln)
{
	struct ppart *p = c->cur;

	header_done(c, p);
	p->pub.body_off = p->pub.end = ln->start + ln->len + ln->lf;
	p->body_w0 = c->w + rline_wire(ln);
	p->body_l0 = c->l + ln->lf;
	p->pub.hdr_wire = p->body_w0 - p->hdr_w0;
	c->in_header = false;
	if (p->pub.kind == MIME_MESSAGE && plain_encoding(p->pub.encoding) && !c->top_only &&
	    p->pub.depth < IMAP_MIME_DEPTH_MAX && c->nparts < IMAP_MIME_PARTS_MAX)
		new_part(c, p, p->pub.body_off, p->body_w0);
}

/* Wire bytes from w0 to this line, less the line break a delimiter takes. */
static uint64_t span(const struct pctx *c, uint64_t w0, bool delim)
{
	uint64_t n = c->w - w0;

	if (!delim)
		return n;
	return n >= 2 ? n - 2 : 0;
}

/* Part p ends at the delimiter line `ln`, whose line break before it is
 * the delimiter's (RFC 2046 5.1.1), or at the end of the message when ln is
 * NULL.  The running counts are those before ln. */
static void finish(struct pctx *c, struct ppart *p, const struct rline *ln)
{
	uint64_t eol = c->prev_cr ? 2 : 1;
	uint64_t at = ln ? ln->start : c->rd->end;
	uint64_t from, w0;
	bool header = c->in_header && p == c->cur;

	if (header) {
		header_done(c, p);
		c->in_header = false;
	}
	from = header ? p->pub.hdr_off : p->pub.body_off;
	w0 = header ? p->hdr_w0 : p->body_w0;
	if (ln && at >= from + eol) {
		at -= eol;
	} else if (ln && !header && at == from && from > p->pub.hdr_off) {
		/* The blank line that ended the header is the line break of
		 * the delimiter: the header has no blank line, and no body. */
		at -= eol;
		p->pub.body_off = at;
		p->pub.hdr_wire -= 2;
	} else if (ln) {
		at = from;
	}
	p->pub.end = at;
	if (header) {
		p->pub.body_off = at;
		p->pub.hdr_wire = span(c, w0, ln != NULL);
		return;
	}
	p->pub.body_wire = span(c, w0, ln != NULL);
	/* Line ends in the body: before a delimiter the last one is the
	 * delimiter's, so a last line without its own counts for nothing
	 * (as Dovecot counts); at the end of the message a last partial line
	 * counts. */
	if (!ln)
		p->pub.body_lines = c->l - p->body_l0 + (!c->prev_lf && c->prev_text);
	else if (c->l > p->body_l0)
		p->pub.body_lines = c->l - p->body_l0 - 1;
}

/* The innermost open multipart whose boundary starts this line. */
static struct ppart *boundary_of(struct pctx *c, const char *h, size_t n,
				 bool *close)
{
	for (struct mime_part *q = &c->cur->pub; q; q = q->parent) {
		struct ppart *m = pp(q);

		if (q->kind != MIME_MULTIPART || !m->boundary || m->closed ||
		    (q == &c->cur->pub && c->in_header))
			continue;
		if (n >= 2 + m->blen && memcmp(h + 2, m->boundary, m->blen) == 0) {
			*close = n >= 4 + m->blen && h[2 + m->blen] == '-' &&
				 h[3 + m->blen] == '-';
			return m;
		}
	}
	return NULL;
}

static void delimiter(struct pctx *c, const struct rline *ln, struct ppart *m,
		      bool close)
{
	while (c->cur != m) {
		finish(c, c->cur, ln);
		c->cur = pp(c->cur->pub.parent);
	}
	c->in_header = false;
	if (close)
		m->closed = true;
	else
		new_part(c, m, ln->start + ln->len + ln->lf, c->w + rline_wire(ln));
}

static void header_line(struct pctx *c, const struct rline *ln)
{
	const char *t;
	size_t n = rline_text(ln, c->head, &t);

	if (ln->len - ln->cr == 0)
		header_end(c, ln);
	else
		hdracc_line(&c->acc, t, n);
}

static void line(struct pctx *c, const struct rline *ln)
{
	const char *h = c->head;
	size_t n = ln->nhead;
	struct ppart *m;
	bool close = false;

	if (!c->frozen && n >= 2 && h[0] == '-' && h[1] == '-' &&
	    (m = boundary_of(c, h, n, &close)) != NULL) {
		if (close || c->nparts < IMAP_MIME_PARTS_MAX) {
			delimiter(c, ln, m, close);
			return;
		}
		c->frozen = true;	/* the rest belongs to the current part */
	}
	if (c->in_header)
		header_line(c, ln);
}

static int parse(struct pctx *c)
{
	struct rline ln;

	while (!c->oom && !(c->top_only && !c->in_header) &&
	       mrd_line(c->rd, c->head, c->in_header ? MIME_FIELD_MAX : BOUNDARY_HEAD, &ln)) {
		line(c, &ln);
		c->w += rline_wire(&ln);
		c->l += ln.lf;
		c->prev_cr = ln.cr;
		c->prev_lf = ln.lf;
		c->prev_text = ln.len - ln.cr > 0;
	}
	while (c->cur) {
		finish(c, c->cur, NULL);
		c->cur = pp(c->cur->pub.parent);
	}
	return c->rd->err || c->oom ? -1 : 0;
}

static struct mime_part *parse_message(const struct msgsrc *m, bool top_only)
{
	struct pctx c;
	int rc = -1;

	memset(&c, 0, sizeof c);
	c.fd = m->fd;
	c.top_only = top_only;
	c.rd = mrd_open(m->fd, m->start, m->end);
	c.accbuf = malloc(MIME_FIELD_MAX);
	c.head = malloc(MIME_FIELD_MAX);
	if (c.rd && c.accbuf && c.head) {
		hdracc_init(&c.acc, c.accbuf, MIME_FIELD_MAX, want_field, got_field, &c);
		c.root = new_part(&c, NULL, m->start, 0);
		if (c.root)
			rc = parse(&c);
	}
	mrd_close(c.rd);
	free(c.accbuf);
	free(c.head);
	if (rc != 0) {
		mime_free(c.root ? &c.root->pub : NULL);
		return NULL;
	}
	return &c.root->pub;
}

struct mime_part *mime_parse(const struct msgsrc *m)
{
	return parse_message(m, false);
}

struct mime_part *mime_parse_top(const struct msgsrc *m)
{
	return parse_message(m, true);
}

static void free_params(struct mime_param *v, unsigned n)
{
	struct plist pl = { v, n };

	mime_plist_free(&pl);
}

void mime_free(struct mime_part *p)
{
	/* Iterative: children and siblings are unlinked as they are freed. */
	while (p) {
		struct mime_part *next;

		if (p->child) {
			next = p->child;
			p->child = NULL;
			p = next;
			continue;
		}
		next = p->next ? p->next : p->parent;
		if (p->parent)
			p->parent->child = p->next;
		free(p->type);
		free(p->subtype);
		free_params(p->params, p->nparams);
		free_params(p->dparams, p->ndparams);
		free(p->id);
		free(p->description);
		free(p->encoding);
		free(p->md5);
		free(p->location);
		free(p->disposition);
		for (unsigned i = 0; i < p->nlanguage; i++)
			free(p->language[i]);
		free(p->language);
		free(pp(p)->boundary);
		free(pp(p)->raw_type);
		free(pp(p)->raw_cte);
		free(pp(p)->raw_disp);
		free(pp(p)->raw_lang);
		free(p);
		p = next;
	}
}

/* ---- finding a part (RFC 3501 6.4.5) ---- */

static const struct mime_part *nth_child(const struct mime_part *p, uint32_t k)
{
	const struct mime_part *q = p->child;

	while (q && --k > 0)
		q = q->next;
	return k == 0 ? q : NULL;
}

/* Part k of a message: of its multipart body, or the body itself for 1. */
static const struct mime_part *part_of_message(const struct mime_part *msg,
					       uint32_t k)
{
	if (!msg)
		return NULL;
	if (msg->kind == MIME_MULTIPART)
		return nth_child(msg, k);
	return k == 1 ? msg : NULL;
}

const struct mime_part *mime_find(const struct mime_part *root,
				  const uint32_t *num, unsigned n)
{
	const struct mime_part *p = root;
	bool self = false;	/* p is already its own part 1 */

	for (unsigned i = 0; p && i < n; i++) {
		if (i == 0) {
			p = part_of_message(root, num[i]);
			self = p == root;
		} else if (p->kind == MIME_MESSAGE) {
			const struct mime_part *m = p->child;

			p = part_of_message(m, num[i]);
			self = p && p == m;
		} else if (p->kind == MIME_MULTIPART) {
			p = nth_child(p, num[i]);
			self = false;
		} else if (num[i] == 1 && !self && strcmp(p->type, "MULTIPART") != 0) {
			self = true;	/* a leaf's part 1 is the leaf (Dovecot); a
					 * multipart past the limits has none */
		} else {
			p = NULL;
		}
	}
	return p;
}

