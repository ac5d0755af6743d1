#include "smtpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "secret.h"
#include "sasl.h"
#include "climits.h"

static int reply(struct smtp *s)
{
	conn_need(&s->c, smtp_read_reply(&s->c, &s->r));
	return s->r.code;
}

void smtp_open(struct smtp *s, const struct copts *o, const char *helo)
{
	memset(s, 0, sizeof *s);
	conn_open(&s->c, o, "25", "SMTP server");
	if (reply(s) != 220)
		fail(smtp_status(s->r.code, false) ? smtp_status(s->r.code, false)
			: EX_PROTOCOL, "SMTP server refused the connection: %s", s->r.text);
	conn_send(&s->c, "EHLO %s", helo);
	if (reply(s) == 250) {
		s->ehlo = s->r.ehlo;
		return;
	}
	if (s->r.code != 500 && s->r.code != 502)
		fail(smtp_status(s->r.code, false), "EHLO refused: %s", s->r.text);
	conn_send(&s->c, "HELO %s", helo);
	if (reply(s) != 250)
		fail(smtp_status(s->r.code, false), "HELO refused: %s", s->r.text);
}

static void auth_refused(struct smtp *s)
{
	fail(s->r.code >= 500 ? EX_NOPERM : EX_TEMPFAIL, "AUTH refused: %s", s->r.text);
}

void smtp_auth(struct smtp *s, const char *user, const char *pass)
{
	char b64[PASSWORD_MAX * 3];

	if (s->ehlo.auth_plain) {
		sasl_plain_response(user, pass, b64, sizeof b64);
		conn_send_masked(&s->c, "AUTH PLAIN ********", "AUTH PLAIN %s", b64);
	} else if (s->ehlo.auth_login) {
		conn_send(&s->c, "AUTH LOGIN");
		if (reply(s) != 334)
			auth_refused(s);
		if (!base64_encode(user, strlen(user), b64, sizeof b64))
			fail(EX_USAGE, "user name too long");
		conn_send(&s->c, "%s", b64);
		if (reply(s) != 334)
			auth_refused(s);
		if (!base64_encode(pass, strlen(pass), b64, sizeof b64))
			fail(EX_USAGE, "password too long");
		conn_send_masked(&s->c, "********", "%s", b64);
	} else {
		fail(EX_UNAVAILABLE, "SMTP server offers no AUTH PLAIN or LOGIN");
	}
	if (reply(s) != 235)
		auth_refused(s);
}

static bool has_8bit(const char *msg, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)msg[i] >= 0x80)
			return true;
	return false;
}

int smtp_mail(struct smtp *s, const char *from, const char *msg, size_t len)
{
	char params[64] = "";

	if (strpbrk(from, "\r\n<> "))
		fail(EX_USAGE, "bad sender address: %s", from);
	if (s->ehlo.size)
		snprintf(params, sizeof params, " SIZE=%zu", smtp_wire_size(msg, len));
	if (s->ehlo.eightbit && has_8bit(msg, len))
		strcat(params, " BODY=8BITMIME");
	conn_send(&s->c, "MAIL FROM:<%s>%s", from, params);
	return reply(s);
}

int smtp_rcpt(struct smtp *s, const char *to)
{
	if (strpbrk(to, "\r\n<> ") || !*to)
		fail(EX_USAGE, "bad recipient address: %s", to);
	conn_send(&s->c, "RCPT TO:<%s>", to);
	return reply(s);
}

static void trace_line(struct conn *c, const char *p, size_t n, bool stuffed)
{
	char *line;

	if (!c->verbose)
		return;
	if (!stuffed || !(line = malloc(n + 1))) {
		conn_trace(c, 'C', n ? p : "", n);
		if (n == 0)
			fputs("C: \n", stderr);
		return;
	}
	line[0] = '.';
	memcpy(line + 1, p, n);
	conn_trace(c, 'C', line, n + 1);
	free(line);
}

/* Wire form, in pieces: LF becomes CRLF (a CR already before it stays
 * one), a line starting with "." gets another. */
static size_t wire(const char *msg, size_t len, struct conn *c)
{
	size_t total = 0, i = 0;

	while (i < len) {
		const char *lf = memchr(msg + i, '\n', len - i);
		size_t end = lf ? (size_t)(lf - msg) : len, n = end - i;

		if (n > 0 && msg[end - 1] == '\r')
			n--;
		if (msg[i] == '.') {
			if (c)
				conn_write(c, ".", 1);
			total++;
		}
		if (c) {
			trace_line(c, msg + i, n, msg[i] == '.');
			conn_write(c, msg + i, n);
			conn_write(c, "\r\n", 2);
		}
		total += n + 2;
		i = end + 1;
	}
	return total;
}

size_t smtp_wire_size(const char *msg, size_t len)
{
	return wire(msg, len, NULL);
}

int smtp_data(struct smtp *s, const char *msg, size_t len)
{
	conn_send(&s->c, "DATA");
	if (reply(s) != 354)
		return s->r.code;
	wire(msg, len, &s->c);
	conn_write(&s->c, ".\r\n", 3);
	conn_trace(&s->c, 'C', ".", 1);
	conn_flush(&s->c);
	return reply(s);
}

void smtp_quit(struct smtp *s)
{
	conn_send(&s->c, "QUIT");
	/* The message is already accepted: a missing 221 changes nothing. */
	if (smtp_read_reply(&s->c, &s->r) != C_OK)
		warn("SMTP server did not answer QUIT");
	conn_close(&s->c);
}

int smtp_status(int code, bool rcpt)
{
	if (code < 400)
		return EX_OK;
	if (code < 500)
		return EX_TEMPFAIL;
	return rcpt ? EX_NOUSER : EX_UNAVAILABLE;
}
