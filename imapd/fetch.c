/* FETCH and UID FETCH (RFC 3501 6.4.5, 7.4.2).
 *
 * The attribute list is parsed first; then the index is synced under a read
 * lock (and, when bodies are fetched without PEEK, \Seen is set under the
 * write lock), and the responses are written with no lock held: the bytes of
 * an indexed message never change (see view.c). */
#include "session.h"

#include "imapout.h"
#include "index.h"
#include "log.h"
#include "msgwrite.h"
#include "section.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FETCH_ITEMS_MAX 64

enum fetch_kind {
	FA_ENVELOPE, FA_FLAGS, FA_INTERNALDATE, FA_SIZE, FA_UID,
	FA_BODY, FA_BODYSTRUCTURE,
	FA_SECTION,		/* BODY[...], BODY.PEEK[...], RFC822, RFC822.HEADER/TEXT */
};

struct fetch_item {
	enum fetch_kind kind;
	const char *alias;	/* "RFC822", "RFC822.HEADER", "RFC822.TEXT" or NULL */
	bool peek;
	bool partial;
	uint32_t origin, count;
	struct section sec;
};

struct fetch {
	struct fetch_item item[FETCH_ITEMS_MAX];
	unsigned n;
	bool sets_seen;		/* a body fetched without PEEK */
	bool has_flags, has_uid;
	bool gone;		/* a requested message no longer exists */
};

static struct fetch_item *add(struct fetch *f, enum fetch_kind kind)
{
	struct fetch_item *it;

	if (f->n >= FETCH_ITEMS_MAX)
		return NULL;
	it = &f->item[f->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	f->has_flags |= kind == FA_FLAGS;
	f->has_uid |= kind == FA_UID;
	return it;
}

/* The text between "[" and "]", rebuilt in one buffer for section_parse():
 * quoted strings and literals may hold "]". */
static bool section_text(struct tok *t, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	int depth = 0;

	for (;;) {
		int c = tok_peek(t);
		struct str s;

		if (c == '"' || c == '{') {
			if (!tok_string(t, &s))
				return false;
			if (n + s.n * 2 + 24 > cap)
				return false;
			n += (size_t)snprintf(buf + n, cap - n, "{%zu}\r\n", s.n);
			memcpy(buf + n, s.p, s.n);
			n += s.n;
			continue;
		}
		if (c < 0 || n + 1 >= cap)
			return false;
		t->pos++;
		if (c == ']' && depth == 0)
			break;
		depth += c == '(' ? 1 : c == ')' ? -1 : 0;
		if (depth < 0)
			return false;
		buf[n++] = (char)c;
	}
	*len = n;
	return true;
}

/* "<origin.count>" after a section.  A count of 0 is taken, as Dovecot
 * takes it, for an empty window (RFC 3501 9 says nz-number). */
static bool partial(struct tok *t, struct fetch_item *it)
{
	if (!tok_char(t, '<'))
		return true;
	it->partial = true;
	return tok_number(t, &it->origin) && tok_char(t, '.') &&
	       tok_number(t, &it->count) && tok_char(t, '>');
}

static bool body_section(struct tok *t, struct fetch *f, bool peek)
{
	static char text[SECTION_NAMES_SIZE + 64];
	struct fetch_item *it = add(f, FA_SECTION);
	size_t len;

	if (!it || !section_text(t, text, sizeof text, &len) ||
	    section_parse(text, len, &it->sec) != 0 || !partial(t, it))
		return false;
	it->peek = peek;
	f->sets_seen |= !peek;
	return true;
}

static bool alias(struct fetch *f, const char *name, const char *spec, bool peek)
{
	struct fetch_item *it = add(f, FA_SECTION);

	if (!it || section_parse(spec, strlen(spec), &it->sec) != 0)
		return false;
	it->alias = name;
	it->peek = peek;
	f->sets_seen |= !peek;
	return true;
}

/* One fetch-att.  Atoms stop before "[", so BODY[...] is read by hand. */
static bool attribute(struct tok *t, struct fetch *f)
{
	static const struct { const char *name; enum fetch_kind kind; } simple[] = {
		{ "ENVELOPE", FA_ENVELOPE }, { "FLAGS", FA_FLAGS },
		{ "INTERNALDATE", FA_INTERNALDATE }, { "RFC822.SIZE", FA_SIZE },
		{ "UID", FA_UID }, { "BODYSTRUCTURE", FA_BODYSTRUCTURE },
	};
	struct str a;
	const char *bracket;

	if (!tok_atom(t, &a))
		return false;
	bracket = memchr(a.p, '[', a.n);
	if (bracket) {
		/* back to just after "[": the section is read from there */
		t->pos -= a.n - (size_t)(bracket - a.p) - 1;
		a.n = (size_t)(bracket - a.p);
		if (str_ieq(&a, "BODY"))
			return body_section(t, f, false);
		if (str_ieq(&a, "BODY.PEEK"))
			return body_section(t, f, true);
		return false;
	}
	for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
		if (str_ieq(&a, simple[i].name))
			return add(f, simple[i].kind) != NULL;
	if (str_ieq(&a, "BODY"))
		return add(f, FA_BODY) != NULL;
	if (str_ieq(&a, "RFC822"))
		return alias(f, "RFC822", "", false);
	if (str_ieq(&a, "RFC822.HEADER"))
		return alias(f, "RFC822.HEADER", "HEADER", true);
	if (str_ieq(&a, "RFC822.TEXT"))
		return alias(f, "RFC822.TEXT", "TEXT", false);
	return false;
}

static bool macro(struct fetch *f, const struct str *a)
{
	bool all = str_ieq(a, "ALL"), full = str_ieq(a, "FULL");

	if (!all && !full && !str_ieq(a, "FAST"))
		return false;
	add(f, FA_FLAGS);
	add(f, FA_INTERNALDATE);
	add(f, FA_SIZE);
	if (all || full)
		add(f, FA_ENVELOPE);
	if (full)
		add(f, FA_BODY);
	return true;
}

static bool parse_items(struct tok *t, struct fetch *f)
{
	struct tok save = *t;
	struct str a;

	if (tok_char(t, '(')) {
		do {
			if (!attribute(t, f))
				return false;
		} while (tok_sp(t));
		return tok_char(t, ')');
	}
	if (tok_atom(t, &a) && macro(f, &a))
		return true;
	*t = save;
	return attribute(t, f);
}

/* ---- writing one message ---- */

struct one {
	struct fetch *f;
	uint32_t seq;
	const struct idx_rec *rec;
	struct msgsrc src;
	struct mime_part *mime;		/* parsed once, when an item needs it */
	bool ok;
};

static void write_date(struct lout *out, int64_t when)
{
	char buf[40];
	time_t t = when < 0 ? 0 : (time_t)when;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "\"%d-%b-%Y %H:%M:%S +0000\"", &tm);
	lout_puts(out, buf);
}

