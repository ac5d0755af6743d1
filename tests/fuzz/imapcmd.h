/* IMAP commands from fuzz bytes, cut the way cmdread.c cuts a client's
 * input, for the targets that drive imapd's tokenizer (parser.h).
 *
 * A line ends at LF (a CR before it goes, as lin_getline drops it); a line
 * that ends in "{n}" or "{n+}" is followed by a literal of the next n bytes
 * and then by more lines of the same command; a line without one ends the
 * command.  What the session refuses (a line over IMAP_LINE_MAX, more than
 * IMAP_LITERALS_MAX literals, a literal over IMAP_LITERAL_MAX) is skipped,
 * and so is a command the input ends inside of (the session would wait for
 * the rest, then lose the client). */
#ifndef FACTEUR_FUZZ_IMAPCMD_H
#define FACTEUR_FUZZ_IMAPCMD_H

#include "fuzz.h"

#include "cmdread.h"

/* The next command of the input into c, its bytes in a buffer of exactly
 * c->len bytes (a read past the command is a heap overflow for ASan);
 * false when the input holds no more.  imapcmd_free() after each. */
bool imapcmd_next(struct fz *f, struct cmd *c);
void imapcmd_free(struct cmd *c);

#endif
