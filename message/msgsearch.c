/* SEARCH over message contents: header fields decoded and unfolded, text
 * bodies decoded as they stream past a matcher, and the Date: field. */
#include "msgsearch.h"
#include "address.h"
#include "msgparse.h"
#include "mbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- header fields ---- */

struct hsearch {
	const char *field;	/* NULL: any */
	struct text_matcher *mt;
	char *dec;		/* "Name: " and the decoded value */
	size_t cap;
	bool address;		/* the value is an address list, compared as
				 * msg_addr_list_write writes it */
	char *addr;		/* that form, before decoding */
	bool found;
};

static bool hs_want(void *arg, const char *name, size_t n)
{
	struct hsearch *h = arg;

	return !h->found && (!h->field || mime_name_is(name, n, h->field));
}

/* Every run of white space (a fold, a tab, spaces) as one space, as
 * Dovecot compares header values: "a\n\tb" and "a  b" both read "a b". */
static size_t squeeze_wsp(char *s, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		bool ws = s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n';

		if (ws && out > 0 && s[out - 1] == ' ')
			continue;
		s[out++] = ws ? ' ' : s[i];
	}
	return out;
}

/* The address list in its written form, into h->addr; NULL when it cannot
 * be parsed (out of memory). */
static const char *address_form(struct hsearch *h, const char *val, size_t *vlen)
{
	struct msg_addr_list l = { NULL, 0, 0, NULL };
	const char *p = NULL;

	if (msg_addr_list_parse(val, *vlen, &l) == 0) {
		*vlen = msg_addr_list_write(&l, h->addr, SEARCH_FIELD_MAX);
		p = h->addr;
	}
	msg_addr_list_free(&l);
	return p;
}

static void hs_field(void *arg, const char *name, size_t nlen, const char *val,
		     size_t vlen)
{
	struct hsearch *h = arg;
	size_t n = 0;

	if (h->mt->n == 0) {
		h->found = true;	/* the field is there: that is the test */
		return;
	}
	if (h->address && (val = address_form(h, val, &vlen)) == NULL)
		return;
	if (!h->field) {	/* any field: its name is text too */
		memcpy(h->dec, name, nlen);
		memcpy(h->dec + nlen, ": ", 2);
		n = nlen + 2;
	}
	n += mime_rfc2047_decode(val, vlen, h->dec + n, h->cap - n);
	n = squeeze_wsp(h->dec, n);
	h->found = text_matcher_in(h->dec, n, h->mt);
}

static bool header_search(int fd, uint64_t start, uint64_t end,
			  const char *field, bool address, struct text_matcher *mt)
{
	/* a decoded byte becomes at most three (Latin-1 to UTF-8) */
	struct hsearch h = { field, mt, NULL, 4 * SEARCH_FIELD_MAX + 2, address,
			     NULL, false };

	if ((h.dec = malloc(h.cap)) == NULL ||
	    (address && (h.addr = malloc(SEARCH_FIELD_MAX)) == NULL)) {
		free(h.dec);
		return false;
	}
	if (hdr_read_fields(fd, start, end, SEARCH_FIELD_MAX, hs_want, hs_field,
			    &h, &h.found) != 0)
		h.found = false;
	free(h.dec);
	free(h.addr);
	return h.found;
}

static bool field_contains(const struct msgsrc *m, const char *field,
			   bool address, const char *needle, size_t n)
{
	struct text_matcher mt;
	bool found;

	if (text_matcher_init(&mt, needle, n) != 0)
		return false;
	found = header_search(m->fd, m->start, msg_header_end(m), field, address, &mt);
	text_matcher_free(&mt);
	return found;
}

bool msg_header_contains(const struct msgsrc *m, const char *field,
			 const char *needle, size_t n)
{
	return field_contains(m, field, false, needle, n);
}

bool msg_address_contains(const struct msgsrc *m, const char *field,
			  const char *needle, size_t n)
{
	return field_contains(m, field, true, needle, n);
}

/* ---- bodies ---- */

/* The raw bytes lose the '>' mboxrd added to ^>+From lines on their way to
 * the decoder, as they do on the wire. */
struct bsearch {
	struct text_matcher *mt;
	struct cte_decoder dec;
	bool at_start, deciding;
	struct linecls cls;
	uint64_t gts;		/* '>' held while deciding */
	size_t nheld;		/* "From" bytes held */
};

static void to_matcher(void *arg, const char *p, size_t n)
{
	text_matcher_feed(arg, p, n);
}

static void release(struct bsearch *b, bool quoted)
{
	char gt[64];
	uint64_t k = b->gts - quoted;

	memset(gt, '>', sizeof gt);
	while (k > 0) {
		size_t n = k < sizeof gt ? (size_t)k : sizeof gt;

		cte_decoder_feed(&b->dec, gt, n);
		k -= n;
	}
	cte_decoder_feed(&b->dec, "From ", b->nheld);
	b->deciding = false;
}

