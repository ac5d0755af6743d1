/* CREATE, DELETE, RENAME, SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.3-6.3.7):
 * the arguments and the answers; folderops.c, inboxmove.c and
 * subscriptions.c do the work.  Response codes are RFC 5530's. */
#include "session.h"

#include "folders.h"
#include "log.h"
#include "subscriptions.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* One mailbox argument and the end of the command. */
static bool one_arg(struct imap *s, struct str *raw)
{
	if (!tok_sp(&s->tok) || !tok_astring(&s->tok, raw) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return false;
	}
	return true;
}

/* A valid name (INBOX made canonical) into dst, or answered NO. */
static bool valid_name(struct imap *s, const char *raw, size_t n, char *dst)
{
	if (mailbox_name(raw, n, dst))
		return true;
	done(s, "NO", "[CANNOT] Invalid mailbox name");
	return false;
}

static void refuse(struct imap *s, enum folder_result r, const char *cannot)
{
	switch (r) {
	case FR_NONEXISTENT:
		done(s, "NO", "[NONEXISTENT] No such mailbox");
		break;
	case FR_EXISTS:
		done(s, "NO", "[ALREADYEXISTS] Mailbox already exists");
		break;
	case FR_CANNOT:
		done(s, "NO", "[CANNOT] %s", cannot);
		break;
	case FR_TAKEN:
		done(s, "NO", "[CANNOT] Name taken by something that is not a mailbox or a level");
		break;
	case FR_CHILDREN:
		done(s, "NO", "[CANNOT] Name has inferior hierarchical names; delete them first");
		break;
	case FR_TOOLONG:
		done(s, "NO", "[CANNOT] Names under it would become too long or too deep");
		break;
	case FR_BUSY:
		done(s, "NO", "[UNAVAILABLE] Mailbox busy, try again later");
		break;
	default:
		log_msg(LOG_ERR, "%s: %s: %s", s->conn.user, s->name, strerror(errno));
		done(s, "NO", "[UNAVAILABLE] %s failed, try again later", s->name);
		break;
	}
}

#define UNDER_MAILBOX "A mailbox cannot hold other mailboxes (each is one mbox file)"

void cmd_create(struct imap *s)
{
	char name[MAILBOX_NAME_MAX + 1];
	enum folder_result r;
	bool level_only;
	struct str raw;

	if (!one_arg(s, &raw))
		return;
	/* RFC 3501 6.3.3: a trailing delimiter declares a level for names to
	 * come; the name made is without it */
	level_only = raw.n > 1 && raw.p[raw.n - 1] == '/';
	if (!valid_name(s, raw.p, raw.n - level_only, name))
		return;
	if (strcmp(name, "INBOX") == 0 && !level_only) {
		done(s, "NO", "[ALREADYEXISTS] INBOX always exists");
		return;
	}
	if (strcmp(name, "INBOX") == 0 || folder_under_inbox(name)) {
		done(s, "NO", "[CANNOT] INBOX cannot hold other mailboxes");
		return;
	}
	r = folder_create(s, name, level_only);
	if (r != FR_OK) {
		refuse(s, r, UNDER_MAILBOX);
		return;
	}
	done(s, "OK", "CREATE completed");
}

void cmd_delete(struct imap *s)
{
	char name[MAILBOX_NAME_MAX + 1];
	enum folder_result r;
	struct str raw;

	if (!one_arg(s, &raw) || !valid_name(s, raw.p, raw.n, name))
		return;
	if (strcmp(name, "INBOX") == 0) {
		done(s, "NO", "[CANNOT] INBOX cannot be deleted");
		return;
	}
	r = folder_delete(s, name);
	if (r != FR_OK) {
		refuse(s, r, "Not a mailbox");
		return;
	}
	/* Our own session stops using it now; others find it gone at their
	 * next command (view.c). */
	if (s->conn.state == I_SELECTED && strcmp(s->mailbox, name) == 0)
		view_close(s);
	done(s, "OK", "DELETE completed");
}

