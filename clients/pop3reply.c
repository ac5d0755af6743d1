#include "pop3reply.h"

#include <string.h>

int pop3_status(const char *line, size_t len)
{
	if (len >= 3 && memcmp(line, "+OK", 3) == 0 && (len == 3 || line[3] == ' '))
		return 1;
	if (len >= 4 && memcmp(line, "-ERR", 4) == 0 && (len == 4 || line[4] == ' '))
		return 0;
	return -1;
}

bool pop3_data_line(const char *line, size_t len, const char **out, size_t *outlen)
{
	if (len == 1 && line[0] == '.')
		return true;
	if (len > 0 && line[0] == '.') {
		line++;
		len--;
	}
	*out = line;
	*outlen = len;
	return false;
}

bool pop3_list_line(const char *line, size_t len, uint32_t *num, char *value,
		    size_t vmax)
{
	size_t i = 0, v;
	uint64_t n = 0;

	while (i < len && line[i] >= '0' && line[i] <= '9' && i < 10)
		n = n * 10 + (uint64_t)(line[i++] - '0');
	if (i == 0 || n == 0 || n > UINT32_MAX || i >= len || line[i] != ' ')
		return false;
	line += i + 1;
	len -= i + 1;
	for (v = 0; v < len && line[v] > 0x20 && line[v] < 0x7f; v++)
		;
	/* RFC 2449 lets a LIST line go on after the size: keep the first word. */
	if (v == 0 || v > vmax || (v < len && line[v] != ' '))
		return false;
	memcpy(value, line, v);
	value[v] = '\0';
	*num = (uint32_t)n;
	return true;
}

enum cst pop3_read_data(struct conn *c, pop3_emit emit, void *arg, uint64_t max,
			bool listing)
{
	uint64_t total = 0;
	long lines = 0;

	for (;;) {
		enum cst st = conn_getline(c);
		const char *p;
		size_t n;

		if (st != C_OK)
			return st;
		if (pop3_data_line(c->line, c->len, &p, &n))
			return C_OK;
		if (listing && ++lines > c->lines_max)
			return C_TOOMANY;
		total += n + 1;
		if (total > max)
			return C_TOOLONG;
		c->line[c->len] = '\n';	/* room: the line had a terminator */
		if (emit(arg, p, n + 1) != 0)
			return C_ERROR;
	}
}
