/* ENVELOPE (RFC 3501 7.4.2): ten header fields, the address fields parsed
 * by the message library's RFC 5322 parser; whatever the header holds, the
 * output is well-formed. */
#include "msgwrite.h"
#include "address.h"
#include "msgparse.h"
#include "imapout.h"
#include "lineio.h"

#include <stdlib.h>
#include <string.h>

#define ENV_FIELD_MAX (64 * 1024)	/* one field, repeats of an address field joined */

/* Host of an address that has none (RFC 3501 needs one: NIL means a group). */
#define MISSING_DOMAIN "MISSING_DOMAIN"

enum { E_DATE, E_SUBJECT, E_FROM, E_SENDER, E_REPLY_TO, E_TO, E_CC, E_BCC,
       E_IN_REPLY_TO, E_MESSAGE_ID, E_N };

static const char *const env_names[E_N] = {
	"Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
	"In-Reply-To", "Message-ID",
};

static bool is_addr_field(int i)
{
	return i >= E_FROM && i <= E_BCC;
}

struct env {
	char *v[E_N];		/* NULL: absent */
	size_t n[E_N];
	bool oom;
};

/* ---- collecting the fields ---- */

static int env_index(const char *name, size_t n)
{
	for (int i = 0; i < E_N; i++)
		if (mime_name_is(name, n, env_names[i]))
			return i;
	return -1;
}

static bool env_want(void *arg, const char *name, size_t n)
{
	(void)arg;
	return env_index(name, n) >= 0;
}

/* The first of a repeated field counts, except address fields, whose
 * lists are joined (a message with two To: lines has both). */
static void env_field(void *arg, const char *name, size_t nlen, const char *val,
		      size_t vlen)
{
	struct env *e = arg;
	int i = env_index(name, nlen);
	size_t old = e->v[i] ? e->n[i] : 0, sep = old ? 1 : 0;
	char *v;

	if (e->v[i] && !is_addr_field(i))
		return;
	if (old + sep + vlen > ENV_FIELD_MAX) {
		if (old + sep >= ENV_FIELD_MAX)
			return;		/* full: no room even for a separator */
		vlen = ENV_FIELD_MAX - old - sep;
	}
	v = realloc(e->v[i], old + sep + vlen + 1);
	if (!v) {
		e->oom = true;
		return;
	}
	if (sep)
		v[old] = ',';
	memcpy(v + old + sep, val, vlen);
	v[old + sep + vlen] = '\0';
	e->v[i] = v;
	e->n[i] = old + sep + vlen;
}

static int env_read(struct env *e, int fd, uint64_t start, uint64_t end)
{
	if (hdr_read_fields(fd, start, end, ENV_FIELD_MAX, env_want, env_field, e,
			    NULL) != 0)
		return -1;
	return e->oom ? -1 : 0;
}

/* ---- writing ---- */

/* One address as (name adl mailbox host); a group's start is
 * (NIL NIL name NIL), its end (NIL NIL NIL NIL) (RFC 3501 7.4.2). */
static void write_addr(struct lout *out, const struct msg_addr *a)
{
	const char *s[4] = { a->name, a->route, a->mailbox, a->host };
	size_t n[4] = { a->nname, a->nroute, a->nmailbox, a->nhost };

	if (a->kind == MSG_ADDR_GROUP_START) {
		s[0] = NULL;
		s[2] = a->name;
		n[2] = a->nname;
	} else if (a->kind == MSG_ADDR_GROUP_END) {
		s[0] = s[2] = NULL;
	} else if (!a->host) {
		s[3] = MISSING_DOMAIN;
		n[3] = strlen(MISSING_DOMAIN);
	}
	lout_write(out, "(", 1);
	for (int k = 0; k < 4; k++) {
		if (k > 0)
			lout_write(out, " ", 1);
		imap_write_nstring(out, s[k], n[k]);
	}
	lout_write(out, ")", 1);
}

static void write_alist(struct lout *out, const struct msg_addr_list *l)
{
	if (l->n == 0) {
		lout_write(out, "NIL", 3);
		return;
	}
	lout_write(out, "(", 1);
	for (size_t i = 0; i < l->n; i++)
		write_addr(out, &l->v[i]);
	lout_write(out, ")", 1);
}

static void write_env(struct lout *out, struct env *e, struct msg_addr_list *al)
{
	lout_write(out, "(", 1);
	for (int i = 0; i < E_N; i++) {
		const struct msg_addr_list *l = &al[i];

		if (i > 0)
			lout_write(out, " ", 1);
		if (!is_addr_field(i)) {
			imap_write_nstring(out, e->v[i], e->n[i]);
			continue;
		}
		if ((i == E_SENDER || i == E_REPLY_TO) && l->n == 0)
			l = &al[E_FROM];	/* RFC 3501 7.4.2: default to From */
		write_alist(out, l);
	}
	lout_write(out, ")", 1);
}

int mime_envelope_raw(struct lout *out, int fd, uint64_t start, uint64_t hdr_end)
{
	struct env e;
	struct msg_addr_list al[E_N];
	int rc;

	memset(&e, 0, sizeof e);
	memset(al, 0, sizeof al);
	rc = env_read(&e, fd, start, hdr_end);
	for (int i = E_FROM; rc == 0 && i <= E_BCC; i++)
		if (e.v[i] && msg_addr_list_parse(e.v[i], e.n[i], &al[i]) != 0)
			rc = -1;
	if (rc == 0)
		write_env(out, &e, al);
	else
		mime_envelope_raw_nil(out);
	for (int i = 0; i < E_N; i++) {
		free(e.v[i]);
		msg_addr_list_free(&al[i]);
	}
	return rc;
}

void mime_envelope_raw_nil(struct lout *out)
{
	lout_puts(out, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
}

int mime_write_envelope(struct lout *out, const struct msgsrc *m)
{
	return mime_envelope_raw(out, m->fd, m->start, msg_header_end(m));
}
