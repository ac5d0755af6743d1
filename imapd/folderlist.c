/* LIST and LSUB (RFC 3501 6.3.8, 6.3.9, 7.2.2, 7.2.3) with the CHILDREN
 * attributes.  INBOX comes first, then the other names sorted.  The
 * selection options of LIST-EXTENDED (RFC 5258) are not offered: a "("
 * where the reference should be is a syntax error. */
#include "session.h"

#include "folders.h"
#include "imapout.h"
#include "listmatch.h"
#include "log.h"
#include "subscriptions.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SP reference SP pattern: the pattern they make into lp.  *empty: the
 * pattern was "", which asks for the delimiter. */
static bool list_args(struct imap *s, struct listpat *lp, bool *empty)
{
	struct str ref, pat;

	if (!tok_sp(&s->tok) || !tok_astring(&s->tok, &ref) || !tok_sp(&s->tok) ||
	    !tok_list_mailbox(&s->tok, &pat) || !tok_end(&s->tok) ||
	    memchr(ref.p, '\0', ref.n) || memchr(pat.p, '\0', pat.n) ||
	    !listpat_init(lp, ref.p, ref.n, pat.p, pat.n)) {
		bad_syntax(s);
		return false;
	}
	*empty = pat.n == 0;
	return true;
}

static void attr_text(char *dst, size_t size, unsigned attrs)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ FA_NOSELECT, "\\Noselect" },
		{ FA_NOINFERIORS, "\\NoInferiors" },
		{ FA_CHILDREN, "\\HasChildren" },
		{ FA_NOCHILDREN, "\\HasNoChildren" },
	};
	size_t n = 0;

	dst[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof *names && n < size; i++)
		if (attrs & names[i].bit)
			n += (size_t)snprintf(dst + n, size - n, "%s%s", n ? " " : "", names[i].name);
}

/* "* LIST (attrs) "/" name": the name through imapout.c, which quotes it
 * as it needs. */
static void send_name(struct imap *s, const char *what, unsigned attrs, const char *name)
{
	char a[64];

	attr_text(a, sizeof a, attrs);
	lout_printf(&s->conn.out, "* %s (%s) \"/\" ", what, a);
	imap_write_astring(&s->conn.out, name, strlen(name));
	lout_write(&s->conn.out, "\r\n", 2);
	if (s->conn.cfg->transcript) {
		char line[MAILBOX_NAME_MAX + 96];
		int n = snprintf(line, sizeof line, "* %s (%s) \"/\" %s", what, a, name);

		log_transcript('>', line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
	}
}

/* INBOX first, then the rest (sorted already). */
static void send_all(struct imap *s, const char *what, const struct folder_set *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->e[i].name, "INBOX") == 0)
			send_name(s, what, fs->e[i].attrs, "INBOX");
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->e[i].name, "INBOX") != 0)
			send_name(s, what, fs->e[i].attrs, fs->e[i].name);
}

static void list_failed(struct imap *s, const struct folder_set *fs)
{
	if (fs->full)
		done(s, "NO", "[LIMIT] More than %d names match", LIST_RESULTS_MAX);
	else
		done(s, "NO", "[SERVERBUG] Out of memory");
}

static void list(struct imap *s, struct listpat *lp)
{
	struct folder_set fs = { 0 };
	bool empty;

	if (!list_args(s, lp, &empty))
		return;
	if (empty) {
		/* RFC 3501 6.3.8: the delimiter, and the root of a flat namespace */
		send_name(s, "LIST", FA_NOSELECT, "");
		done(s, "OK", "LIST completed");
		return;
	}
	/* INBOX is a mailbox even before its file exists (it is made on first
	 * delivery or SELECT), and its name matches in any case. */
	if (((listpat_match(lp, "INBOX", 5, true) & LM_MATCH) &&
	     folder_set_add(&fs, "INBOX", 5, FA_NOINFERIORS) != 0) ||
	    folder_find(s->userfd, lp, &fs) != 0) {
		list_failed(s, &fs);
	} else {
		folder_set_sort(&fs);
		send_all(s, "LIST", &fs);
		done(s, "OK", "LIST completed");
	}
	folder_set_free(&fs);
}

static bool selectable(const struct imap *s, const char *name)
{
	return strcmp(name, "INBOX") == 0 || folder_kind(s->userfd, name) == FK_MBOX;
}

/* RFC 3501 6.3.9: with "%" last, a level above subscribed names matches
 * in their place ("foo" for "foo/bar"), as \Noselect. */
static int add_levels(struct folder_set *fs, const struct listpat *lp,
		      const struct subs *l, const char *name)
{
	char level[MAILBOX_NAME_MAX + 1];

	for (const char *p = strchr(name, '/'); p; p = strchr(p + 1, '/')) {
		size_t n = (size_t)(p - name);

		memcpy(level, name, n);
		level[n] = '\0';
		if (!subs_has(l, level) && (listpat_match(lp, level, n, false) & LM_MATCH) &&
		    folder_set_add(fs, level, n, FA_NOSELECT) != 0)
			return -1;
	}
	return 0;
}

static int lsub_find(const struct imap *s, const struct listpat *lp, const struct subs *l,
		     struct folder_set *fs)
{
	for (unsigned i = 0; i < l->n; i++) {
		const char *name = l->name[i];
		size_t n = strlen(name);
		bool inbox = strcmp(name, "INBOX") == 0;

		if (listpat_match(lp, name, n, inbox) & LM_MATCH) {
			/* \Noselect: subscribed, but not a mailbox (now) */
			if (folder_set_add(fs, name, n, selectable(s, name) ? 0 : FA_NOSELECT) != 0)
				return -1;
		} else if (lp->pct_last && add_levels(fs, lp, l, name) != 0) {
			return -1;
		}
	}
	return 0;
}

static void lsub(struct imap *s, struct listpat *lp)
{
	struct folder_set fs = { 0 };
	struct subs l;
	bool empty;

	if (!list_args(s, lp, &empty))
		return;
	if (subs_load(s->userfd, &l) != 0) {
		log_msg(LOG_ERR, "%s: reading subscriptions: %s", s->conn.user, strerror(errno));
		done(s, "NO", "[UNAVAILABLE] Subscriptions unreadable, try again later");
		return;
	}
	if (!empty && lsub_find(s, lp, &l, &fs) != 0) {
		list_failed(s, &fs);
	} else {
		folder_set_sort(&fs);
		send_all(s, "LSUB", &fs);
		done(s, "OK", "LSUB completed");
	}
	folder_set_free(&fs);
	subs_free(&l);
}

/* The compiled pattern is large (a bit mask per byte value): not on the
 * stack. */
static void with_pattern(struct imap *s, void (*fn)(struct imap *, struct listpat *))
{
	struct listpat *lp = malloc(sizeof *lp);

	if (!lp) {
		done(s, "NO", "[SERVERBUG] Out of memory");
		return;
	}
	fn(s, lp);
	free(lp);
}

void cmd_list(struct imap *s)
{
	with_pattern(s, list);
}

void cmd_lsub(struct imap *s)
{
	with_pattern(s, lsub);
}
