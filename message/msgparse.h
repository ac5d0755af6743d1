/* The message library's building blocks: the chunked line reader, header
 * unfolding, the RFC 822 lexer, parameter lists and the decoders.  Used by
 * the library's parsers and by code that writes a protocol's view of a
 * message (imapd's sections and ENVELOPE); not by sessions. */
#ifndef FACTEUR_MSGPARSE_H
#define FACTEUR_MSGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "message.h"

/* ---- reading a raw range line by line ---- */

#define RD_CHUNK (64 * 1024)

struct mrd {
	int fd;
	uint64_t pos;		/* file offset of buf[0] */
	uint64_t end;
	size_t off, len;	/* unread: buf[off, len) */
	bool err;
	char buf[RD_CHUNK];
};

struct rline {
	uint64_t start;		/* raw offset of the line */
	uint64_t len;		/* bytes before the LF */
	bool lf;		/* ended by LF, not by the end of the range */
	bool cr;		/* the bytes before the LF end with CR */
	bool quoted;		/* ^>+From: the first '>' is not in the wire form */
	size_t nhead;		/* bytes copied to the caller's head buffer */
};

struct mrd *mrd_open(int fd, uint64_t start, uint64_t end);
void mrd_close(struct mrd *r);
void mrd_init(struct mrd *r, int fd, uint64_t start, uint64_t end);

/* The next line, its first `cap` bytes copied to head.  False at the end of
 * the range or on a read error (r->err). */
bool mrd_line(struct mrd *r, char *head, size_t cap, struct rline *l);

/* Next bytes of the range as they come (no line splitting): a pointer into
 * the reader's buffer, 0 at the end. */
size_t mrd_chunk(struct mrd *r, const char **p);

/* Wire bytes of a line, its line end included. */
static inline uint64_t rline_wire(const struct rline *l)
{
	return l->len - l->quoted + (l->lf ? (l->cr ? 1 : 2) : 0);
}

/* The text of a line as read into head: unquoted, without a final CR. */
size_t rline_text(const struct rline *l, const char *head, const char **p);

static inline bool is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* End of the message's header, its blank line included: start + hdr_len,
 * unless that is the whole message, when the header is looked for again
 * (mboxes written by others may have CRLF line ends). */
uint64_t msg_header_end(const struct msgsrc *m);

/* ---- header fields, unfolded ---- */

typedef bool (*hdr_want_fn)(void *arg, const char *name, size_t n);
typedef void (*hdr_field_fn)(void *arg, const char *name, size_t nlen,
			     const char *val, size_t vlen);

/* Collects one field at a time from header lines: continuation lines are
 * joined (the line break removed, the white space kept), the value is
 * trimmed and bounded by the buffer (the excess is dropped). */
struct hdracc {
	char *buf;
	size_t cap, len, namelen;
	bool open;		/* a wanted field is being collected */
	hdr_want_fn want;
	hdr_field_fn field;
	void *arg;
};

void hdracc_init(struct hdracc *a, char *buf, size_t cap, hdr_want_fn want,
		 hdr_field_fn field, void *arg);
/* One header line's text (see rline_text). */
void hdracc_line(struct hdracc *a, const char *p, size_t n);
void hdracc_flush(struct hdracc *a);

/* Feed the fields of the header [start, end) of fd to want/field, each
 * unfolded and bounded by max bytes; stops at the blank line, or once
 * *stop is set (stop may be NULL).  0, or -1 on a read or allocation
 * error. */
int hdr_read_fields(int fd, uint64_t start, uint64_t end, size_t max,
		    hdr_want_fn want, hdr_field_fn field, void *arg, const bool *stop);

/* The field name of a header line (before ':', trailing blanks removed);
 * false when the line is not a field. */
bool mime_field_name(const char *p, size_t n, size_t *namelen, size_t *colon);

bool mime_name_is(const char *name, size_t n, const char *want);

/* ---- RFC 822 lexical tokens ---- */

struct hlex {
	const char *p, *e;
};

/* Skip white space and comments; with `comment` set, the last comment's
 * text (outer parentheses removed) is left in *cs, *cn. */
void hlex_cfws(struct hlex *x);
void hlex_cfws_comment(struct hlex *x, const char **cs, size_t *cn);

