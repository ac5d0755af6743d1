/* RFC 5322 address lists (3.4, with the obsolete forms of 4.4): the value
 * of a From:, To:, Cc:, Bcc:, Reply-To: or Sender: field, parsed
 * leniently into mailboxes and groups.  Comments and folding white space
 * (CFWS) are removed, quoted strings unquoted, obsolete routes kept apart:
 * `<user (c)@ (c) example.org>` gives the addr-spec user@example.org.
 *
 * Any input gives a list (hostile input is normal input): what cannot be
 * read as an address is skipped.  Memory is bounded by a small multiple
 * of the value's length. */
#ifndef FACTEUR_ADDRESS_H
#define FACTEUR_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>

enum msg_addr_kind {
	MSG_ADDR_MAILBOX,	/* an address: mailbox and host set */
	MSG_ADDR_GROUP_START,	/* "name:": name set (maybe empty) */
	MSG_ADDR_GROUP_END,	/* the ";" that ends the group */
};

/* One entry.  The strings are not NUL-terminated: each has its length. */
struct msg_addr {
	enum msg_addr_kind kind;
	const char *name;	/* display name, or the comment after a bare
				 * addr-spec ("user@host (Name)"); NULL: none */
	const char *route;	/* obsolete "@a,@b" route, without the ':'; NULL: none */
	const char *mailbox;	/* local part, unquoted; never NULL for a mailbox */
	const char *host;	/* domain; NULL when the address has none */
	size_t nname, nroute, nmailbox, nhost;
};

struct msg_addr_list {
	struct msg_addr *v;
	size_t n, cap;
	char *scratch;		/* the strings the entries point into */
};

/* Parse the field value s[0, n) (unfolded or not) into l, which must be
 * zeroed first; entries are appended in the order they appear, a group's
 * members between its GROUP_START and GROUP_END.  0, or -1 when out of
 * memory (l then holds what was parsed; free it all the same). */
int msg_addr_list_parse(const char *s, size_t n, struct msg_addr_list *l);

void msg_addr_list_free(struct msg_addr_list *l);

/* The addr-spec of a mailbox entry, "mailbox@host" (or "mailbox" alone
 * when it has no host), NUL-terminated into buf.  Returns its length, or
 * 0 when the entry is not a mailbox, its mailbox is empty, or it does not
 * fit in cap bytes (NUL included). */
size_t msg_addr_spec(const struct msg_addr *a, char *buf, size_t cap);

/* The list written back in one normal form, as Dovecot writes it for
 * SEARCH FROM/TO/CC/BCC: `name <mailbox@host>` or `<mailbox@host>`, the
 * name quoted unless it is one atom, entries separated by ", ", a group as
 * `name: ` its members `;`.  Comments (other than a bare address's name)
 * and white space inside addresses are gone.  At most cap bytes (the rest
 * dropped), not NUL-terminated; returns the length. */
size_t msg_addr_list_write(const struct msg_addr_list *l, char *buf, size_t cap);

#endif