static void unquote_feed(struct bsearch *b, const char *p, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		if (b->at_start) {
			cte_decoder_feed(&b->dec, p + run, i - run);
			run = i;
			b->at_start = false;
			b->deciding = true;
			b->gts = b->nheld = 0;
			linecls_reset(&b->cls);
		}
		if (b->deciding) {
			enum linecls_result r = linecls_feed(&b->cls, (unsigned char)p[i]);

			if (r == LC_UNDECIDED) {
				if (p[i] == '>')
					b->gts++;
				else
					b->nheld++;
				run = i + 1;
				continue;
			}
			release(b, r == LC_QUOTED);
			run = i;
		}
		if (p[i] == '\n')
			b->at_start = true;
	}
	cte_decoder_feed(&b->dec, p + run, n - run);
}

static bool body_search(int fd, uint64_t start, uint64_t end, enum cte cte,
			enum charset cs, struct text_matcher *mt)
{
	struct bsearch b;
	struct mrd *r = mrd_open(fd, start, end);
	const char *p;
	size_t n;

	if (!r)
		return false;
	memset(&b, 0, sizeof b);
	b.mt = mt;
	b.at_start = true;
	text_matcher_reset(mt);
	cte_decoder_init(&b.dec, cte, cs, to_matcher, mt);
	while (!mt->found && (n = mrd_chunk(r, &p)) > 0)
		unquote_feed(&b, p, n);
	if (b.deciding)
		release(&b, false);
	cte_decoder_finish(&b.dec);
	mrd_close(r);
	return mt->found;
}

static bool is_text(const struct mime_part *p)
{
	return !strcmp(p->type, "TEXT") || !strcmp(p->type, "MESSAGE");
}

/* An encapsulated message's header is body text for TEXT only: BODY
 * searches what its parts say, not who sent them (as Dovecot does). */
static bool part_search(const struct mime_part *p, struct text_matcher *mt,
			bool mime)
{
	if (p->kind == MIME_MESSAGE && p->child)
		return mime && header_search(p->fd, p->child->hdr_off,
					     p->child->body_off, NULL, false, mt);
	if (p->kind != MIME_LEAF || !is_text(p))
		return false;
	return body_search(p->fd, p->body_off, p->end, mime_cte_of(p->encoding),
			   mime_charset_of(mime_param_get(p->params, p->nparams, "CHARSET")), mt);
}

/* Depth first, without recursion. */
static const struct mime_part *next_part(const struct mime_part *p)
{
	if (p->kind != MIME_LEAF && p->child)
		return p->child;
	while (p && !p->next)
		p = p->parent;
	return p ? p->next : NULL;
}

/* The body's text parts; with `mime`, the MIME headers of the parts of
 * multiparts too (TEXT finds an attachment by its file name). */
static bool body_walk(const struct msgsrc *m, struct text_matcher *mt, bool mime)
{
	struct mime_part *root;
	bool found = false;

	/* A single part needs no structure: its header says it all. */
	root = mime_parse_top(m);
	if (root && root->kind == MIME_LEAF) {
		root->end = m->end;
		found = part_search(root, mt, mime);
	} else if (root) {
		mime_free(root);
		root = mime_parse(m);
		for (const struct mime_part *p = root; p && !found; p = next_part(p)) {
			if (mime && p->parent && p->parent->kind == MIME_MULTIPART)
				found = header_search(p->fd, p->hdr_off, p->body_off,
						      NULL, false, mt);
			if (!found)
				found = part_search(p, mt, mime);
		}
	}
	mime_free(root);
	return found;
}

static bool contains(const struct msgsrc *m, const char *needle, size_t n,
		     bool header)
{
	struct text_matcher mt;
	bool found;

	if (n == 0)
		return true;
	if (text_matcher_init(&mt, needle, n) != 0)
		return false;
	found = header && header_search(m->fd, m->start, msg_header_end(m), NULL,
					false, &mt);
	if (!found)
		found = body_walk(m, &mt, header);
	text_matcher_free(&mt);
	return found;
}

bool msg_body_contains(const struct msgsrc *m, const char *needle, size_t n)
{
	return contains(m, needle, n, false);
}

bool msg_text_contains(const struct msgsrc *m, const char *needle, size_t n)
{
	return contains(m, needle, n, true);
}

/* ---- Date: ---- */

struct dsearch {
	char val[256];
	size_t n;
	bool got;
};

static bool ds_want(void *arg, const char *name, size_t n)
{
	struct dsearch *d = arg;

	return !d->got && mime_name_is(name, n, "Date");
}

static void ds_field(void *arg, const char *name, size_t nlen, const char *val,
		     size_t vlen)
{
	struct dsearch *d = arg;

	(void)name;
	(void)nlen;
	d->n = vlen < sizeof d->val ? vlen : sizeof d->val;
	memcpy(d->val, val, d->n);
	d->got = true;
}

int msg_sent_date_zone(const struct msgsrc *m, time_t *t, int *zone)
{
	struct dsearch d;

	memset(&d, 0, sizeof d);
	if (hdr_read_fields(m->fd, m->start, msg_header_end(m), SEARCH_FIELD_MAX,
			    ds_want, ds_field, &d, &d.got) != 0 || !d.got)
		return -1;
	return msg_parse_date(d.val, d.n, t, zone);
}

int msg_sent_date(const struct msgsrc *m, time_t *t)
{
	int zone;

	return msg_sent_date_zone(m, t, &zone);
}
