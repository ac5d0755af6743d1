#include "imapout.h"
#include "lineio.h"

#include <string.h>

bool imap_quotable(const char *s, size_t n)
{
	if (n > IMAP_QUOTED_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || c == '\r' || c == '\n' || c >= 0x80)
			return false;
	}
	return true;
}

bool imap_atomic(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!imap_astring_char((unsigned char)s[i]))
			return false;
	return true;
}

static void write_quoted(struct lout *out, const char *s, size_t n)
{
	size_t run = 0;

	lout_write(out, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		lout_write(out, s + run, i - run);
		lout_write(out, "\\", 1);
		run = i;		/* the special itself goes with the next run */
	}
	lout_write(out, s + run, n - run);
	lout_write(out, "\"", 1);
}

static void write_literal(struct lout *out, const char *s, size_t n)
{
	const char *nul;

	lout_printf(out, "{%zu}\r\n", n);
	while (n > 0 && (nul = memchr(s, '\0', n)) != NULL) {
		size_t k = (size_t)(nul - s);

		lout_write(out, s, k);
		lout_write(out, " ", 1);
		s += k + 1;
		n -= k + 1;
	}
	lout_write(out, s, n);
}

void imap_write_string(struct lout *out, const char *s, size_t n)
{
	if (imap_quotable(s, n))
		write_quoted(out, s, n);
	else
		write_literal(out, s, n);
}

void imap_write_nstring(struct lout *out, const char *s, size_t n)
{
	if (!s)
		lout_write(out, "NIL", 3);
	else
		imap_write_string(out, s, n);
}

void imap_write_astring(struct lout *out, const char *s, size_t n)
{
	if (imap_atomic(s, n))
		lout_write(out, s, n);
	else
		imap_write_string(out, s, n);
}

void imap_write_nstr(struct lout *out, const char *s)
{
	imap_write_nstring(out, s, s ? strlen(s) : 0);
}
