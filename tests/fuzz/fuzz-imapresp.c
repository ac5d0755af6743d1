/* The clients' IMAP response reader and tokenizer (clients/imapresp.h)
 * over a server's bytes: a response holds no more literals than the bound,
 * each no longer than the size bound; the tokenizer always ends, moves
 * forward, hands out each literal once with its exact length, and skipping
 * values never runs past the end.
 *
 * Input: line bound selector (1), size bound selector (2), then the
 * server's bytes. */
#include "fuzz.h"

#include "imapresp.h"

#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tokens(const struct imap_resp *r)
{
	struct imap_lex l;
	struct imap_tok t;
	int lits = 0;
	size_t steps = 0;

	imap_lex_init(&l, r);
	do {
		size_t before = l.pos;

		t = imap_next(&l);
		FZ_CHECK(t.kind == T_END || t.kind == T_BAD || l.pos > before, "no progress");
		if (t.kind == T_LITERAL) {
			/* imap_skip_value() below may have passed some: the
			 * lexer's own count says which literal this is */
			int k = l.next_lit - 1;

			FZ_CHECK(k >= lits && k < r->nlit, "literal %d after %d of %d", k, lits,
				 r->nlit);
			FZ_CHECK(t.len == r->lit[k].len, "literal length");
			lits = k + 1;
		}
		if (t.kind == T_LPAREN && steps % 3 == 0 && !imap_skip_value(&l, t))
			break;
		FZ_CHECK(++steps <= r->text.len + 1, "more tokens than bytes");
	} while (t.kind != T_END && t.kind != T_BAD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct imap_resp r;
	struct copts o;
	struct conn c;
	size_t n, max;
	const uint8_t *p;
	int fd;

	copts_init(&o, NULL);
	o.line_max = 16 + fz_u8(&f) * 4;
	max = fz_u16(&f);
	p = fz_take(&f, size, &n);
	fd = fz_memfd("imap");
	fz_fd_set(fd, p, n);
	conn_init_fd(&c, fd, &o, "IMAP server");
	imap_resp_init(&r);
	while (imap_read_resp(&c, &r, max) == C_OK) {
		FZ_CHECK(r.nlit <= IMAP_RESP_LITERALS_MAX, "%d literals", r.nlit);
		FZ_CHECK(r.text.len <= o.line_max, "text over the bound");
		for (int i = 0; i < r.nlit; i++)
			FZ_CHECK(r.lit[i].len <= max, "literal over the bound");
		tokens(&r);
	}
	imap_resp_free(&r);
	free(c.line);
	close(fd);
	return 0;
}
