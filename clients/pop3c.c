#include "pop3c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fail.h"
#include "secret.h"

/* Read a status line: 1 for +OK, 0 for -ERR; exit on anything else. */
static int status(struct pop3 *p)
{
	int st;

	conn_line(&p->c);
	st = pop3_status(p->c.line, p->c.len);
	if (st < 0)
		conn_need(&p->c, C_BAD);
	return st;
}

/* CAPA data: only "SASL ... PLAIN ..." matters. */
static int capa_line(void *arg, const char *s, size_t n)
{
	struct pop3 *p = arg;

	if (n > 5 && strncasecmp(s, "SASL ", 5) == 0) {
		for (size_t i = 5; i + 5 <= n; i++)
			if (strncasecmp(s + i, "PLAIN", 5) == 0 && s[i - 1] == ' ' &&
			    (i + 5 == n || s[i + 5] == ' ' || s[i + 5] == '\n'))
				p->sasl_plain = true;
	}
	return 0;
}

void pop3_open(struct pop3 *p, const struct copts *o)
{
	memset(p, 0, sizeof *p);
	p->size_max = o->size_max;
	conn_open(&p->c, o, "110", "POP3 server");
	if (status(p) != 1)
		fail(EX_UNAVAILABLE, "POP3 server refused the connection: %.200s", p->c.line);
	conn_send(&p->c, "CAPA");
	if (status(p) == 1)
		conn_need(&p->c, pop3_read_data(&p->c, capa_line, p, p->size_max, true));
}

static void login_failed(struct pop3 *p)
{
	fail(EX_NOPERM, "POP3 login refused: %.200s", p->c.line);
}

void pop3_login(struct pop3 *p, const char *user, const char *pass)
{
	char b64[PASSWORD_MAX * 3];

	if (strpbrk(user, "\r\n") || strpbrk(pass, "\r\n"))
		fail(EX_USAGE, "user or password holds a line break");
	if (p->sasl_plain) {
		sasl_plain_response(user, pass, b64, sizeof b64);
		conn_send_masked(&p->c, "AUTH PLAIN ********", "AUTH PLAIN %s", b64);
		if (status(p) != 1)
			login_failed(p);
		return;
	}
	conn_send(&p->c, "USER %s", user);
	if (status(p) != 1)
		login_failed(p);
	conn_send_masked(&p->c, "PASS ********", "PASS %s", pass);
	if (status(p) != 1)
		login_failed(p);
}

struct listing {
	struct pop3 *p;
	bool uidl;
};

static int list_line(void *arg, const char *s, size_t n)
{
	struct listing *l = arg;
	struct pop3 *p = l->p;
	char value[UIDL_MAX + 1];
	uint32_t num;
	struct pop3_msg *m;

	if (!pop3_list_line(s, n - 1, &num, value, UIDL_MAX))
		fail(EX_PROTOCOL, "POP3 server sent a bad listing line: %.*s", (int)(n - 1), s);
	if (l->uidl) {
		m = (struct pop3_msg *)pop3_find(p, num);
		if (!m)
			fail(EX_PROTOCOL, "POP3 server: UIDL of message %u not in LIST", num);
		strcpy(m->uidl, value);
		return 0;
	}
	if (strspn(value, "0123456789") != strlen(value) || strlen(value) > 18 ||
	    (p->n > 0 && num <= p->msgs[p->n - 1].num))
		fail(EX_PROTOCOL, "POP3 server sent a bad LIST line: %.*s", (int)(n - 1), s);
	m = realloc(p->msgs, (p->n + 1) * sizeof *m);
	if (!m)
		fail(EX_OSERR, "out of memory");
	p->msgs = m;
	m += p->n++;
	m->num = num;
	m->size = strtoull(value, NULL, 10);
	m->uidl[0] = '\0';
	return 0;
}

void pop3_list(struct pop3 *p, bool need_uidl)
{
	struct listing l = { p, false };

	conn_send(&p->c, "LIST");
	if (status(p) != 1)
		fail(EX_UNAVAILABLE, "POP3 LIST refused: %.200s", p->c.line);
	conn_need(&p->c, pop3_read_data(&p->c, list_line, &l, p->size_max, true));
	conn_send(&p->c, "UIDL");
	if (status(p) != 1) {
		if (need_uidl)
			fail(EX_UNAVAILABLE, "POP3 server has no UIDL: %.200s", p->c.line);
		return;
	}
	l.uidl = true;
	conn_need(&p->c, pop3_read_data(&p->c, list_line, &l, p->size_max, true));
	for (size_t i = 0; need_uidl && i < p->n; i++)
		if (!p->msgs[i].uidl[0])
			fail(EX_PROTOCOL, "POP3 server gave no UIDL for message %u",
			     p->msgs[i].num);
}

const struct pop3_msg *pop3_find(const struct pop3 *p, uint32_t num)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {		/* LIST was checked to be ascending */
		size_t mid = lo + (hi - lo) / 2;

		if (p->msgs[mid].num == num)
			return &p->msgs[mid];
		if (p->msgs[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool pop3_fetch(struct pop3 *p, uint32_t num, long lines, pop3_emit emit, void *arg)
{
	if (lines < 0)
		conn_send(&p->c, "RETR %u", num);
	else
		conn_send(&p->c, "TOP %u %ld", num, lines);
	if (status(p) != 1)
		return false;
	conn_need(&p->c, pop3_read_data(&p->c, emit, arg, p->size_max, false));
	return true;
}

bool pop3_dele(struct pop3 *p, uint32_t num)
{
	conn_send(&p->c, "DELE %u", num);
	return status(p) == 1;
}

void pop3_quit(struct pop3 *p)
{
	conn_send(&p->c, "QUIT");
	if (status(p) != 1)
		fail(EX_TEMPFAIL, "POP3 QUIT refused, nothing deleted: %.200s", p->c.line);
	conn_close(&p->c);
	free(p->msgs);
	p->msgs = NULL;
}
