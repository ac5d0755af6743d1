#include "proxyproto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v2sig[12] = "\r\n\r\n\0\r\nQUIT\n";
static const char v1sig[6] = "PROXY ";

/* ---- version 1: "PROXY TCP4|TCP6|UNKNOWN src dst sport dport\r\n" */

/* A port: decimal in [0, 65535], no leading zero. */
static bool v1_port(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;

	if (n == 0 || n > 5 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return v <= 65535;
}

/* An address in the family's canonical form: dotted quads without leading
 * zeros (inet_ntop writes them back the same), or hex groups and colons,
 * ending in a dotted quad for an IPv4-mapped one ("::ffff:192.0.2.1", which
 * is also how inet_ntop writes "::ffff:c000:201" back). */
static bool v1_addr(const char *s, size_t n, int af, char *out)
{
	unsigned char bin[sizeof(struct in6_addr)];
	char text[PROXY_ADDR_MAX], back[PROXY_ADDR_MAX];

	if (n == 0 || n >= sizeof text)
		return false;
	memcpy(text, s, n);
	text[n] = '\0';
	if (strspn(text, af == AF_INET ? "0123456789." : "0123456789abcdefABCDEF:.") != n ||
	    inet_pton(af, text, bin) != 1 || !inet_ntop(af, bin, back, sizeof back))
		return false;
	if (af == AF_INET && strcmp(back, text) != 0)
		return false;
	memcpy(out, back, strlen(back) + 1);
	return true;
}

/* The next space-separated field of line[*pos..end); exactly one space
 * before it.  Returns its length, 0 if there is none. */
static size_t v1_field(const char *line, size_t end, size_t *pos, const char **f)
{
	size_t i = *pos, start;

	if (i >= end || line[i] != ' ')
		return 0;
	start = ++i;
	while (i < end && line[i] != ' ')
		i++;
	*f = line + start;
	*pos = i;
	return i - start;
}

static enum proxy_status v1_line(const char *line, size_t end, struct proxy_header *h)
{
	const char *f[5];
	size_t n[5], pos = 5;
	int af;

	n[0] = v1_field(line, end, &pos, &f[0]);
	if (n[0] == 7 && memcmp(f[0], "UNKNOWN", 7) == 0) {
		h->local = true;	/* the rest of the line is ignored (2.1) */
		return PROXY_OK;
	}
	if (n[0] != 4 || (memcmp(f[0], "TCP4", 4) != 0 && memcmp(f[0], "TCP6", 4) != 0))
		return PROXY_BAD;
	af = f[0][3] == '4' ? AF_INET : AF_INET6;
	for (int k = 1; k < 5; k++)
		if ((n[k] = v1_field(line, end, &pos, &f[k])) == 0)
			return PROXY_BAD;
	if (pos != end || !v1_addr(f[1], n[1], af, h->src) ||
	    !v1_addr(f[2], n[2], af, h->dst) || !v1_port(f[3], n[3], &h->sport) ||
	    !v1_port(f[4], n[4], &h->dport))
		return PROXY_BAD;
	return PROXY_OK;
}

static enum proxy_status parse_v1(const unsigned char *buf, size_t len,
				  struct proxy_header *h, size_t *want)
{
	const char *s = (const char *)buf;
	size_t lim = len < PROXY_V1_MAX ? len : PROXY_V1_MAX;

	for (size_t i = 0; i < lim; i++) {
		if (s[i] == '\n')
			return PROXY_BAD;	/* a bare LF ends nothing (2.1) */
		if (s[i] != '\r')
			continue;
		if (i + 1 >= lim)
			break;
		if (s[i + 1] != '\n')
			return PROXY_BAD;	/* nor does a bare CR */
		h->version = 1;
		h->len = i + 2;
		return v1_line(s, i, h);
	}
	if (len >= PROXY_V1_MAX)
		return PROXY_TOOLONG;
	*want = len + 1;
	return PROXY_MORE;
}

/* ---- version 2: the signature, then ver/cmd, family/transport, length */

static void v2_inet(const unsigned char *a, int af, struct proxy_header *h)
{
	size_t alen = af == AF_INET ? 4 : 16;

	inet_ntop(af, a, h->src, sizeof h->src);
	inet_ntop(af, a + alen, h->dst, sizeof h->dst);
	h->sport = (unsigned)(a[2 * alen] << 8 | a[2 * alen + 1]);
	h->dport = (unsigned)(a[2 * alen + 2] << 8 | a[2 * alen + 3]);
}

#define PP2_TYPE_SSL   0x20
#define PP2_CLIENT_SSL 0x01

/* The TLVs after the address block, tlv[0..n): each a type, a 16-bit
 * length and that many bytes, which must tile the block exactly.  Only
 * PP2_TYPE_SSL is read (its first byte is the client field); the others
 * are skipped as the spec asks (2.2.7). */
static bool v2_tlvs(const unsigned char *tlv, size_t n, struct proxy_header *h)
{
	size_t i = 0;

	while (i < n) {
		size_t vlen;

		if (n - i < 3)
			return false;
		vlen = (size_t)tlv[i + 1] << 8 | tlv[i + 2];
		if (vlen > n - i - 3)
			return false;
		if (tlv[i] == PP2_TYPE_SSL && vlen >= 5 && (tlv[i + 3] & PP2_CLIENT_SSL))
			h->tls = true;
		i += 3 + vlen;
	}
	return true;
}

static enum proxy_status parse_v2(const unsigned char *buf, size_t len,
				  struct proxy_header *h, size_t *want)
{
	unsigned cmd, fam, proto;
	size_t body, need;

	if (len < PROXY_V2_HEAD) {
		*want = PROXY_V2_HEAD;
		return PROXY_MORE;
	}
	cmd = buf[12] & 0x0f;
	fam = buf[13] >> 4;
	proto = buf[13] & 0x0f;
	body = (size_t)buf[14] << 8 | buf[15];
	if ((buf[12] >> 4) != 2 || cmd > 1 || fam > 3 || proto > 2)
		return PROXY_BAD;	/* unassigned values are refused (2.2) */
	if (len < PROXY_V2_HEAD + body) {
		*want = PROXY_V2_HEAD + body;
		return PROXY_MORE;
	}
	h->version = 2;
	h->len = PROXY_V2_HEAD + body;
	/* Whatever the command, the address block must be whole. */
	need = fam == 1 ? 12 : fam == 2 ? 36 : fam == 3 ? 216 : 0;
	if (body < need)
		return PROXY_BAD;
	/* LOCAL (a health check), UNSPEC, or a family with no IP: the
	 * connection's own endpoints stand (2.2). */
	h->local = cmd == 0 || fam == 0 || fam == 3 || proto == 0;
	if (h->local)
		return PROXY_OK;	/* nothing after the addresses matters */
	v2_inet(buf + PROXY_V2_HEAD, fam == 1 ? AF_INET : AF_INET6, h);
	if (!v2_tlvs(buf + PROXY_V2_HEAD + need, body - need, h))
		return PROXY_BAD;
	return PROXY_OK;
}

enum proxy_status proxy_parse(const unsigned char *buf, size_t len,
			      struct proxy_header *h, size_t *want)
{
	size_t n = len < sizeof v2sig ? len : sizeof v2sig;

	memset(h, 0, sizeof *h);
	*want = len + 1;
	if (len == 0)
		return PROXY_MORE;
	if (buf[0] == 'P') {
		n = len < sizeof v1sig ? len : sizeof v1sig;
		if (memcmp(buf, v1sig, n) != 0)
			return PROXY_BAD;
		if (len < sizeof v1sig) {
			*want = sizeof v1sig;
			return PROXY_MORE;
		}
		return parse_v1(buf, len, h, want);
	}
	if (memcmp(buf, v2sig, n) != 0)
		return PROXY_BAD;
	return parse_v2(buf, len, h, want);
}