static inline bool hlex_end(const struct hlex *x)
{
	return x->p >= x->e;
}

/* A MIME token (RFC 2045 5.1), leniently: up to white space, ';', '"',
 * '(', a control character or one of `stops`. */
size_t hlex_token(struct hlex *x, const char *stops, const char **s);

/* A quoted string at x->p (which is '"'), unescaped into dst (at most cap
 * bytes, the rest dropped).  Returns the unescaped length. */
size_t hlex_quoted(struct hlex *x, char *dst, size_t cap);

/* ---- Content-Type style fields ---- */

struct plist {
	struct mime_param *v;
	unsigned n;
};

/* The "*(; name=value)" after a field's value, RFC 2231 continuations
 * joined.  Names are upper-cased; a value may be a token, a quoted string
 * or (leniently) anything up to the next ';'.  0, or -1 when out of memory. */
int mime_parse_params(struct hlex *x, struct plist *pl);
int mime_plist_add(struct plist *pl, const char *name, size_t nn, const char *val,
	      size_t vn);
void mime_plist_free(struct plist *pl);
const char *mime_param_get(const struct mime_param *v, unsigned n, const char *name);

char *mime_strndup(const char *s, size_t n);
void mime_upcase(char *s);

/* ---- a part's Content-* fields (mimefields.c) ---- */

/* Sets p's type, subtype, params, encoding, disposition and languages from
 * the raw field values (NULL: absent).  p's parent must be set (a part of
 * a multipart/digest defaults to message/rfc822).  0, or -1 when out of
 * memory. */
int mime_fields_interpret(struct mime_part *p, const char *type, const char *cte,
			  const char *disp, const char *lang);

/* ---- decoders (decode.c) ---- */

/* RFC 2047 encoded words to UTF-8 (UTF-8, US-ASCII, ISO-8859-1/15 and
 * windows-1252 converted, other charsets left as decoded bytes).  Returns
 * the length written to dst (at most cap). */
size_t mime_rfc2047_decode(const char *s, size_t n, char *dst, size_t cap);

enum charset { CS_RAW, CS_LATIN1, CS_LATIN9, CS_CP1252 };
enum charset mime_charset_of(const char *name);

/* Converts one byte of a single-byte charset to UTF-8; returns its length. */
size_t mime_charset_to_utf8(enum charset cs, unsigned char c, char out[3]);

/* A byte sink for the streaming decoders. */
typedef void (*sink_fn)(void *arg, const char *p, size_t n);

enum cte { CTE_IDENTITY, CTE_BASE64, CTE_QP };
enum cte mime_cte_of(const char *encoding);

/* Streaming transfer decoding: feed any pieces, each piece's output goes
 * to the sink. */
struct cte_decoder {
	enum cte cte;
	enum charset cs;
	unsigned bits, nbits;	/* base64 */
	int qp;			/* QP state: 0, or after '=' (1), '=' hex (2), "=\r" (3) */
	char qp_hex;
	sink_fn sink;
	void *arg;
};
void cte_decoder_init(struct cte_decoder *d, enum cte cte, enum charset cs,
		  sink_fn sink, void *arg);
void cte_decoder_feed(struct cte_decoder *d, const char *p, size_t n);
void cte_decoder_finish(struct cte_decoder *d);

/* Case-insensitive substring matching over a stream (ASCII and Latin-1
 * letters folded in UTF-8, CRs ignored so that CRLF and LF compare equal),
 * matches across pieces found. */
struct text_matcher {
	unsigned char *pat;
	size_t n, state;
	size_t *fail;
	unsigned char prev;
	bool found;
};
int text_matcher_init(struct text_matcher *m, const char *needle, size_t n);
void text_matcher_reset(struct text_matcher *m);
void text_matcher_feed(struct text_matcher *m, const char *p, size_t n);
void text_matcher_free(struct text_matcher *m);
bool text_matcher_in(const char *hay, size_t hn, struct text_matcher *m);

/* The message's own header only (type, parameters, encoding): no body is
 * read, so sizes and line counts are not set and a message/rfc822 has no
 * child.  NULL on an allocation or read failure. */
struct mime_part *mime_parse_top(const struct msgsrc *m);

#endif
