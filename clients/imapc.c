#include "imapc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "climits.h"
#include "fail.h"
#include "secret.h"

static bool is(const struct imap_tok *t, const char *word)
{
	return t->kind == T_ATOM && t->len == strlen(word) && !strncasecmp(t->p, word, t->len);
}

/* Capabilities, from "* CAPABILITY ..." or a "[CAPABILITY ...]" code. */
static void capabilities(struct imap *m, const char *p, size_t n)
{
	size_t i = 0;

	m->caps_known = true;
	while (i < n) {
		size_t w = 0;

		while (i + w < n && p[i + w] != ' ' && p[i + w] != ']')
			w++;
		if (w == 7 && !strncasecmp(p + i, "UIDPLUS", 7))
			m->uidplus = true;
		if (w == 13 && !strncasecmp(p + i, "LOGINDISABLED", 13))
			m->logindisabled = true;
		if (w == 10 && !strncasecmp(p + i, "AUTH=PLAIN", 10))
			m->auth_plain = true;
		if (w == 7 && !strncasecmp(p + i, "SASL-IR", 7))
			m->sasl_ir = true;
		i += w + 1;
	}
}

static void read_resp(struct imap *m)
{
	enum cst st = imap_read_resp(&m->c, &m->r, m->size_max);
	const char *t;

	if (st == C_BAD && m->r.nlit == IMAP_RESP_LITERALS_MAX)
		fail(EX_PROTOCOL, "IMAP server sent more than %d literals in one response",
		     IMAP_RESP_LITERALS_MAX);
	conn_need(&m->c, st);
	t = m->r.text.p;
	if (m->r.text.len > 12 && !strncasecmp(t, "* CAPABILITY ", 13))
		capabilities(m, t + 13, m->r.text.len - 13);
	else if ((t = strstr(t, "[CAPABILITY ")) != NULL)
		capabilities(m, t + 12, m->r.text.len - (size_t)(t + 12 - m->r.text.p));
}

void imap_open(struct imap *m, const struct copts *o)
{
	memset(m, 0, sizeof *m);
	m->size_max = o->size_max;
	imap_resp_init(&m->r);
	conn_open(&m->c, o, "143", "IMAP server");
	read_resp(m);
	if (!strncasecmp(m->r.text.p, "* PREAUTH", 9))
		m->preauth = true;
	else if (strncasecmp(m->r.text.p, "* OK", 4) != 0)
		fail(EX_UNAVAILABLE, "IMAP server refused the connection: %.200s", m->r.text.p);
	/* Whether LOGIN is allowed is known only from the list (RFC 3501 6.2.3). */
	if (!m->caps_known && !m->preauth)
		imap_cmd(m, NULL, NULL, "CAPABILITY");
}

/* Sends line (written to the transcript as shown, when given), hands the
 * untagged responses to fn, and returns the tagged result.  A continuation
 * request is answered with secret (masked in the transcript) the first
 * time; any other is a protocol error. */
static char command(struct imap *m, imap_untagged fn, void *arg, const char *shown,
		    const char *line, const char *secret)
{
	char tag[16], masked[256];
	size_t tl = (size_t)snprintf(tag, sizeof tag, "a%u", ++m->tag);

	if (shown) {
		snprintf(masked, sizeof masked, "%s %s", tag, shown);
		conn_send_masked(&m->c, masked, "%s %s", tag, line);
	} else
		conn_send(&m->c, "%s %s", tag, line);
	for (long untagged = 0;; untagged++) {
		struct imap_lex l;
		struct imap_tok t;

		if (untagged > m->c.lines_max)
			conn_need(&m->c, C_TOOMANY);
		read_resp(m);
		imap_lex_init(&l, &m->r);
		t = imap_next(&l);
		if (t.kind == T_ATOM && t.len == tl && !memcmp(t.p, tag, tl)) {
			t = imap_next(&l);
			if (is(&t, "OK")) return 'O';
			if (is(&t, "NO")) return 'N';
			if (is(&t, "BAD")) return 'B';
			conn_need(&m->c, C_BAD);
		}
		if (t.kind == T_ATOM && t.len == 1 && t.p[0] == '+' && secret) {
			conn_send_masked(&m->c, "********", "%s", secret);
			secret = NULL;
			continue;
		}
		if (t.kind != T_ATOM || t.len != 1 || t.p[0] != '*')
			conn_need(&m->c, C_BAD);	/* a stray continuation or tag */
		t = imap_next(&l);
		if (is(&t, "BYE") && !m->logout)
			fail(EX_TEMPFAIL, "IMAP server said goodbye: %.200s", m->r.text.p);
		if (fn)
			fn(arg, &l, t);
	}
}

char imap_cmd(struct imap *m, imap_untagged fn, void *arg, const char *fmt, ...)
{
	va_list ap;
	char *line;
	char rc;

	va_start(ap, fmt);
	line = str_vprintf(fmt, ap);
	va_end(ap);
	rc = command(m, fn, arg, NULL, line, NULL);
	free(line);
	return rc;
}

const char *imap_quote(const char *s, char *dst, size_t dstsz)
{
	size_t o = 0;

	dst[o++] = '"';
	for (; *s; s++) {
		if (*s == '\r' || *s == '\n' || o + 4 > dstsz)
			fail(EX_USAGE, "cannot be sent as an IMAP string: too long or a line break");
		if (*s == '"' || *s == '\\')
			dst[o++] = '\\';
		dst[o++] = *s;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return dst;
}

void imap_login(struct imap *m, const char *user, const char *pass)
{
	char qu[2 * PASSWORD_MAX + 3], qp[2 * PASSWORD_MAX + 3], *line, *shown;
	char rc;

	if (m->preauth)
		return;
	if (m->logindisabled && m->auth_plain) {
		sasl_plain_response(user, pass, qp, sizeof qp);
		if (m->sasl_ir) {
			line = str_printf("AUTHENTICATE PLAIN %s", qp);
			rc = command(m, NULL, NULL, "AUTHENTICATE PLAIN ********", line, NULL);
		} else {
			line = str_printf("AUTHENTICATE PLAIN");
			rc = command(m, NULL, NULL, NULL, line, qp);
		}
	} else {
		imap_quote(user, qu, sizeof qu);
		imap_quote(pass, qp, sizeof qp);
		line = str_printf("LOGIN %s %s", qu, qp);
		shown = str_printf("LOGIN %.100s ********", qu);
		rc = command(m, NULL, NULL, shown, line, NULL);
		free(shown);
	}
	free(line);
	if (rc != 'O')
		fail(EX_NOPERM, "IMAP login refused: %.200s", m->r.text.p);
	m->uidplus = false;	/* what counts is the list after login */
	imap_cmd(m, NULL, NULL, "CAPABILITY");
}

void imap_logout(struct imap *m)
{
	m->logout = true;	/* the BYE is expected now */
	if (imap_cmd(m, NULL, NULL, "LOGOUT") != 'O')
		warn("IMAP LOGOUT refused: %.200s", m->r.text.p);
	imap_resp_free(&m->r);
	conn_close(&m->c);
}
