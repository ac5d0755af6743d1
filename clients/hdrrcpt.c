#include "hdrrcpt.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

struct acc {
	char text[HDR_ADDR_MAX + 1];	/* the bare address so far */
	size_t len;
	bool angle, angled, overflow;	/* inside <>, an <> was seen */
};

static void acc_add(struct acc *a, char ch)
{
	if (a->len < HDR_ADDR_MAX)
		a->text[a->len++] = ch;
	else
		a->overflow = true;
}

/* One address ends (at ',' or ';' or the end): keep it if it is one. */
static int acc_end(struct acc *a, char (*out)[HDR_ADDR_MAX + 1], size_t *n)
{
	char *s = a->text, *colon;
	int rc = 0;

	a->text[a->len] = '\0';
	if (a->angled && s[0] == '@' && (colon = strchr(s, ':')))
		s = colon + 1;			/* a source route */
	if (a->overflow)
		rc = -1;
	else if (*s && *n >= HDR_RCPT_MAX)
		rc = -1;
	else if (*s)
		strcpy(out[(*n)++], s);
	memset(a, 0, sizeof *a);
	return rc;
}

int hdr_address_list(const char *v, size_t len, char (*out)[HDR_ADDR_MAX + 1],
		     size_t *n)
{
	struct acc a;
	size_t depth = 0;

	memset(&a, 0, sizeof a);
	for (size_t i = 0; i < len; i++) {
		char ch = v[i];

		if (depth) {			/* a comment, perhaps nested */
			if (ch == '\\')
				i++;
			else
				depth += ch == '(' ? 1 : ch == ')' ? (size_t)-1 : 0;
		} else if (ch == '(') {
			depth = 1;
		} else if (ch == '"') {		/* a quoted local part or phrase */
			if (!a.angled || a.angle)
				acc_add(&a, ch);
			for (i++; i < len && v[i] != '"'; i++) {
				if (v[i] == '\\' && i + 1 < len)
					if (!a.angled || a.angle)
						acc_add(&a, v[i++]);
				if (!a.angled || a.angle)
					acc_add(&a, v[i]);
			}
			if (!a.angled || a.angle)
				acc_add(&a, '"');
		} else if (ch == '<' && !a.angle) {
			a.len = 0;		/* the phrase was a display name */
			a.angle = a.angled = true;
		} else if (ch == '>' && a.angle) {
			a.angle = false;
		} else if ((ch == ',' || ch == ';') && !a.angle) {
			if (acc_end(&a, out, n) != 0)
				return -1;
		} else if (ch == ':' && !a.angle) {
			a.len = 0;		/* a group's name */
		} else if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n' &&
			   (!a.angled || a.angle)) {
			acc_add(&a, ch);
		}
	}
	return acc_end(&a, out, n);
}

/* The length of the field starting at p (continuation lines included). */
static size_t field_len(const char *p, size_t left)
{
	size_t i = 0;

	for (;;) {
		const char *lf = memchr(p + i, '\n', left - i);

		if (!lf)
			return left;
		i = (size_t)(lf - p) + 1;
		if (i >= left || (p[i] != ' ' && p[i] != '\t'))
			return i;
	}
}

static bool named(const char *p, size_t flen, const char *name, size_t *vstart)
{
	size_t nl = strlen(name);

	if (flen <= nl || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
		return false;
	*vstart = nl + 1;
	return true;
}

int hdr_recipients(char *msg, size_t *len, char (*out)[HDR_ADDR_MAX + 1], size_t *n)
{
	size_t pos = 0;

	while (pos < *len && msg[pos] != '\n' &&
	       !(msg[pos] == '\r' && pos + 1 < *len && msg[pos + 1] == '\n')) {
		size_t flen = field_len(msg + pos, *len - pos), v;
		bool bcc = named(msg + pos, flen, "Bcc", &v);

		if ((bcc || named(msg + pos, flen, "To", &v) ||
		     named(msg + pos, flen, "Cc", &v)) &&
		    hdr_address_list(msg + pos + v, flen - v, out, n) != 0)
			return -1;
		if (bcc) {
			memmove(msg + pos, msg + pos + flen, *len - pos - flen);
			*len -= flen;
		} else {
			pos += flen;
		}
	}
	return 0;
}

const char *hdr_return_path(const char *m, size_t len, char *dst, size_t sz)
{
	const char *lf = memchr(m, '\n', len), *lt, *gt;
	size_t n = lf ? (size_t)(lf - m) : len;

	dst[0] = '\0';
	if (n > 12 && strncasecmp(m, "Return-Path:", 12) == 0 &&
	    (lt = memchr(m, '<', n)) && (gt = memchr(lt, '>', n - (size_t)(lt - m))) &&
	    (size_t)(gt - lt) < sz && !memchr(lt, ' ', (size_t)(gt - lt))) {
		memcpy(dst, lt + 1, (size_t)(gt - lt - 1));
		dst[gt - lt - 1] = '\0';
	}
	return dst;
}
