/* POP3's numeric arguments (pop3d/msgnum.h): message numbers (RETR, DELE,
 * LIST, UIDL, TOP) and TOP's line count, against RFC 1939's grammar
 * (1*DIGIT) read here with decimal strings, never with arithmetic that
 * could wrap.
 *
 * A message number is accepted only when the argument is all digits and
 * its value, leading zeros aside, is in [1, nmsgs]: its decimal text is
 * then the argument's.  A refusal says why: no argument; a byte that is
 * not a digit; or a number out of range, which is also what the digits
 * before a bad byte are once they pass nmsgs ("99x" with 2 messages, as
 * pop3d has always answered).  A line count is accepted exactly when the
 * argument is all digits; it is exact up to 10^18, and a larger one stays
 * at least that and never becomes UINT64_MAX (which means "all of it").
 *
 * Input: the number of messages (1 byte below 0xf0; else 4 more bytes),
 * then arguments, one a line. */
#include "fuzz.h"

#include "msgnum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EXACT_DIGITS 18		/* line counts below 10^18 are kept exactly */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compare two runs of digits without leading zeros as numbers. */
static int cmp_dec(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return an < bn ? -1 : 1;
	return memcmp(a, b, an);
}

static size_t zeros(const char *s, size_t n)
{
	size_t z = 0;

	while (z < n && s[z] == '0')
		z++;
	return z;
}

/* What msgnum_parse() must answer, by the grammar. */
static enum msgnum_status model_msgnum(const char *arg, uint32_t nmsgs)
{
	char max[16];
	size_t len = strlen(arg), d = 0, z, ml = (size_t)snprintf(max, sizeof max, "%u", nmsgs);

	if (nmsgs == 0)
		ml = 0;		/* no digits: every nz-number is above it */
	if (len == 0)
		return MSGNUM_EMPTY;
	while (d < len && digit(arg[d]))
		d++;
	/* the digits read before the number passes nmsgs, if it does */
	z = zeros(arg, d);
	for (size_t k = z + 1; k <= d && k - z <= ml + 1; k++)
		if (cmp_dec(arg + z, k - z, max, ml) > 0)
			return MSGNUM_RANGE;
	if (d < len)
		return MSGNUM_SYNTAX;
	return zeros(arg, len) == len ? MSGNUM_RANGE : MSGNUM_OK;
}

static void check_msgnum(const char *arg, uint32_t nmsgs)
{
	enum msgnum_status want = model_msgnum(arg, nmsgs), got;
	uint32_t n = 0;
	char text[16];
	size_t z;

	got = msgnum_parse(arg, nmsgs, &n);
	FZ_CHECK(got == want, "msgnum_parse('%s', %u) = %d, not %d", arg, nmsgs, got, want);
	if (got != MSGNUM_OK)
		return;
	z = zeros(arg, strlen(arg));
	snprintf(text, sizeof text, "%u", n);
	FZ_CHECK(n >= 1 && n <= nmsgs && strcmp(text, arg + z) == 0,
		 "msgnum_parse('%s') gave %u of %u", arg, n, nmsgs);
}

static void check_lines(const char *arg)
{
	size_t len = strlen(arg), d = 0, z;
	uint64_t got = 0, want = 0;
	bool ok = msgnum_lines(arg, &got);

	while (d < len && digit(arg[d]))
		d++;
	FZ_CHECK(ok == (len > 0 && d == len), "msgnum_lines('%s') %s it", arg,
		 ok ? "took" : "refused");
	if (!ok)
		return;
	z = zeros(arg, len);
	if (len - z <= EXACT_DIGITS) {
		for (size_t i = z; i < len; i++)
			want = want * 10 + (uint64_t)(arg[i] - '0');
		FZ_CHECK(got == want, "msgnum_lines('%s') = %llu", arg, (unsigned long long)got);
	} else {
		FZ_CHECK(got >= 1000000000000000000ull && got != UINT64_MAX,
			 "msgnum_lines('%s') = %llu for a huge count", arg,
			 (unsigned long long)got);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	uint8_t sel = fz_u8(&f);
	uint32_t nmsgs = sel < 0xf0 ? sel : fz_u32(&f);
	char *arg = malloc(f.n + 1);
	const char *p = (const char *)f.p, *end = p + f.n;

	if (!arg)
		return 0;
	while (p < end) {
		const char *lf = memchr(p, '\n', (size_t)(end - p));
		size_t n = lf ? (size_t)(lf - p) : (size_t)(end - p);

		/* as the session hands it over: a C string, the CR gone */
		memcpy(arg, p, n);
		arg[n] = '\0';
		if (n > 0 && arg[n - 1] == '\r')
			arg[n - 1] = '\0';
		check_msgnum(arg, nmsgs);
		check_lines(arg);
		p += n + 1;
	}
	free(arg);
	return 0;
}
