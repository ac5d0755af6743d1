#include "hdrrcpt.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "address.h"

int hdr_address_list(const char *v, size_t len, char (*out)[HDR_ADDR_MAX + 1],
		     size_t *n)
{
	struct msg_addr_list l;
	int rc = 0;

	memset(&l, 0, sizeof l);
	if (msg_addr_list_parse(v, len, &l) != 0)
		rc = -1;
	for (size_t i = 0; i < l.n && rc == 0; i++) {
		if (l.v[i].kind != MSG_ADDR_MAILBOX || l.v[i].nmailbox == 0)
			continue;		/* a group's name or end */
		if (*n >= HDR_RCPT_MAX ||
		    msg_addr_spec(&l.v[i], out[*n], HDR_ADDR_MAX + 1) == 0)
			rc = -1;
		else
			(*n)++;
	}
	msg_addr_list_free(&l);
	return rc;
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
