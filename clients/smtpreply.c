#include "smtpreply.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

int smtp_reply_line(const char *line, size_t len, int *code)
{
	if (len < 3 || !digit(line[0]) || !digit(line[1]) || !digit(line[2]))
		return -1;
	if (line[0] < '2' || line[0] > '5')
		return -1;
	*code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (len == 3 || line[3] == ' ')
		return 1;
	return line[3] == '-' ? 0 : -1;
}

static bool word_is(const char *p, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp(p, w, n) == 0;
}

void smtp_ehlo_keyword(const char *kw, size_t len, struct ehlo *e)
{
	size_t i = 0, n;
	bool first = true, auth = false, size = false;

	while (i < len) {
		while (i < len && kw[i] == ' ')
			i++;
		for (n = 0; i + n < len && kw[i + n] != ' '; n++)
			;
		if (n == 0)
			break;
		if (first) {
			auth = word_is(kw + i, n, "AUTH");
			size = word_is(kw + i, n, "SIZE");
			e->size |= size;
			e->eightbit |= word_is(kw + i, n, "8BITMIME");
		} else if (auth) {
			e->auth_plain |= word_is(kw + i, n, "PLAIN");
			e->auth_login |= word_is(kw + i, n, "LOGIN");
		} else if (size) {
			uint64_t v = 0;
			size_t k;

			for (k = 0; k < n && k < 18 && digit(kw[i + k]); k++)
				v = v * 10 + (uint64_t)(kw[i + k] - '0');
			if (k == n)
				e->size_max = v;
		}
		first = false;
		i += n;
	}
}

static void keep_text(struct smtp_reply *r, const char *line, size_t len)
{
	size_t have = strlen(r->text), room = sizeof r->text - have - 1;

	if (have && room > 3) {
		memcpy(r->text + have, " / ", 3);
		have += 3;
		room -= 3;
	}
	if (len > room)
		len = room;
	for (size_t i = 0; i < len; i++)
		r->text[have + i] = (line[i] >= 0x20 && line[i] != 0x7f) ? line[i] : '?';
	r->text[have + len] = '\0';
}

enum cst smtp_read_reply(struct conn *c, struct smtp_reply *r)
{
	int code, last;

	memset(r, 0, sizeof *r);
	for (;;) {
		enum cst st = conn_getline(c);

		if (st != C_OK)
			return st;
		if (++r->lines > c->lines_max)
			return C_TOOMANY;
		last = smtp_reply_line(c->line, c->len, &code);
		if (last < 0 || (r->code && code != r->code))
			return C_BAD;
		r->code = code;
		keep_text(r, c->line, c->len);
		if (c->len > 4)
			smtp_ehlo_keyword(c->line + 4, c->len - 4, &r->ehlo);
		if (last)
			return C_OK;
	}
}
