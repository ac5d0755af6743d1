#include "cmdread.h"
#include "session.h"

#include "log.h"
#include "mbox.h"

#include "msgbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void cmd_reset(struct cmd *c)
{
	c->len = 0;
	c->nseg = 0;
	c->nliterals = 0;
	c->tag[0] = '\0';
	c->append = false;
	c->msg_size = 0;
	if (c->msg)
		msgbuf_free(c->msg);
}

static bool grow(struct cmd *c, size_t more)
{
	size_t cap = c->cap ? c->cap : 16384;
	char *p;

	while (cap < c->len + more)
		cap *= 2;
	if (cap == c->cap)
		return true;
	p = realloc(c->data, cap);
	if (!p)
		return false;
	c->data = p;
	c->cap = cap;
	return true;
}

static void add_seg(struct cmd *c, size_t off, size_t len, bool literal, bool big)
{
	c->seg[c->nseg++] = (struct seg){ off, len, literal, big };
}

bool literal_marker(const char *line, size_t len, uint64_t *n, bool *sync)
{
	size_t i;
	uint64_t v = 0;

	if (len < 3 || line[len - 1] != '}')
		return false;
	i = len - 2;
	*sync = line[i] != '+';
	if (!*sync)
		i--;
	if (i == 0 || !isdigit((unsigned char)line[i]))
		return false;
	while (i > 0 && isdigit((unsigned char)line[i]))
		i--;
	if (line[i] != '{')
		return false;
	for (size_t k = i + 1; isdigit((unsigned char)line[k]); k++) {
		if (v > (UINT64_MAX - 9) / 10)
			v = UINT64_MAX / 2;	/* absurd: over every limit anyway */
		else
			v = v * 10 + (uint64_t)(line[k] - '0');
	}
	*n = v;
	return true;
}

/* The tag and whether the command is APPEND, from its first line. */
static void first_line(struct cmd *c, const char *line, size_t len)
{
	size_t t = 0;

	while (t < len && t < TAG_MAX && line[t] != ' ' && (unsigned char)line[t] > 0x20 &&
	       (unsigned char)line[t] < 0x7f)
		t++;
	memcpy(c->tag, line, t);
	c->tag[t] = '\0';
	if (t == 0 || (t < len && line[t] != ' '))
		strcpy(c->tag, "*");
	c->append = len >= t + 8 && strncasecmp(line + t, " APPEND ", 8) == 0;
}

/* -v: a LOGIN or AUTHENTICATE line shows the command, never the secret. */
static void log_line(const struct cmd *c, const char *line, size_t len)
{
	size_t t = strlen(c->tag), w;

	if (c->nseg == 0 && len > t + 1 && line[t] == ' ') {
		w = strcspn(line + t + 1, " ");
		if ((w == 5 && strncasecmp(line + t + 1, "LOGIN", 5) == 0) ||
		    (w == 12 && strncasecmp(line + t + 1, "AUTHENTICATE", 12) == 0)) {
			char masked[TAG_MAX + 24];
			int n = snprintf(masked, sizeof masked, "%.*s ****", (int)(t + 1 + w), line);
			log_transcript('<', masked, (size_t)n);
			return;
		}
	}
	log_transcript('<', line, len);
}

static void lost(struct imap *s)
{
	log_msg(LOG_INFO, "lost connection from %s%s%s", startup_peer_label(&s->conn.env),
		s->conn.user[0] ? " user=" : "", s->conn.user);
	exit(1);
}

static void timed_out(struct imap *s)
{
	bye(s, 1, "Autologout; idle for too long");
}

/* Read n literal bytes, into memory or through the mbox quoter. */
static void read_literal(struct imap *s, struct cmd *c, uint64_t n, struct quoter *q)
{
	while (n > 0) {
		enum lin_status st = lin_fill(&s->conn.in);
		size_t take;

		if (st == LIN_TIMEOUT)
			timed_out(s);
		if (st != LIN_OK)
			lost(s);
		take = s->conn.in.len - s->conn.in.pos;
		if (take > n)
			take = (size_t)n;
		if (q) {
			quoter_feed(q, s->conn.in.buf + s->conn.in.pos, take);
		} else {
			memcpy(c->data + c->len, s->conn.in.buf + s->conn.in.pos, take);
			c->len += take;
		}
		s->conn.in.pos += take;
		n -= take;
	}
}

static int to_msgbuf(void *arg, const char *p, size_t n)
{
	return msgbuf_write(arg, p, n);
}

/* APPEND's message, too big for memory: mbox form into a message buffer. */
static void read_big(struct imap *s, struct cmd *c, uint64_t n)
{
	struct quoter q;

	if (!c->msg) {
		c->msg = malloc(sizeof *c->msg);
		if (!c->msg)
			bye(s, 1, "[SERVERBUG] out of memory");
	}
	msgbuf_init(c->msg, s->conn.env.spoolfd);
	quoter_init(&q, to_msgbuf, c->msg);
	read_literal(s, c, n, &q);
	quoter_finish(&q);
	c->msg_size = n;
	add_seg(c, c->len, 0, true, true);
}

/* Refuse a literal: a synchronizing one was never sent, so the command just
 * ends here; a non-synchronizing one is on its way and cannot be skipped
 * safely when it is this large, so the session ends. */
static enum cmd_status refuse(struct imap *s, bool sync, const char *why)
{
	if (!sync)
		bye(s, 1, "[TOOBIG] %s", why);
	tagged(s, "BAD", "[TOOBIG] %s", why);
	return CMD_REFUSED;
}

enum cmd_status cmd_read(struct imap *s, struct cmd *c)
{
	size_t max = (size_t)s->conn.cfg->line_max;

	cmd_reset(c);
	for (;;) {
		enum lin_status st;
		uint64_t n;
		bool crlf, sync;
		size_t len;

		if (!grow(c, max + 1))
			bye(s, 1, "[SERVERBUG] out of memory");
		st = lin_getline(&s->conn.in, c->data + c->len, max, &len, &crlf);
		if (st == LIN_TIMEOUT)
			timed_out(s);
		if (st == LIN_EOF || st == LIN_ERROR)
			lost(s);
		if (st == LIN_TOOLONG)	/* it may have announced a literal: no resync */
			bye(s, 1, "[TOOBIG] Command line too long");
		if (c->nseg == 0)
			first_line(c, c->data + c->len, len);
		if (s->conn.cfg->transcript)
			log_line(c, c->data + c->len, len);
		add_seg(c, c->len, len, false, false);
		if (!literal_marker(c->data + c->len, len, &n, &sync)) {
			c->len += len;
			return CMD_OK;
		}
		c->len += len;
		if (++c->nliterals > IMAP_LITERALS_MAX)
			return refuse(s, sync, "Too many literals in one command");
		if (c->append && n > (uint64_t)s->opt->literal_max) {
			if (n > (uint64_t)s->conn.cfg->msg_max || c->msg_size)
				return refuse(s, sync, "Message too large");
			if (sync) {
				lout_puts(&s->conn.out, "+ Ready for the message\r\n");
			}
			read_big(s, c, n);
			continue;
		}
		if (n > (uint64_t)s->opt->literal_max)
			return refuse(s, sync, "Literal too large");
		if (sync)
			lout_puts(&s->conn.out, "+ Ready for literal data\r\n");
		if (!grow(c, (size_t)n + 1))
			bye(s, 1, "[SERVERBUG] out of memory");
		add_seg(c, c->len, (size_t)n, true, false);
		read_literal(s, c, n, NULL);
	}
}
