/* The PROXY protocol parser (common/proxyproto.h), fed as the reader feeds
 * it: starting from nothing, the buffer grows to exactly the size the
 * parser asks for next.  Properties:
 *   - a request for more always asks for more than it has;
 *   - a whole header is exactly the bytes read: the reader never takes a
 *     byte of the protocol after it;
 *   - the verdict does not change when more bytes follow (the session's
 *     first bytes cannot turn a good header bad or a bad one good);
 *   - a v1 line is longer than 107 bytes only when refused as too long;
 *   - only a v2 header naming addresses can report TLS (an SSL TLV);
 *   - an accepted header says what its bytes say: a v1 line written back
 *     from the result parses to the same result (and TCP4 lines, canonical
 *     by rule, come back byte for byte); a v2 block's address bytes are the
 *     addresses reported.
 * Input: the client's bytes as they are. */
#include "fuzz.h"

#include "proxyproto.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_header(const struct proxy_header *a, const struct proxy_header *b)
{
	return a->version == b->version && a->local == b->local && a->len == b->len &&
	       strcmp(a->src, b->src) == 0 && strcmp(a->dst, b->dst) == 0 &&
	       a->sport == b->sport && a->dport == b->dport;
}

static void check_v1(const uint8_t *data, const struct proxy_header *h)
{
	struct proxy_header again;
	char line[PROXY_V1_MAX + 64];
	bool six = strchr(h->src, ':') != NULL;
	size_t want;
	int n;

	FZ_CHECK(h->len <= PROXY_V1_MAX, "v1 header of %zu bytes", h->len);
	FZ_CHECK(!h->tls, "a v1 header reports TLS");
	if (h->local)
		return;
	n = snprintf(line, sizeof line, "PROXY TCP%c %s %s %u %u\r\n", six ? '6' : '4',
		     h->src, h->dst, h->sport, h->dport);
	FZ_CHECK(proxy_parse((const uint8_t *)line, (size_t)n, &again, &want) == PROXY_OK &&
		 again.sport == h->sport && strcmp(again.src, h->src) == 0 &&
		 strcmp(again.dst, h->dst) == 0 && again.dport == h->dport,
		 "v1 result written back does not parse to itself: %s", line);
	if (!six)
		fz_same("TCP4 line", line, (size_t)n, data, h->len);
}

static void check_v2(const uint8_t *data, const struct proxy_header *h)
{
	unsigned char a[16];
	int af = (data[13] >> 4) == 1 ? AF_INET : AF_INET6;
	size_t alen = af == AF_INET ? 4 : 16;

	FZ_CHECK(h->len == PROXY_V2_HEAD + ((size_t)data[14] << 8 | data[15]),
		 "v2 length %zu is not the announced one", h->len);
	FZ_CHECK(!h->local || !h->tls, "a LOCAL header reports TLS");
	if (h->local)
		return;
	FZ_CHECK(!h->tls || memchr(data + 16 + 2 * alen + 4, 0x20, h->len - 16 - 2 * alen - 4),
		 "TLS reported without an SSL TLV");
	FZ_CHECK(inet_pton(af, h->src, a) == 1 && memcmp(a, data + 16, alen) == 0,
		 "v2 source %s is not the block's", h->src);
	FZ_CHECK(inet_pton(af, h->dst, a) == 1 && memcmp(a, data + 16 + alen, alen) == 0,
		 "v2 destination %s is not the block's", h->dst);
	FZ_CHECK(h->sport == (unsigned)(data[16 + 2 * alen] << 8 | data[17 + 2 * alen]),
		 "v2 source port");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_header h, whole;
	enum proxy_status st, st_whole;
	size_t have = 0, want = 0, w2;

	for (;;) {
		st = proxy_parse(data, have, &h, &want);
		if (st != PROXY_MORE)
			break;
		FZ_CHECK(want > have, "asked for %zu bytes with %zu", want, have);
		FZ_CHECK(want <= PROXY_V2_MAX, "asked for %zu bytes", want);
		if (want > size)
			return 0;	/* the input ends inside a header */
		have = want;
	}
	st_whole = proxy_parse(data, size, &whole, &w2);
	FZ_CHECK(st_whole == st, "verdict %d after %zu bytes, %d after %zu", st, have,
		 st_whole, size);
	if (st == PROXY_TOOLONG)
		FZ_CHECK(have >= PROXY_V1_MAX && data[0] == 'P', "too long at %zu bytes", have);
	if (st != PROXY_OK)
		return 0;
	FZ_CHECK(h.len == have, "header of %zu bytes after reading %zu", h.len, have);
	FZ_CHECK(same_header(&h, &whole), "the bytes after the header changed it");
	if (h.version == 1)
		check_v1(data, &h);
	else
		check_v2(data, &h);
	return 0;
}
