/* imapdrain: print every unread message of an IMAP folder as an mbox on
 * standard output, then delete exactly those (UID STORE \Deleted, UID
 * EXPUNGE).  Nothing is deleted unless every message was written, flushed
 * and, for a file, fsynced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include "buf.h"
#include "fail.h"
#include "hdrrcpt.h"
#include "imapc.h"
#include "mbox.h"
#include "net.h"
#include "opts.h"
#include "secret.h"
#include "uidset.h"

static const char usage_text[] = "[-v] [-s HOST[:PORT] | -c COMMAND] [-u USER] [-p FILE] "
	"[-M FOLDER] [-k]";

struct drain {
	struct imap m;
	struct uidset unseen;	/* what UID SEARCH UNSEEN found */
	struct uidset printed;	/* what went to standard output */
	struct uidset deleted;	/* UID SEARCH DELETED, without UIDPLUS */
	uint32_t want;		/* the UID being fetched */
	bool got;
};

static bool is(const struct imap_tok *t, const char *word)
{
	return t->kind == T_ATOM && t->len == strlen(word) && !strncasecmp(t->p, word, t->len);
}

static bool number(const struct imap_tok *t, uint32_t *v)
{
	uint64_t n = 0;

	if (t->kind != T_ATOM || t->len == 0 || t->len > 10)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return false;
		n = n * 10 + (uint64_t)(t->p[i] - '0');
	}
	if (n == 0 || n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

/* "* SEARCH 3 5 8" into the set given as arg. */
static void on_search(void *arg, struct imap_lex *l, struct imap_tok t)
{
	struct uidset *set = arg;
	uint32_t uid;

	if (!is(&t, "SEARCH"))
		return;
	while ((t = imap_next(l)).kind != T_END) {
		if (!number(&t, &uid))
			fail(EX_PROTOCOL, "IMAP server sent a bad SEARCH response");
		uidset_add(set, uid);
	}
}

static int to_stdout(void *arg, const char *p, size_t n)
{
	(void)arg;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

/* "dd-Mon-yyyy hh:mm:ss +zzzz" as a time, or now. */
static time_t internaldate(const struct imap_tok *t)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4], sign;
	int d, y, hh, mm, ss, zh, zm;
	struct tm tm;
	const char *p;

	memset(&tm, 0, sizeof tm);
	if (t->kind != T_QUOTED || t->len > 40 ||
	    sscanf(t->p, "%2d-%3s-%4d %2d:%2d:%2d %c%2d%2d", &d, mon, &y, &hh, &mm, &ss,
		   &sign, &zh, &zm) != 9 || !(p = strstr(months, mon)) || (p - months) % 3)
		return time(NULL);
	tm.tm_mday = d;
	tm.tm_mon = (int)(p - months) / 3;
	tm.tm_year = y - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	return timegm(&tm) - (sign == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
}

/* One message as mboxrd: From line, quoted body, a blank line. */
static void print_message(const char *body, size_t len, time_t when)
{
	char from[FROM_LINE_MAX], sender[256];
	struct quoter q;

	hdr_return_path(body, len, sender, sizeof sender);
	for (char *s = sender; *s; s++)
		if (*s <= ' ' || *s == 0x7f)
			*s = '_';
	mbox_from_line(from, sizeof from, sender[0] ? sender : "MAILER-DAEMON", when);
	quoter_init(&q, to_stdout, NULL);
	if (fputs(from, stdout) == EOF || quoter_feed(&q, body, len) != 0 ||
	    quoter_finish(&q) != 0 || (len && !q.last_lf && putchar('\n') == EOF) ||
	    putchar('\n') == EOF || fflush(stdout) != 0)
		fail(EX_IOERR, "writing to standard output failed: nothing deleted");
}

/* The data items a FETCH response may carry (RFC 3501 7.4.2, RFC 7162,
 * RFC 8474): anything else means the response is not what it seems, as
 * when a literal was longer than announced. */
static bool fetch_item(const struct imap_tok *t)
{
	static const char *const items[] = {
		"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "BODY[]", "MODSEQ",
		"ENVELOPE", "BODYSTRUCTURE", "BODY", "RFC822", "RFC822.HEADER",
		"RFC822.TEXT", "EMAILID", "THREADID", "SAVEDATE", NULL
	};

	for (int i = 0; items[i]; i++)
		if (is(t, items[i]))
			return true;
	return false;
}

/* "* 4 FETCH (UID 9 INTERNALDATE "..." BODY[] {n}...)" */
static void on_fetch(void *arg, struct imap_lex *l, struct imap_tok t)
{
	struct drain *d = arg;
	struct imap_tok body = { T_END, NULL, 0 }, date = { T_END, NULL, 0 };
	uint32_t uid = 0, seq;
	struct buf q;

	if (!number(&t, &seq))
		return;
	t = imap_next(l);
	if (!is(&t, "FETCH"))
		return;
	if (imap_next(l).kind != T_LPAREN)
		fail(EX_PROTOCOL, "IMAP server sent a bad FETCH response");
	while ((t = imap_next(l)).kind == T_ATOM) {
		struct imap_tok v = imap_next(l);

		if (!fetch_item(&t))
			fail(EX_PROTOCOL, "IMAP server sent an unknown FETCH item: %.*s",
			     (int)(t.len > 60 ? 60 : t.len), t.p);
		if (is(&t, "UID") && !number(&v, &uid))
			break;
		if (is(&t, "BODY[]"))
			body = v;
		else if (is(&t, "INTERNALDATE"))
			date = v;
		if (!imap_skip_value(l, v))
			fail(EX_PROTOCOL, "IMAP server sent a bad FETCH response");
	}
	if (t.kind != T_RPAREN || imap_next(l).kind != T_END)
		fail(EX_PROTOCOL, "IMAP server sent a bad FETCH response");
	if (uid != d->want || body.kind == T_END)
		return;			/* a flag update, or not ours */
	if (body.kind == T_QUOTED) {
		buf_init(&q, d->m.size_max);
		if (!imap_unquote(&body, &q))
			fail(EX_PROTOCOL, "IMAP server sent a message over -m");
		print_message(q.p ? q.p : "", q.len, internaldate(&date));
		buf_free(&q);
	} else if (body.kind == T_LITERAL) {
		print_message(body.p, body.len, internaldate(&date));
	} else {
		return;			/* NIL: gone meanwhile */
	}
	d->got = true;
}

/* Standard output as a file: on disk before anything is deleted. */
static void sync_stdout(void)
{
	struct stat st;

	if (fflush(stdout) != 0 || ferror(stdout))
		fail(EX_IOERR, "writing to standard output failed: nothing deleted");
	if (fstat(1, &st) == 0 && S_ISREG(st.st_mode) && fsync(1) != 0)
		fail(EX_IOERR, "fsync of standard output: %s: nothing deleted", strerror(errno));
}

static int delete_printed(struct drain *d)
{
	char *set = uidset_format(&d->printed);

	if (imap_cmd(&d->m, NULL, NULL, "UID STORE %s +FLAGS.SILENT (\\Deleted)", set) != 'O')
		fail(EX_UNAVAILABLE, "UID STORE refused: %.200s", d->m.r.text.p);
	if (d->m.uidplus) {
		if (imap_cmd(&d->m, NULL, NULL, "UID EXPUNGE %s", set) != 'O')
			fail(EX_UNAVAILABLE, "UID EXPUNGE refused: %.200s", d->m.r.text.p);
	} else {
		/* No UIDPLUS: EXPUNGE only when nothing else is marked \Deleted. */
		if (imap_cmd(&d->m, on_search, &d->deleted, "UID SEARCH DELETED") != 'O')
			fail(EX_UNAVAILABLE, "UID SEARCH refused: %.200s", d->m.r.text.p);
		if (!uidset_subset(&d->deleted, &d->printed)) {
			warn("no UIDPLUS and other messages are marked \\Deleted: "
			     "printed messages left marked \\Deleted, not expunged");
			free(set);
			return EX_TEMPFAIL;
		}
		if (imap_cmd(&d->m, NULL, NULL, "EXPUNGE") != 'O')
			fail(EX_UNAVAILABLE, "EXPUNGE refused: %.200s", d->m.r.text.p);
	}
	free(set);
	return EX_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COPTS_LONG,
		{ "folder", required_argument, NULL, 'M' },
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	static struct drain d;
	char qfolder[2 * 1024 + 3];
	const char *folder = "INBOX", *user, *host = "localhost";
	struct endpoint ep;
	struct copts o;
	bool keep = false;
	int ch, status = EX_OK;

	progname = "imapdrain";
	copts_init(&o, "IMAPDRAIN_PASSWORD");
	while ((ch = getopt_long(argc, argv, COPTS_SHORT "M:k", longopts, NULL)) != -1) {
		if (copts_flag(&o, ch, optarg))
			continue;
		if (ch == 'M')
			folder = optarg;
		else if (ch == 'k')
			keep = true;
		else
			usage(usage_text);
	}
	if (optind != argc || strlen(folder) > 1024)
		usage(usage_text);
	if (o.server && endpoint_parse(o.server, "143", &ep))
		host = ep.host;
	user = secret_user(o.user, host);
	imap_quote(folder, qfolder, sizeof qfolder);
	imap_open(&d.m, &o);
	imap_login(&d.m, user, d.m.preauth ? "" : secret_password(o.passfile, o.passenv, host, user));
	if (imap_cmd(&d.m, NULL, NULL, "%s %s", keep ? "EXAMINE" : "SELECT", qfolder) != 'O')
		fail(EX_UNAVAILABLE, "cannot open %s: %.200s", folder, d.m.r.text.p);
	uidset_init(&d.unseen, o.lines_max);
	uidset_init(&d.printed, o.lines_max);
	uidset_init(&d.deleted, o.lines_max);
	if (imap_cmd(&d.m, on_search, &d.unseen, "UID SEARCH UNSEEN") != 'O')
		fail(EX_UNAVAILABLE, "UID SEARCH refused: %.200s", d.m.r.text.p);
	for (size_t i = 0; i < d.unseen.n; i++) {
		d.want = d.unseen.v[i];
		d.got = false;
		if (imap_cmd(&d.m, on_fetch, &d, "UID FETCH %u (UID INTERNALDATE BODY.PEEK[])",
			     d.want) != 'O')
			fail(EX_UNAVAILABLE, "UID FETCH refused: %.200s", d.m.r.text.p);
		if (d.got)
			uidset_add(&d.printed, d.want);
	}
	sync_stdout();
	if (!keep && d.printed.n > 0)
		status = delete_printed(&d);
	imap_logout(&d.m);
	return status;
}
