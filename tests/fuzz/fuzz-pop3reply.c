/* The clients' POP3 readers (clients/pop3reply.h) over a server's bytes:
 * a status line, then data through "." as RETR and LIST read it.  What
 * comes out is whole lines, each dot-unstuffed, never more bytes than the
 * bound; a listing line that is accepted has a number and a value of
 * printable ASCII within its bound.
 *
 * Input: line bound selector (1), size bound selector (2), then the
 * server's bytes. */
#include "fuzz.h"

#include "pop3reply.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int collect(void *arg, const char *p, size_t n)
{
	struct fz_buf *b = arg;
	char value[UIDL_MAX + 1];
	uint32_t num;

	FZ_CHECK(n >= 1 && p[n - 1] == '\n', "a line without its LF");
	if (pop3_list_line(p, n - 1, &num, value, UIDL_MAX)) {
		FZ_CHECK(num >= 1, "message number 0");
		FZ_CHECK(strlen(value) >= 1 && strlen(value) <= UIDL_MAX, "value length");
		for (const char *v = value; *v; v++)
			FZ_CHECK(*v > 0x20 && *v < 0x7f, "value byte %02x", (unsigned char)*v);
	}
	fz_buf_add(b, p, n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct fz_buf out = { 0 };
	struct copts o;
	struct conn c;
	uint64_t max;
	size_t n;
	const uint8_t *p;
	int fd;

	copts_init(&o, NULL);
	o.line_max = 16 + fz_u8(&f) * 4;
	o.lines_max = 50;
	max = fz_u16(&f);
	p = fz_take(&f, size, &n);
	fd = fz_memfd("pop3");
	fz_fd_set(fd, p, n);
	conn_init_fd(&c, fd, &o, "POP3 server");
	while (conn_getline(&c) == C_OK) {
		enum cst st;

		if (pop3_status(c.line, c.len) != 1)
			continue;
		out.len = 0;
		st = pop3_read_data(&c, collect, &out, max, c.len % 2 == 0);
		FZ_CHECK(out.len <= max, "%zu bytes over the bound %llu", out.len,
			 (unsigned long long)max);
		if (st != C_OK)
			break;
	}
	fz_buf_free(&out);
	free(c.line);
	close(fd);
	return 0;
}
