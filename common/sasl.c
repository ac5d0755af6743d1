#include "sasl.h"

#include <string.h>

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

long base64_decode(const char *src, size_t len, char *dst, size_t dstsz)
{
	size_t o = 0;

	if (len % 4 != 0)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		unsigned long bits;

		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)src[i + k];
			if (c == '=' && i + 4 == len && k >= 2) {
				pad++;
				v[k] = 0;
				continue;
			}
			if (pad || (v[k] = b64_value(c)) < 0)
				return -1;
		}
		bits = ((unsigned long)v[0] << 18) | ((unsigned long)v[1] << 12) |
		       ((unsigned long)v[2] << 6) | (unsigned long)v[3];
		if (o + 3 - (size_t)pad > dstsz)
			return -1;
		dst[o++] = (char)(bits >> 16);
		if (pad < 2)
			dst[o++] = (char)(bits >> 8);
		if (pad < 1)
			dst[o++] = (char)bits;
	}
	return (long)o;
}

bool base64_encode(const char *src, size_t len, char *dst, size_t dstsz)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	if ((len + 2) / 3 * 4 + 1 > dstsz)
		return false;
	for (size_t i = 0; i < len; i += 3) {
		unsigned long b = (unsigned long)(unsigned char)src[i] << 16;
		if (i + 1 < len) b |= (unsigned long)(unsigned char)src[i + 1] << 8;
		if (i + 2 < len) b |= (unsigned char)src[i + 2];
		dst[o++] = tab[b >> 18];
		dst[o++] = tab[(b >> 12) & 63];
		dst[o++] = i + 1 < len ? tab[(b >> 6) & 63] : '=';
		dst[o++] = i + 2 < len ? tab[b & 63] : '=';
	}
	dst[o] = '\0';
	return true;
}

/* Copy one NUL-free field; false if empty-not-allowed or too long. */
static bool take_field(const char *p, size_t n, char *dst, bool may_be_empty)
{
	if (n > SASL_FIELD_MAX || (n == 0 && !may_be_empty) || memchr(p, '\0', n))
		return false;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

bool sasl_plain_decode(const char *b64, size_t len, struct sasl_plain *out)
{
	char raw[3 * SASL_FIELD_MAX + 8];
	long n = base64_decode(b64, len, raw, sizeof raw);
	const char *nul1, *nul2;
	bool ok;

	memset(out, 0, sizeof *out);
	if (n < 2)
		return false;
	nul1 = memchr(raw, '\0', (size_t)n);
	nul2 = nul1 ? memchr(nul1 + 1, '\0', (size_t)(raw + n - nul1 - 1)) : NULL;
	if (!nul2)
		return false;
	ok = take_field(raw, (size_t)(nul1 - raw), out->authzid, true) &&
	     take_field(nul1 + 1, (size_t)(nul2 - nul1 - 1), out->user, false) &&
	     take_field(nul2 + 1, (size_t)(raw + n - nul2 - 1), out->pass, true);
	out->user_len = strlen(out->user);
	if (ok && out->authzid[0] && strcmp(out->authzid, out->user) != 0)
		ok = false;
	explicit_bzero(raw, sizeof raw);
	return ok;
}

bool sasl_plain_read(const char *resp, struct sasl_plain *out)
{
	if (strcmp(resp, "=") == 0)
		resp = "";
	return sasl_plain_decode(resp, strlen(resp), out);
}
