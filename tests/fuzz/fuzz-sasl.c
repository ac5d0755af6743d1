/* SASL decoding (sasl.h) against a plain model of RFC 4648 base64 (padding
 * required, no white space) and of RFC 4616 PLAIN (authzid NUL user NUL
 * pass, no proxy logins).  Also the round trip: any bytes, encoded, decode
 * back to themselves.
 *
 * Input: output size selector (1 byte), then the text; the text is used
 * both as a client's base64 and as the raw bytes of a PLAIN message. */
#include "fuzz.h"

#include "sasl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int model_value(unsigned char c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *at = c ? strchr(alphabet, c) : NULL;

	return at ? (int)(at - alphabet) : -1;
}

/* Decode into out (room for len / 4 * 3); -1 if not strict base64. */
static long model_decode(const char *s, size_t len, unsigned char *out)
{
	size_t o = 0, pad = 0;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad = len > 1 && s[len - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < len; i += 4) {
		unsigned long v = 0;

		for (size_t k = 0; k < 4; k++) {
			int d = i + k >= len - pad ? 0 : model_value((unsigned char)s[i + k]);
			if (d < 0)
				return -1;
			v = v << 6 | (unsigned long)d;
		}
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	return (long)(o - pad);
}

/* The RFC 4616 message in raw bytes: does the server accept it? */
static bool model_plain(const unsigned char *m, size_t n, const struct sasl_plain *got)
{
	const unsigned char *a = memchr(m, '\0', n), *b;
	size_t zlen, ulen, plen;

	if (!a || n < 2 || n > 3 * SASL_FIELD_MAX + 8)
		return false;
	b = memchr(a + 1, '\0', (size_t)(m + n - a - 1));
	if (!b || memchr(b + 1, '\0', (size_t)(m + n - b - 1)))
		return false;
	zlen = (size_t)(a - m);
	ulen = (size_t)(b - a - 1);
	plen = (size_t)(m + n - b - 1);
	if (ulen == 0 || zlen > SASL_FIELD_MAX || ulen > SASL_FIELD_MAX || plen > SASL_FIELD_MAX)
		return false;
	if (zlen && (zlen != ulen || memcmp(m, a + 1, ulen) != 0))
		return false;
	/* When accepted, the fields must be exactly these bytes. */
	if (got) {
		FZ_CHECK(got->user_len == ulen && memcmp(got->user, a + 1, ulen) == 0 &&
			 got->user[ulen] == '\0', "PLAIN: user field differs");
		FZ_CHECK(strlen(got->pass) == plen && memcmp(got->pass, b + 1, plen) == 0,
			 "PLAIN: password field differs");
		FZ_CHECK(strlen(got->authzid) == zlen && memcmp(got->authzid, m, zlen) == 0,
			 "PLAIN: authzid field differs");
	}
	return true;
}

static void check_plain(const char *b64, size_t len, const unsigned char *raw, long rawlen)
{
	struct sasl_plain sp;
	bool ok = sasl_plain_decode(b64, len, &sp);
	bool want = rawlen >= 0 && model_plain(raw, (size_t)rawlen, NULL);

	FZ_CHECK(ok == want, "sasl_plain_decode says %d, model %d", ok, want);
	if (ok)
		model_plain(raw, (size_t)rawlen, &sp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	size_t dstsz = fz_u8(&f), n;
	const char *s = (const char *)fz_take(&f, f.n, &n);
	unsigned char *want = malloc(n / 4 * 3 + 3);
	char *dst = malloc(dstsz ? dstsz : 1), *enc = malloc(n / 3 * 4 + 5);
	char *back = malloc(n + 1);
	long got, model;

	if (!want || !dst || !enc || !back)
		goto out;

	/* A client's base64, into a buffer of a fuzzed size (exactly that size,
	 * so a write past it is caught). */
	got = base64_decode(s, n, dst, dstsz);
	model = model_decode(s, n, want);
	if (model > (long)dstsz)
		model = -1;
	FZ_CHECK(got == model, "base64_decode gives %ld, model %ld", got, model);
	if (got > 0)
		fz_same("base64_decode", dst, (size_t)got, want, (size_t)got);
	check_plain(s, n, want, model_decode(s, n, want));

	/* Any bytes survive the round trip, and the encoding is canonical. */
	FZ_CHECK(base64_encode(s, n, enc, n / 3 * 4 + 5), "base64_encode refused room");
	FZ_CHECK(strlen(enc) == (n + 2) / 3 * 4, "encoded length");
	FZ_CHECK(!base64_encode(s, n, enc, (n + 2) / 3 * 4), "base64_encode overran its room");
	base64_encode(s, n, enc, n / 3 * 4 + 5);
	got = base64_decode(enc, strlen(enc), back, n);
	FZ_CHECK(got == (long)n, "round trip gives %ld bytes of %zu", got, n);
	fz_same("round trip", back, n, s, n);
	FZ_CHECK(n == 0 || base64_decode(enc, strlen(enc), back, n - 1) == -1,
		 "decoded into too small a buffer");

	/* The same bytes as a raw PLAIN message. */
	check_plain(enc, strlen(enc), (const unsigned char *)s, (long)n);
out:
	free(want);
	free(dst);
	free(enc);
	free(back);
	return 0;
}
