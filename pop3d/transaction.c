/* TRANSACTION: STAT, LIST, UIDL, RETR, TOP, DELE, RSET (RFC 1939 5). */
#include "session.h"

#include "log.h"
#include "msgnum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint32_t number_of(const struct pop3 *p, const struct drop_msg *m)
{
	return (uint32_t)(m - p->drop.msgs) + 1;
}

/* Message `arg` of the snapshot, or NULL with the refusal sent. */
static struct drop_msg *message(struct pop3 *p, const char *arg)
{
	struct drop_msg *m = NULL;

	switch (maildrop_msg(&p->drop, arg, &m)) {
	case DROP_NO_NUMBER:
		err(p, "message number required");
		return NULL;
	case DROP_BAD_NUMBER:
		err(p, "invalid message number");
		return NULL;
	case DROP_NO_SUCH:
		err(p, "no such message, only %u in maildrop", p->drop.nmsgs);
		return NULL;
	case DROP_DELETED:
		err(p, "message %u already deleted", number_of(p, m));
		return NULL;
	case DROP_FOUND:
		break;
	}
	return m;
}

/* RETR and TOP: the header and `lines` body lines (all: UINT64_MAX). */
static void send_message(struct pop3 *p, const struct drop_msg *m, uint64_t lines)
{
	struct drop_span sp;

	if (!maildrop_span(&p->drop, m, lines, &sp)) {
		/* Another session's QUIT or an expunge: not the client's fault. */
		err_temp(p, "message no longer in the maildrop");
		return;
	}
	if (lines == UINT64_MAX)
		ok(p, "%llu octets", (unsigned long long)m->size);
	else
		ok(p, "top of message follows");
	if (maildrop_copy(&p->drop, &sp, &p->conn.out) < 0) {
		log_msg(LOG_ERR, "%s: reading INBOX: %s", p->conn.user, strerror(errno));
		exit(1);	/* mid-reply: the only honest thing left is to close */
	}
	multi_end(p);
}

void cmd_stat(void *v, char *args)
{
	struct pop3 *p = v;
	uint64_t octets = 0;
	uint32_t n = 0;

	if (*args) {
		err(p, "usage: STAT");
		return;
	}
	for (uint32_t i = 0; i < p->drop.nmsgs; i++) {
		if (!p->drop.msgs[i].deleted) {
			n++;
			octets += p->drop.msgs[i].size;
		}
	}
	ok(p, "%u %llu", n, (unsigned long long)octets);
}

/* LIST and UIDL share their shape: one message, or all that are left. */
static void listing(struct pop3 *p, const char *args, bool uidl)
{
	struct drop_msg *m;

	if (*args) {
		if (strchr(args, ' ')) {
			err(p, "too many arguments");
			return;
		}
		if (!(m = message(p, args)))
			return;
		if (uidl)
			ok(p, "%u %u.%u", number_of(p, m), p->drop.uidvalidity, m->uid);
		else
			ok(p, "%u %llu", number_of(p, m), (unsigned long long)m->size);
		return;
	}
	ok(p, uidl ? "unique-id listing follows" : "scan listing follows");
	for (uint32_t i = 0; i < p->drop.nmsgs; i++) {
		m = &p->drop.msgs[i];
		if (m->deleted)
			continue;
		if (uidl)
			multi_line(p, "%u %u.%u", i + 1, p->drop.uidvalidity, m->uid);
		else
			multi_line(p, "%u %llu", i + 1, (unsigned long long)m->size);
	}
	multi_end(p);
}

void cmd_list(void *v, char *args)
{
	listing(v, args, false);
}

void cmd_uidl(void *v, char *args)
{
	listing(v, args, true);
}

void cmd_retr(void *v, char *args)
{
	struct pop3 *p = v;
	struct drop_msg *m;

	if (strchr(args, ' ')) {
		err(p, "usage: RETR msg");
		return;
	}
	if ((m = message(p, args)))
		send_message(p, m, UINT64_MAX);
}

void cmd_top(void *v, char *args)
{
	struct pop3 *p = v;
	char *sp = strchr(args, ' ');
	struct drop_msg *m;
	uint64_t lines;

	if (!sp || strchr(sp + 1, ' ')) {
		err(p, "usage: TOP msg n");
		return;
	}
	*sp = '\0';
	if (!msgnum_lines(sp + 1, &lines)) {	/* a huge count: the whole body */
		err(p, "invalid line count");
		return;
	}
	if ((m = message(p, args)))
		send_message(p, m, lines);
}

void cmd_dele(void *v, char *args)
{
	struct pop3 *p = v;
	struct drop_msg *m;

	if (strchr(args, ' ')) {
		err(p, "usage: DELE msg");
		return;
	}
	if (!(m = message(p, args)))
		return;
	m->deleted = true;
	ok(p, "message %u deleted", number_of(p, m));
}

void cmd_rset(void *v, char *args)
{
	struct pop3 *p = v;
	uint32_t n = 0;

	if (*args) {
		err(p, "usage: RSET");
		return;
	}
	for (uint32_t i = 0; i < p->drop.nmsgs; i++) {
		p->drop.msgs[i].deleted = false;
		n++;
	}
	ok(p, "maildrop has %u messages", n);
}