/* The selected mailbox was renamed, or is under a level that was: it stays
 * selected under its new name. */
static void follow(struct imap *s, const char *from, const char *to)
{
	char now[MAILBOX_NAME_MAX + 1];
	size_t flen = strlen(from);
	int n;

	if (s->conn.state != I_SELECTED)
		return;
	if (strcmp(s->mailbox, from) == 0)
		n = snprintf(now, sizeof now, "%s", to);
	else if (strncmp(s->mailbox, from, flen) == 0 && s->mailbox[flen] == '/')
		n = snprintf(now, sizeof now, "%s%s", to, s->mailbox + flen);
	else
		return;
	mailbox_close(&s->mb);
	if (n < 0 || (size_t)n >= sizeof now ||
	    mailbox_open(&s->mb, s->userfd, now, false, s->conn.cfg->lock_timeout) != 0) {
		log_msg(LOG_WARNING, "%s: %s renamed, cannot reopen it", s->conn.user, s->mailbox);
		view_close(s);
		return;
	}
	memcpy(s->mailbox, now, (size_t)n + 1);
}

void cmd_rename(struct imap *s)
{
	char from[MAILBOX_NAME_MAX + 1], to[MAILBOX_NAME_MAX + 1];
	enum folder_result r;
	struct str a, b;

	if (!tok_sp(&s->tok) || !tok_astring(&s->tok, &a) || !tok_sp(&s->tok) ||
	    !tok_astring(&s->tok, &b) || !tok_end(&s->tok)) {
		bad_syntax(s);
		return;
	}
	if (!valid_name(s, a.p, a.n, from) || !valid_name(s, b.p, b.n, to))
		return;
	if (strcmp(to, "INBOX") == 0) {
		done(s, "NO", "[ALREADYEXISTS] INBOX always exists");
		return;
	}
	if (folder_under_inbox(to)) {
		done(s, "NO", "[CANNOT] INBOX cannot hold other mailboxes");
		return;
	}
	/* RFC 3501 6.3.5: renaming INBOX moves its messages, INBOX stays */
	r = strcmp(from, "INBOX") == 0 ? folder_move_inbox(s, to) : folder_rename(s, from, to);
	if (r != FR_OK) {
		size_t flen = strlen(from);

		refuse(s, r, strncmp(to, from, flen) == 0 && to[flen] == '/' ?
		       "A name cannot move under itself" : UNDER_MAILBOX);
		return;
	}
	if (strcmp(from, "INBOX") != 0)
		follow(s, from, to);
	done(s, "OK", "RENAME completed");
}

static void subscribe(struct imap *s, bool add)
{
	char name[MAILBOX_NAME_MAX + 1];
	struct str raw;

	if (!one_arg(s, &raw) || !valid_name(s, raw.p, raw.n, name))
		return;
	/* RFC 3501 6.3.6: a name that does not exist (yet) may be subscribed */
	switch (subs_change(s->userfd, name, add, s->conn.cfg->lock_timeout)) {
	case SUBS_OK:
		done(s, "OK", "%s completed", s->name);
		break;
	case SUBS_ABSENT:
		done(s, "NO", "[NONEXISTENT] Not subscribed to that name");
		break;
	case SUBS_FULL:
		done(s, "NO", "[LIMIT] Too many subscriptions (at most %d)", SUBSCRIPTIONS_MAX);
		break;
	case SUBS_BUSY:
		done(s, "NO", "[UNAVAILABLE] Subscriptions busy, try again later");
		break;
	default:
		log_msg(LOG_ERR, "%s: %s: %s", s->conn.user, s->name, strerror(errno));
		done(s, "NO", "[UNAVAILABLE] %s failed, try again later", s->name);
		break;
	}
}

void cmd_subscribe(struct imap *s)
{
	subscribe(s, true);
}

void cmd_unsubscribe(struct imap *s)
{
	subscribe(s, false);
}