static bool structure(struct imap *s, struct one *o, bool extended)
{
	if (!o->mime && !(o->mime = mime_parse(&o->src)))
		return false;
	return mime_write_bodystructure(&s->conn.out, o->mime, extended) == 0;
}

static bool section(struct imap *s, struct one *o, const struct fetch_item *it)
{
	struct section_data d;
	uint64_t skip = 0, len;
	bool ok;

	if (section_resolve(&o->src, &it->sec, &d) != 0)
		return false;
	len = d.wire_size;
	if (it->alias) {
		lout_puts(&s->conn.out, it->alias);
	} else {
		section_write_name(&s->conn.out, &it->sec);
		if (it->partial) {
			lout_printf(&s->conn.out, "<%u>", it->origin);
			skip = it->origin;
			len = skip >= d.wire_size ? 0 : d.wire_size - skip;
			if (len > it->count)
				len = it->count;
		}
	}
	lout_printf(&s->conn.out, " {%llu}\r\n", (unsigned long long)len);
	ok = section_write(&s->conn.out, &o->src, &d, skip, len) == 0;
	section_data_free(&d);
	return ok;
}

static bool item(struct imap *s, struct one *o, const struct fetch_item *it, uint32_t i)
{
	const struct view_msg *v = &s->view[i];

	switch (it->kind) {
	case FA_FLAGS:
		lout_puts(&s->conn.out, "FLAGS ");
		write_flags(s, v->flags, v->keywords, v->recent);
		return true;
	case FA_UID:
		lout_printf(&s->conn.out, "UID %u", v->uid);
		return true;
	case FA_SIZE:
		lout_printf(&s->conn.out, "RFC822.SIZE %llu",
			    (unsigned long long)o->rec->wire_size);
		return true;
	case FA_INTERNALDATE:
		lout_puts(&s->conn.out, "INTERNALDATE ");
		write_date(&s->conn.out, o->rec->idate);
		return true;
	case FA_ENVELOPE:
		lout_puts(&s->conn.out, "ENVELOPE ");
		return mime_write_envelope(&s->conn.out, &o->src) == 0;
	case FA_BODY:
		lout_puts(&s->conn.out, "BODY ");
		return structure(s, o, false);
	case FA_BODYSTRUCTURE:
		lout_puts(&s->conn.out, "BODYSTRUCTURE ");
		return structure(s, o, true);
	case FA_SECTION:
		return section(s, o, it);
	}
	return false;
}

