/* BODYSTRUCTURE and BODY (RFC 3501 7.4.2): the MIME structure parsed by the
 * message library, written as IMAP shows it. */
#include "msgwrite.h"
#include "imapout.h"
#include "lineio.h"

#include <string.h>

static void write_params(struct lout *out, const struct mime_param *v, unsigned n)
{
	if (n == 0) {
		lout_write(out, "NIL", 3);
		return;
	}
	lout_write(out, "(", 1);
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			lout_write(out, " ", 1);
		imap_write_nstr(out, v[i].name);
		lout_write(out, " ", 1);
		imap_write_nstr(out, v[i].value);
	}
	lout_write(out, ")", 1);
}

/* body-fld-dsp, body-fld-lang, body-fld-loc */
static void write_ext_common(struct lout *out, const struct mime_part *p)
{
	lout_write(out, " ", 1);
	if (p->disposition) {
		lout_write(out, "(", 1);
		imap_write_nstr(out, p->disposition);
		lout_write(out, " ", 1);
		write_params(out, p->dparams, p->ndparams);
		lout_write(out, ")", 1);
	} else {
		lout_write(out, "NIL", 3);
	}
	lout_write(out, " ", 1);
	if (p->nlanguage == 1) {
		imap_write_nstr(out, p->language[0]);
	} else if (p->nlanguage > 1) {
		lout_write(out, "(", 1);
		for (unsigned i = 0; i < p->nlanguage; i++) {
			if (i > 0)
				lout_write(out, " ", 1);
			imap_write_nstr(out, p->language[i]);
		}
		lout_write(out, ")", 1);
	} else {
		lout_write(out, "NIL", 3);
	}
	lout_write(out, " ", 1);
	imap_write_nstr(out, p->location);
}

/* The body-type-mpart grammar needs at least one part: an empty multipart
 * (or an unparsed message) shows an empty text part. */
static void write_empty(struct lout *out, bool extended)
{
	lout_puts(out, "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0");
	if (extended)
		lout_puts(out, " NIL NIL NIL NIL");
	lout_write(out, ")", 1);
}

static int write_part(struct lout *out, const struct mime_part *p, bool extended);

static int write_multipart(struct lout *out, const struct mime_part *p,
			   bool extended)
{
	int rc = 0;

	lout_write(out, "(", 1);
	for (const struct mime_part *q = p->child; q; q = q->next)
		rc |= write_part(out, q, extended);
	if (!p->child)
		write_empty(out, extended);
	lout_write(out, " ", 1);
	imap_write_nstr(out, p->subtype);
	if (extended) {
		lout_write(out, " ", 1);
		write_params(out, p->params, p->nparams);
		write_ext_common(out, p);
	}
	lout_write(out, ")", 1);
	return rc;
}

/* envelope, body and lines of a message/rfc822 part */
static int write_encapsulated(struct lout *out, const struct mime_part *p,
			      bool extended)
{
	const struct mime_part *m = p->child;
	int rc = 0;

	lout_write(out, " ", 1);
	if (m)
		rc = mime_envelope_raw(out, p->fd, m->hdr_off, m->body_off);
	else
		mime_envelope_raw_nil(out);
	lout_write(out, " ", 1);
	if (m)
		rc |= write_part(out, m, extended);
	else
		write_empty(out, extended);
	return rc;
}

static int write_part(struct lout *out, const struct mime_part *p, bool extended)
{
	int rc = 0;

	if (p->kind == MIME_MULTIPART)
		return write_multipart(out, p, extended);
	lout_write(out, "(", 1);
	imap_write_nstr(out, p->type);
	lout_write(out, " ", 1);
	imap_write_nstr(out, p->subtype);
	lout_write(out, " ", 1);
	write_params(out, p->params, p->nparams);
	lout_write(out, " ", 1);
	imap_write_nstr(out, p->id);
	lout_write(out, " ", 1);
	imap_write_nstr(out, p->description);
	lout_write(out, " ", 1);
	imap_write_nstr(out, p->encoding);
	lout_printf(out, " %llu", (unsigned long long)p->body_wire);
	if (p->kind == MIME_MESSAGE)
		rc = write_encapsulated(out, p, extended);
	if (p->kind == MIME_MESSAGE || strcmp(p->type, "TEXT") == 0)
		lout_printf(out, " %llu", (unsigned long long)p->body_lines);
	if (extended) {
		lout_write(out, " ", 1);
		imap_write_nstr(out, p->md5);
		write_ext_common(out, p);
	}
	lout_write(out, ")", 1);
	return rc;
}

int mime_write_bodystructure(struct lout *out, const struct mime_part *root,
			     bool extended)
{
	return write_part(out, root, extended);
}
