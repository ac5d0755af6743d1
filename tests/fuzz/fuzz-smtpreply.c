/* The clients' SMTP reply reader (clients/smtpreply.h) over a server's
 * bytes: every reply it accepts has one code from 200 to 599 on all its
 * lines, no more lines than the bound, and its kept text fits; it never
 * reads past a bound, and the EHLO keywords are read without overrun.
 *
 * Input: line bound selector (1), lines bound selector (1), then the
 * server's bytes. */
#include "fuzz.h"

#include "smtpreply.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { data, size };
	struct copts o;
	struct conn c;
	struct smtp_reply r;
	size_t n;
	const uint8_t *p;
	int fd;

	copts_init(&o, NULL);
	o.line_max = 16 + fz_u8(&f) * 4;
	o.lines_max = 1 + fz_u8(&f) % 64;
	p = fz_take(&f, size, &n);
	fd = fz_memfd("smtp");
	fz_fd_set(fd, p, n);
	conn_init_fd(&c, fd, &o, "SMTP server");
	while (smtp_read_reply(&c, &r) == C_OK) {
		FZ_CHECK(r.code >= 200 && r.code <= 599, "code %d", r.code);
		FZ_CHECK(r.lines >= 1 && r.lines <= o.lines_max, "%ld lines", r.lines);
		FZ_CHECK(strlen(r.text) < sizeof r.text, "text");
	}
	free(c.line);
	close(fd);
	return 0;
}