static void fetch_one(struct imap *s, uint32_t i, void *arg)
{
	struct fetch *f = arg;
	long pos = view_pos(s, i);
	struct one o = { f, i + 1, NULL, { 0 }, NULL, true };
	bool first = true;

	if (pos < 0) {
		f->gone = true;		/* expunged elsewhere: nothing to send */
		return;
	}
	o.rec = &s->mb.ix.rec[pos];
	o.src.fd = s->mb.fd;
	o.src.start = o.rec->offset + o.rec->from_len;
	o.src.end = o.src.start + o.rec->raw_len;
	o.src.hdr_len = o.rec->hdr_len;
	o.src.wire_size = o.rec->wire_size;
	lout_printf(&s->conn.out, "* %u FETCH (", i + 1);
	if (s->uid && !f->has_uid) {
		lout_printf(&s->conn.out, "UID %u", s->view[i].uid);
		first = false;
	}
	for (unsigned k = 0; k < f->n && o.ok; k++) {
		if (!first)
			lout_write(&s->conn.out, " ", 1);
		o.ok = item(s, &o, &f->item[k], i);
		first = false;
	}
	if (f->sets_seen && !f->has_flags && !s->readonly) {
		lout_puts(&s->conn.out, " FLAGS ");
		write_flags(s, s->view[i].flags, s->view[i].keywords, s->view[i].recent);
	}
	mime_free(o.mime);
	if (!o.ok)	/* a read error mid-response: the stream cannot be mended */
		bye(s, 1, "[SERVERBUG] Cannot read the mailbox");
	lout_puts(&s->conn.out, ")\r\n");
}

/* \Seen for each message whose body is fetched without PEEK. */
static void mark_one(struct imap *s, uint32_t i, void *arg)
{
	long pos = view_pos(s, i), *range = arg;

	if (pos < 0 || (s->mb.ix.rec[pos].flags & FL_SEEN))
		return;
	s->mb.ix.rec[pos].flags |= FL_SEEN;
	s->view[i].flags |= FL_SEEN;	/* told in this FETCH, not again */
	if (range[0] < 0 || pos < range[0])
		range[0] = pos;
	if (pos > range[1])
		range[1] = pos;
}

/* Sync the index, setting \Seen first when asked; false when answered. */
static bool prepare(struct imap *s, const struct seqset *set, bool seen)
{
	long range[2] = { -1, -1 };

	if (!view_lock(s, seen ? F_WRLCK : F_RDLCK)) {
		done(s, "NO", "[UNAVAILABLE] Mailbox busy, try again later");
		return false;
	}
	if (seen && !view_each(s, set, s->uid, mark_one, range)) {
		view_unlock(s);
		return false;
	}
	if (range[0] >= 0 &&
	    mailbox_save_flags(&s->mb, (uint32_t)range[0], (uint32_t)range[1]) != 0) {
		log_msg(LOG_ERR, "%s: %s: saving flags: %s", s->conn.user, s->mailbox,
			strerror(errno));
		view_unlock(s);
		done(s, "NO", "[UNAVAILABLE] Cannot save flags, try again later");
		return false;
	}
	view_unlock(s);
	return true;
}

void cmd_fetch(struct imap *s)
{
	static struct fetch f;
	struct seqset set;

	memset(&f, 0, sizeof f);
	if (!tok_sp(&s->tok) || !tok_seqset(&s->tok, &set) || !tok_sp(&s->tok) ||
	    !parse_items(&s->tok, &f) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!prepare(s, &set, f.sets_seen && !s->readonly) ||
	    !view_each(s, &set, s->uid, fetch_one, &f))
		return;
	if (f.gone && !s->uid)
		done(s, "NO", "[EXPUNGEISSUED] Some of the requested messages no longer exist");
	else
		done(s, "OK", "%sFETCH completed", s->uid ? "UID " : "");
}
