#include "addr.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool is_atext(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool is_ldh(unsigned char c)
{
	return isalnum(c) || c == '-';
}

/* Domain = sub-domain *("." sub-domain), or an address literal "[...]".
 * Returns bytes taken, 0 if none. */
static size_t scan_domain(const char *s, size_t len)
{
	size_t i = 0;

	if (len > 0 && s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			if (s[i] == '[' || s[i] == '\\' || s[i] <= ' ' || s[i] > '~')
				return 0;
		return i < len && i > 1 ? i + 1 : 0;
	}
	for (;;) {
		size_t start = i;

		if (i >= len || !isalnum((unsigned char)s[i]))
			return 0;
		while (i < len && is_ldh((unsigned char)s[i]))
			i++;
		if (s[i - 1] == '-' || i - start > 63)
			return 0;
		if (i < len && s[i] == '.' && i + 1 < len &&
		    isalnum((unsigned char)s[i + 1])) {
			i++;
			continue;
		}
		return i;
	}
}

/* A-d-l = "@" Domain *("," "@" Domain), followed by ":". */
static size_t scan_route(const char *s, size_t len)
{
	size_t i = 0;

	for (;;) {
		size_t d;

		if (i >= len || s[i] != '@')
			return 0;
		d = scan_domain(s + i + 1, len - i - 1);
		if (d == 0)
			return 0;
		i += 1 + d;
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		return i < len && s[i] == ':' ? i + 1 : 0;
	}
}

/* Local-part = Dot-string / Quoted-string; unquoted into out. */
static enum addr_status scan_local(const char *s, size_t len, struct smtp_path *p,
				   size_t *used)
{
	size_t i = 0, o = 0;

	if (len > 0 && s[0] == '"') {
		p->quoted = true;
		for (i = 1; i < len && s[i] != '"'; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\\') {
				if (++i >= len || s[i] < ' ' || s[i] > '~')
					return ADDR_SYNTAX;
				c = (unsigned char)s[i];
			} else if (c >= 0x80) {
				return ADDR_8BIT;
			} else if (c < ' ' || c > '~') {
				return ADDR_SYNTAX;
			}
			if (o >= LOCAL_PART_MAX)
				return ADDR_TOO_LONG;
			p->local[o++] = (char)c;
		}
		if (i >= len)
			return ADDR_SYNTAX;
		i++;
	} else {
		while (i < len && (is_atext((unsigned char)s[i]) || s[i] == '.')) {
			if (s[i] == '.' && (i == 0 || s[i - 1] == '.'))
				return ADDR_SYNTAX;
			if (o >= LOCAL_PART_MAX)
				return ADDR_TOO_LONG;
			p->local[o++] = s[i++];
		}
		if (i < len && (unsigned char)s[i] >= 0x80)
			return ADDR_8BIT;
		if (o == 0 || p->local[o - 1] == '.')
			return ADDR_SYNTAX;
	}
	if (i > LOCAL_PART_MAX + 2 || (!p->quoted && i > LOCAL_PART_MAX))
		return ADDR_TOO_LONG;
	p->local[o] = '\0';
	*used = i;
	return ADDR_OK;
}

enum addr_status addr_parse_path(const char *s, size_t len, struct smtp_path *p,
				 size_t *used)
{
	size_t i = 1, r, n, d, close;
	enum addr_status st;

	memset(p, 0, sizeof *p);
	if (len < 2 || s[0] != '<')
		return ADDR_SYNTAX;
	if (s[1] == '>') {
		p->null = true;
		*used = 2;
		return ADDR_OK;
	}
	close = 0;
	for (size_t k = 1; k < len && !close; k++)
		if (s[k] == '>')
			close = k;
	if (close > PATH_MAX_SMTP)
		return ADDR_TOO_LONG;
	r = scan_route(s + i, len - i);
	if (r) {
		p->routed = true;
		i += r;
	}
	st = scan_local(s + i, len - i, p, &n);
	if (st != ADDR_OK)
		return st;
	if (i + n >= len || s[i + n] != '@')
		return ADDR_SYNTAX;
	d = scan_domain(s + i + n + 1, len - i - n - 1);
	if (d == 0) {
		size_t k = i + n + 1;
		return k < len && (unsigned char)s[k] >= 0x80 ? ADDR_8BIT : ADDR_SYNTAX;
	}
	if (d > DOMAIN_MAX)
		return ADDR_TOO_LONG;
	memcpy(p->domain, s + i + n + 1, d);
	p->domain[d] = '\0';
	if (i + n + 1 + d >= len || s[i + n + 1 + d] != '>')
		return ADDR_SYNTAX;
	if (n + 1 + d > PATH_MAX_SMTP)
		return ADDR_TOO_LONG;
	memcpy(p->mailbox, s + i, n + 1 + d);
	p->mailbox[n + 1 + d] = '\0';
	*used = i + n + 1 + d + 1;
	return ADDR_OK;
}

int addr_next_param(const char *s, size_t len, size_t *pos,
		    const char **key, size_t *klen,
		    const char **val, size_t *vlen)
{
	size_t i = *pos, k;

	if (i >= len)
		return 0;
	if (s[i] != ' ')
		return -1;
	while (i < len && s[i] == ' ')
		i++;
	if (i >= len)
		return 0;
	k = i;
	if (!isalnum((unsigned char)s[i]))
		return -1;
	while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '-'))
		i++;
	*key = s + k;
	*klen = i - k;
	*val = s + i;
	*vlen = 0;
	if (i < len && s[i] == '=') {
		size_t v = ++i;
		while (i < len && s[i] > ' ' && s[i] <= '~' && s[i] != '=')
			i++;
		if (i == v)
			return -1;
		*val = s + v;
		*vlen = i - v;
	}
	if (i < len && s[i] != ' ')
		return -1;
	*pos = i;
	return 1;
}

void addr_from_token(const struct smtp_path *p, char *dst, size_t dstsz)
{
	size_t o = 0;

	if (p->null || dstsz < 2) {
		snprintf(dst, dstsz, "%s", "MAILER-DAEMON");
		return;
	}
	for (const char *c = p->mailbox; *c && o + 1 < dstsz; c++)
		dst[o++] = (*c > ' ' && *c <= '~' && *c != '"') ? *c : '_';
	dst[o] = '\0';
}
