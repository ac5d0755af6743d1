/* mimetool MBOX N COMMAND: the test suite's view of message N (1-based) of
 * an mbox through the message library and imapd's writers.
 *   bodystructure | body | envelope   the FETCH item's value, then LF
 *   section SPEC [SKIP LIMIT]          "BODY[SPEC]<SKIP> {n}" CRLF and the n
 *                                      bytes, as in a FETCH response
 *   search header FIELD STR | search body STR | search text STR
 *                                      "match" (exit 0) or "no match" (exit 1)
 *   date                               "SECONDS ZONE" of the Date: field
 *   addresses VALUE                    the addr-specs of an address-list value,
 *                                      one a line, then "= " and the list as
 *                                      SEARCH compares it (message N unread)
 * Exit 2 on bad usage or a bad section, 3 on an I/O error. */
#include "../../imapd/msgwrite.h"
#include "../../imapd/section.h"
#include "address.h"
#include "msgsearch.h"
#include "lineio.h"
#include "mboxscan.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pick {
	long want, seen;
	struct mbox_msg m;
};

static int pick(void *arg, const struct mbox_msg *m)
{
	struct pick *p = arg;

	if (++p->seen == p->want) {
		p->m = *m;
		return 1;		/* found: stop the scan */
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: mimetool MBOX N (bodystructure|body|envelope|"
		"section SPEC [SKIP LIMIT]|search header FIELD STR|"
		"search body STR|search text STR|date|addresses VALUE)\n");
	return 2;
}

static int section(struct lout *out, const struct msgsrc *m, int argc, char **argv)
{
	struct section s;
	struct section_data d;
	uint64_t skip = 0, limit = UINT64_MAX, n;
	int rc;

	if ((argc != 1 && argc != 3) || section_parse(argv[0], strlen(argv[0]), &s) != 0)
		return usage();
	if (argc == 3) {
		skip = strtoull(argv[1], NULL, 10);
		limit = strtoull(argv[2], NULL, 10);
	}
	if (section_resolve(m, &s, &d) != 0)
		return 3;
	n = skip >= d.wire_size ? 0 : d.wire_size - skip;
	if (n > limit)
		n = limit;
	section_write_name(out, &s);
	if (argc == 3)
		lout_printf(out, "<%" PRIu64 ">", skip);
	lout_printf(out, " {%" PRIu64 "}\r\n", n);
	rc = section_write(out, m, &d, skip, limit);
	section_data_free(&d);
	return rc == 0 ? 0 : 3;
}

static int search(const struct msgsrc *m, int argc, char **argv)
{
	bool found;

	if (argc == 3 && strcmp(argv[0], "header") == 0)
		found = msg_header_contains(m, argv[1], argv[2], strlen(argv[2]));
	else if (argc == 2 && strcmp(argv[0], "body") == 0)
		found = msg_body_contains(m, argv[1], strlen(argv[1]));
	else if (argc == 2 && strcmp(argv[0], "text") == 0)
		found = msg_text_contains(m, argv[1], strlen(argv[1]));
	else
		return usage();
	puts(found ? "match" : "no match");
	return found ? 0 : 1;
}

static int addresses(const char *value)
{
	struct msg_addr_list l = { NULL, 0, 0, NULL };
	char spec[1024], *w = malloc(4 * strlen(value) + 64);
	size_t n;
	int rc = 3;

	if (w && msg_addr_list_parse(value, strlen(value), &l) == 0) {
		for (size_t i = 0; i < l.n; i++)
			if (msg_addr_spec(&l.v[i], spec, sizeof spec) > 0)
				puts(spec);
		n = msg_addr_list_write(&l, w, 4 * strlen(value) + 64);
		printf("= %.*s\n", (int)n, w);
		rc = 0;
	}
	msg_addr_list_free(&l);
	free(w);
	return rc;
}

static int structure(struct lout *out, const struct msgsrc *m, const char *cmd)
{
	struct mime_part *root;
	int rc;

	if (strcmp(cmd, "envelope") == 0) {
		rc = mime_write_envelope(out, m);
	} else {
		if ((root = mime_parse(m)) == NULL)
			return 3;
		rc = mime_write_bodystructure(out, root, strcmp(cmd, "bodystructure") == 0);
		mime_free(root);
	}
	lout_write(out, "\n", 1);
	return rc == 0 ? 0 : 3;
}

static int run(struct lout *out, const struct msgsrc *m, int argc, char **argv)
{
	const char *cmd = argv[0];
	time_t t;
	int zone;

	if (argc == 1 && (!strcmp(cmd, "bodystructure") || !strcmp(cmd, "body") ||
			  !strcmp(cmd, "envelope")))
		return structure(out, m, cmd);
	if (!strcmp(cmd, "section"))
		return section(out, m, argc - 1, argv + 1);
	if (!strcmp(cmd, "search"))
		return search(m, argc - 1, argv + 1);
	if (argc == 2 && !strcmp(cmd, "addresses"))
		return addresses(argv[1]);
	if (argc == 1 && !strcmp(cmd, "date")) {
		if (msg_sent_date_zone(m, &t, &zone) != 0) {
			puts("none");
			return 1;
		}
		printf("%lld %c%02d%02d\n", (long long)t, zone < 0 ? '-' : '+',
		       abs(zone) / 60, abs(zone) % 60);
		return 0;
	}
	return usage();
}

int main(int argc, char **argv)
{
	static struct lout out;
	struct pick p = { 0, 0, { 0 } };
	struct msgsrc m;
	struct stat st;
	int fd, rc;

	if (argc < 4 || (p.want = atol(argv[2])) < 1)
		return usage();
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0) {
		perror(argv[1]);
		return 3;
	}
	if (mbox_scan(fd, 0, (uint64_t)st.st_size, pick, &p) < 0 || p.seen < p.want) {
		fprintf(stderr, "no message %ld\n", p.want);
		return 3;
	}
	m.fd = fd;
	m.start = p.m.offset + p.m.from_len;
	m.end = m.start + p.m.raw_len;
	m.hdr_len = p.m.hdr_len;
	m.wire_size = p.m.wire_size;
	lout_init(&out, 1, 60);
	rc = run(&out, &m, argc - 3, argv + 3);
	fflush(stdout);
	if (lout_flush(&out) != 0)
		rc = 3;
	return rc;
}
