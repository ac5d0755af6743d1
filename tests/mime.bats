#!/usr/bin/env bats
# The message library and imapd's writers through tests/helpers/mimetool:
# BODYSTRUCTURE, ENVELOPE, BODY[section] and the SEARCH helpers, on mboxrd
# files written here (and one delivered through smtpd).

load lib

# MIMETOOL=... runs the suite against another build (e.g. a sanitizer one).
MIMETOOL=${MIMETOOL:-$TOP/tests/helpers/mimetool}

setup() {
	setup_spool
	MB=$T/test.mbox
	: > "$MB"
}
teardown() { teardown_spool; }

# add FILE...: append messages (LF lines) to $MB as mboxrd.
add() {
	local f
	for f in "$@"; do
		{
			echo "From sender@test.lan Mon Jan  1 00:00:00 2024"
			sed 's/^\(>*From \)/>\1/' "$f"
			echo
		} >> "$MB"
	done
}

mt() { "$MIMETOOL" "$MB" "$@"; }

# sect N SPEC [SKIP LIMIT]: the data of a section, into $T/data, after
# checking that the announced {count} is the number of bytes that follow;
# the response item name (CR removed) is left in $T/name.
sect() {
	local n=$1 hl count
	shift
	"$MIMETOOL" "$MB" "$n" section "$@" > "$T/out" || return 1
	head -n 1 "$T/out" | tr -d '\r' > "$T/name"
	hl=$(head -n 1 "$T/out" | wc -c)
	count=$(sed -n '1s/.*{\([0-9]*\)}\r$/\1/p' "$T/out")
	tail -c +$((hl + 1)) "$T/out" > "$T/data"
	if [ "$(wc -c < "$T/data")" -ne "$count" ]; then
		echo "announced $count, got $(wc -c < "$T/data") bytes" >&2
		return 1
	fi
}

# The data of the last sect with CRs shown as \r (one line per line).
shown() { sed 's/\r$/\\r/' "$T/data"; }

# A multipart/mixed with an alternative and two base64 attachments, shared
# with the end-to-end suite.
nested_message() { cp "$BATS_TEST_DIRNAME/data/nested.eml" "$T/nested.eml"; }

rfc822_message() {
	cat > "$T/rfc822.eml" <<'EOF'
From: Carol <carol@test.lan>
Subject: fwd
Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

See below.
--b1
Content-Type: message/rfc822
Content-Description: forwarded

From: "Dave D." <dave@x.test>
To: carol@test.lan
Subject: original
Date: Tue, 2 Jan 2024 10:00:00 +0100
Message-ID: <orig@x.test>
Content-Type: multipart/alternative; boundary=b2

--b2
Content-Type: text/plain; charset=us-ascii

plain
--b2
Content-Type: text/html; charset=us-ascii

<b>html</b>
--b2--
--b1--
EOF
}

# ---- BODYSTRUCTURE ----

@test "mime: BODYSTRUCTURE of a nested multipart with two base64 attachments is exact" {
	nested_message
	add "$T/nested.eml"
	run mt 1 bodystructure
	[ "$status" -eq 0 ]
	[ "$output" = '((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 32 1 NIL NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 17 0 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 90 NIL ("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)("IMAGE" "PNG" ("NAME" "dot.png") NIL NIL "BASE64" 60 NIL ("INLINE" ("FILENAME" "dot.png")) NIL NIL) "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)' ]
	# BODY is the same without the extension data
	run mt 1 body
	[ "$output" = '((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 32 1)("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 17 0) "ALTERNATIVE")("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 90)("IMAGE" "PNG" ("NAME" "dot.png") NIL NIL "BASE64" 60) "MIXED")' ]
}

@test "mime: body sizes are the bytes BODY[part] produces" {
	nested_message
	add "$T/nested.eml"
	sect 1 1.1
	[ "$(wc -c < "$T/data")" -eq 32 ]
	sect 1 1.2
	[ "$(wc -c < "$T/data")" -eq 17 ]
	sect 1 2
	[ "$(wc -c < "$T/data")" -eq 90 ]
	sect 1 3
	[ "$(wc -c < "$T/data")" -eq 60 ]
	# and the whole message is what mboxcheck says a client receives
	sect 1 ""
	[ "$(wc -c < "$T/data")" -eq "$("$MBOXCHECK" -l "$MB" | awk 'NR == 2 { print $3 }')" ]
}

@test "mime: message/rfc822 carries the envelope, structure and line count of the message inside" {
	rfc822_message
	add "$T/rfc822.eml"
	run mt 1 bodystructure
	[ "$status" -eq 0 ]
	# Line counts are the line ends in a part's body, the one before a
	# delimiter not included (RFC 2046 5.1.1), as Dovecot 2.3 counts them
	# (compared); for the message/rfc822 part Dovecot says 318 octets and
	# 16 lines, counting that line end in, where RFC 2046 leaves it out.
	[ "$output" = '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 0 NIL NIL NIL NIL)("MESSAGE" "RFC822" NIL NIL "forwarded" "7BIT" 316 ("Tue, 2 Jan 2024 10:00:00 +0100" "original" (("Dave D." NIL "dave" "x.test")) (("Dave D." NIL "dave" "x.test")) (("Dave D." NIL "dave" "x.test")) ((NIL NIL "carol" "test.lan")) NIL NIL NIL "<orig@x.test>") (("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 5 0 NIL NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "us-ascii") NIL NIL "7BIT" 11 0 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "b2") NIL NIL NIL) 15 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "b1") NIL NIL NIL)' ]
	sect 1 2
	[ "$(wc -c < "$T/data")" -eq 316 ]
	[ "$(wc -l < "$T/data")" -eq 15 ]	# 15 line ends, the last line has none
}

@test "mime: a message/rfc822 that is encoded is not parsed but stays well-formed" {
	cat > "$T/m.eml" <<'EOF'
Content-Type: multipart/mixed; boundary=e

--e
Content-Type: message/rfc822
Content-Transfer-Encoding: base64

U3ViamVjdDogeAoKYm9keQo=
--e--
EOF
	add "$T/m.eml"
	run mt 1 bodystructure
	[ "$output" = '(("MESSAGE" "RFC822" NIL NIL NIL "BASE64" 24 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL) 0 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "e") NIL NIL NIL)' ]
}

@test "mime: a missing or invalid Content-Type is TEXT/PLAIN US-ASCII, MESSAGE/RFC822 in a digest" {
	printf 'Subject: no content type\n\njust text\n' > "$T/a.eml"
	printf 'Content-Type: text\nSubject: no subtype\n\nx\n' > "$T/b.eml"
	cat > "$T/c.eml" <<'EOF'
Content-Type: multipart/digest; boundary=d

--d

Subject: first

one
--d
Content-Type: text/plain

two
--d--
EOF
	add "$T/a.eml" "$T/b.eml" "$T/c.eml"
	run mt 1 bodystructure
	[ "$output" = '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 11 1 NIL NIL NIL NIL)' ]
	run mt 2 bodystructure
	[ "$output" = '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 1 NIL NIL NIL NIL)' ]
	run mt 3 bodystructure
	[ "$output" = '(("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 21 (NIL "first" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL)("TEXT" "PLAIN" NIL NIL NIL "7BIT" 3 0 NIL NIL NIL NIL) "DIGEST" ("BOUNDARY" "d") NIL NIL NIL)' ]
}

@test "mime: parameters: quoted strings with escapes and ';', comments, RFC 2231 continuations" {
	cat > "$T/m.eml" <<'EOF'
Content-Type: text/plain; name="a \"b\"; c.txt"; charset=utf-8 (a comment);
 title*0*=us-ascii'en'Hello%20; title*1="world"
Content-Disposition: attachment; filename="x y.txt"

p
EOF
	add "$T/m.eml"
	run mt 1 bodystructure
	[ "$output" = '("TEXT" "PLAIN" ("NAME" "a \"b\"; c.txt" "CHARSET" "utf-8" "TITLE*" "us-ascii'"'en'"'Hello%20world") NIL NIL "7BIT" 3 1 NIL ("ATTACHMENT" ("FILENAME" "x y.txt")) NIL NIL)' ]
}

@test "mime: types, encodings and attribute names are upper-cased, values kept as written" {
	cat > "$T/m.eml" <<'EOF'
CONTENT-TYPE: TeXt/HtMl; CharSet="UTF-8"
content-transfer-encoding: Quoted-Printable
Content-Disposition: INLINE; FileName=X.html
Content-Language: EN-gb, fr
Content-ID: <Part.1@Example>
Content-Location: http://example.test/X.html

<i>x</i>
EOF
	add "$T/m.eml"
	run mt 1 bodystructure
	[ "$output" = '("TEXT" "HTML" ("CHARSET" "UTF-8") "<Part.1@Example>" NIL "QUOTED-PRINTABLE" 10 1 NIL ("INLINE" ("FILENAME" "X.html")) ("EN-gb" "fr") "http://example.test/X.html")' ]
}

@test "mime: line counts and sizes follow the wire form (CRLF, one '>' off quoted From lines)" {
	cat > "$T/m.eml" <<'EOF'
Content-Type: multipart/mixed; boundary=L

--L
Content-Type: text/plain

From the start
>From quoted

last line, its line break is the delimiter's
--L
Content-Type: text/plain


--L--
EOF
	add "$T/m.eml"
	# on disk the From lines carry one more '>'
	grep -q '^>>From quoted$' "$MB"
	run mt 1 bodystructure
	# 3 line ends, as Dovecot counts (its 78 octets keep the '>' that
	# mboxrd adds: Dovecot does not remove it)
	[ "$output" = '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 76 3 NIL NIL NIL NIL)("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "L") NIL NIL NIL)' ]
	sect 1 1
	[ "$(shown)" = "$(printf '%s\n' 'From the start\r' '>From quoted\r' '\r' "last line, its line break is the delimiter's")" ]
	[ "$(wc -c < "$T/data")" -eq 76 ]
	sect 1 2
	[ "$(wc -c < "$T/data")" -eq 0 ]
}

@test "mime: a multipart without its close delimiter ends at the end of the message" {
	cat > "$T/m.eml" <<'EOF'
Content-Type: multipart/mixed; boundary=U

--U
Content-Type: text/plain

first
--U
Content-Type: text/plain

second, never closed
EOF
	add "$T/m.eml"
	run mt 1 bodystructure
	[ "$output" = '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 5 0 NIL NIL NIL NIL)("TEXT" "PLAIN" NIL NIL NIL "7BIT" 22 1 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "U") NIL NIL NIL)' ]
	sect 1 2
	[ "$(shown)" = "$(printf 'second, never closed\\r\n')" ]
}

@test "mime: an empty multipart or one without a boundary still has one (empty) part" {
	printf 'Content-Type: multipart/mixed; boundary=b\n\nno delimiter at all\n' > "$T/a.eml"
	printf 'Content-Type: multipart/mixed\n\nno boundary parameter\n' > "$T/b.eml"
	add "$T/a.eml" "$T/b.eml"
	run mt 1 body
	[ "$output" = '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0) "MIXED")' ]
	run mt 2 body
	[ "$output" = '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0) "MIXED")' ]
	sect 1 1
	[ ! -s "$T/data" ]
}

@test "mime: nesting deeper than the limit gives a bounded structure, and no crash" {
	python3 - "$T/deep.eml" "$T/msgs.eml" "$T/many.eml" <<'EOF'
import sys
s = "Content-Type: multipart/mixed; boundary=x0y\n\n"
for i in range(60):
    s += "--x%dy\nContent-Type: multipart/mixed; boundary=x%dy\n\n" % (i, i + 1)
s += "--x60y\n\ninnermost\n--x60y--\n" + "".join("--x%dy--\n" % i for i in range(59, -1, -1))
open(sys.argv[1], "w").write(s)
open(sys.argv[2], "w").write("".join("Subject: level %d\nContent-Type: message/rfc822\n\n" % i
                                     for i in range(60)) + "Subject: bottom\n\nbottom\n")
open(sys.argv[3], "w").write("Content-Type: multipart/mixed; boundary=m\n\n" +
                             "".join("--m\n\npart %d\n" % i for i in range(3000)) + "--m--\n")
EOF
	add "$T/deep.eml" "$T/msgs.eml" "$T/many.eml"
	run mt 1 bodystructure
	[ "$status" -eq 0 ]
	# 16 levels open (IMAP_MIME_DEPTH_MAX), the 17th is one opaque part
	[ "$(printf '%s' "$output" | tr -cd '(' | wc -c)" -lt 60 ]
	[[ "$output" == '((((((((((((((((("MULTIPART" "MIXED" ("BOUNDARY" "x16y") NIL NIL "7BIT" '* ]]
	sect 1 1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1
	head -n 1 "$T/data" | grep -q -- '^--x16y'
	sect 1 1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1
	[ ! -s "$T/data" ]
	run mt 2 bodystructure
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | grep -o '"RFC822"' | wc -l)" -eq 17 ]
	[[ "$output" == *'(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)'* ]]
	# at most IMAP_MIME_PARTS_MAX parts: the last holds the rest
	run mt 3 body
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | grep -o '"TEXT" "PLAIN"' | wc -l)" -eq 999 ]
	sect 3 999
	grep -q '^part 2999' "$T/data"
}

# ---- ENVELOPE ----

@test "mime: ENVELOPE with groups, quoted display names, encoded words and a route" {
	cat > "$T/m.eml" <<'EOF'
Date: Mon, 01 Jan 2024 12:34:56 +0100 (CET)
From: "Doe, John \"JD\"" <john.doe@example.com>
Sender: =?utf-8?q?J=C3=B6rg?= <joerg@example.net>
To: Team: Ann <ann@example.org>, "Bo B." <bo@example.org>;,
	eve@example.org (Eve E.)
Cc: undisclosed-recipients:;
Subject: =?iso-8859-1?q?Caf=E9?= menu
Message-ID: <m1@example.com>
In-Reply-To: <parent@example.com>
Bcc: <@relay.example:hidden@example.com>

b
EOF
	add "$T/m.eml"
	run mt 1 envelope
	[ "$status" -eq 0 ]
	[ "$output" = '("Mon, 01 Jan 2024 12:34:56 +0100 (CET)" "=?iso-8859-1?q?Caf=E9?= menu" (("Doe, John \"JD\"" NIL "john.doe" "example.com")) (("=?utf-8?q?J=C3=B6rg?=" NIL "joerg" "example.net")) (("Doe, John \"JD\"" NIL "john.doe" "example.com")) ((NIL NIL "Team" NIL)("Ann" NIL "ann" "example.org")("Bo B." NIL "bo" "example.org")(NIL NIL NIL NIL)("Eve E." NIL "eve" "example.org")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL "@relay.example" "hidden" "example.com")) "<parent@example.com>" "<m1@example.com>")' ]
}

@test "mime: ENVELOPE: missing fields are NIL, empty ones empty, Sender and Reply-To default to From" {
	printf 'From: solo@example.com\nTo:\nIn-Reply-To:\nSubject:\n\nb\n' > "$T/a.eml"
	printf 'X-Nothing: here\n\nb\n' > "$T/b.eml"
	add "$T/a.eml" "$T/b.eml"
	run mt 1 envelope
	[ "$output" = '(NIL "" ((NIL NIL "solo" "example.com")) ((NIL NIL "solo" "example.com")) ((NIL NIL "solo" "example.com")) NIL NIL NIL "" NIL)' ]
	run mt 2 envelope
	[ "$output" = '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)' ]
}

@test "mime: ENVELOPE strings that are not safe quoted go out as literals" {
	printf 'From: Zo\303\253 <z@example.com>\nSubject: tab\there, bare\rCR\n\nb\n' > "$T/m.eml"
	add "$T/m.eml"
	run mt 1 envelope
	[ "$output" = "$(printf '(NIL {17}\r\ntab\there, bare\rCR (({4}\r\nZo\303\253 NIL "z" "example.com")) (({4}\r\nZo\303\253 NIL "z" "example.com")) (({4}\r\nZo\303\253 NIL "z" "example.com")) NIL NIL NIL NIL NIL)')" ]
}

# ---- sections ----

@test "mime: sections 1, 1.2, 2.MIME, HEADER and TEXT" {
	nested_message
	add "$T/nested.eml"
	sect 1 1.1
	[ "$(cat "$T/name")" = 'BODY[1.1] {32}' ]
	[ "$(shown)" = "$(printf '%s\n' 'Hello Bob,\r' 'see the attachments.')" ]
	sect 1 1.2
	[ "$(shown)" = '<p>Hello Bob,</p>' ]
	sect 1 1
	[ "$(head -n 1 "$T/data")" = "$(printf -- '--inner\r')" ]
	[ "$(tail -c 9 "$T/data")" = '--inner--' ]
	sect 1 2.MIME
	[ "$(cat "$T/name")" = 'BODY[2.MIME] {143}' ]
	[ "$(shown)" = "$(printf '%s\n' 'Content-Type: application/pdf; name="report.pdf"\r' \
		'Content-Transfer-Encoding: base64\r' \
		'Content-Disposition: attachment; filename="report.pdf"\r' '\r')" ]
	sect 1 HEADER
	[ "$(shown)" = "$(printf '%s\n' 'From: Alice <alice@test.lan>\r' 'To: bob@test.lan\r' \
		'Subject: nested\r' 'MIME-Version: 1.0\r' \
		'Content-Type: multipart/mixed; boundary="outer"\r' '\r')" ]
	sect 1 TEXT
	[ "$(head -n 1 "$T/data")" = "$(printf 'This is a preamble.\r')" ]
	[ "$(tail -c 11 "$T/data")" = "$(printf 'Epilogue.\r\n')" ]
	# HEADER and TEXT make up the message
	sect 1 HEADER
	cp "$T/data" "$T/h"
	sect 1 TEXT
	cat "$T/h" "$T/data" > "$T/ht"
	sect 1 ""
	cmp "$T/ht" "$T/data"
}

@test "mime: HEADER.FIELDS and .NOT: matching fields with their continuations, in order, then the blank line" {
	cat > "$T/m.eml" <<'EOF'
Received: from a.test
	by b.test; Mon, 1 Jan 2024 00:00:00 +0000
Subject: folded
  subject
From: x@test.lan
X-Priority: 3
subject: again, lower case
To: y@test.lan

body
EOF
	add "$T/m.eml"
	sect 1 'HEADER.FIELDS (SUBJECT from X-Missing)'
	[ "$(cat "$T/name")" = 'BODY[HEADER.FIELDS (SUBJECT from X-Missing)] {76}' ]
	[ "$(shown)" = "$(printf '%s\n' 'Subject: folded\r' '  subject\r' 'From: x@test.lan\r' \
		'subject: again, lower case\r' '\r')" ]
	sect 1 'HEADER.FIELDS.NOT (Subject From)'
	[ "$(shown)" = "$(printf '%s\n' 'Received: from a.test\r' \
		'	by b.test; Mon, 1 Jan 2024 00:00:00 +0000\r' 'X-Priority: 3\r' 'To: y@test.lan\r' '\r')" ]
	sect 1 'HEADER.FIELDS (X-None)'
	[ "$(shown)" = '\r' ]
}

@test "mime: message/rfc822 sections: HEADER, TEXT, MIME and the parts of the message inside" {
	rfc822_message
	add "$T/rfc822.eml"
	sect 1 2.MIME
	[ "$(shown)" = "$(printf '%s\n' 'Content-Type: message/rfc822\r' 'Content-Description: forwarded\r' '\r')" ]
	sect 1 2.HEADER
	[ "$(head -n 1 "$T/data")" = "$(printf 'From: "Dave D." <dave@x.test>\r')" ]
	[ "$(tail -c 4 "$T/data")" = "$(printf '\r\n\r\n')" ]
	sect 1 '2.HEADER.FIELDS (Subject)'
	[ "$(cat "$T/name")" = 'BODY[2.HEADER.FIELDS (Subject)] {21}' ]
	[ "$(shown)" = "$(printf '%s\n' 'Subject: original\r' '\r')" ]
	sect 1 2.TEXT
	[ "$(head -n 1 "$T/data")" = "$(printf -- '--b2\r')" ]
	sect 1 2.1
	[ "$(shown)" = 'plain' ]
	sect 1 2.2
	[ "$(shown)" = '<b>html</b>' ]
	sect 1 2.2.MIME
	[ "$(shown)" = "$(printf '%s\n' 'Content-Type: text/html; charset=us-ascii\r' '\r')" ]
}

# The answers of the next three tests are Dovecot 2.3's on the same messages
# (compared), but for HEADER.FIELDS.NOT of a message without a body: Dovecot
# leaves the blank line out there; RFC 3501 6.4.5 puts it in, as here.
@test "mime: HEADER.FIELDS ends with the blank line, body or not; none present is CRLF" {
	printf 'From: a@b.c\nSubject: no body\nTo: x@y.z\n' > "$T/a.eml"
	printf 'From: a@b.c\nSubject: with body\n\nbody\n' > "$T/b.eml"
	add "$T/a.eml" "$T/b.eml"
	sect 1 'HEADER.FIELDS (Subject)'
	[ "$(shown)" = "$(printf '%s\n' 'Subject: no body\r' '\r')" ]
	for n in 1 2; do
		sect $n 'HEADER.FIELDS (X-None)'
		[ "$(cat "$T/name")" = 'BODY[HEADER.FIELDS (X-None)] {2}' ]
		[ "$(shown)" = '\r' ]
		sect $n 'HEADER.FIELDS.NOT (From Subject To)'
		[ "$(shown)" = '\r' ]
	done
	sect 1 'HEADER.FIELDS.NOT (Subject)'
	[ "$(shown)" = "$(printf '%s\n' 'From: a@b.c\r' 'To: x@y.z\r' '\r')" ]
	sect 2 'HEADER.FIELDS.NOT (Subject)'
	[ "$(shown)" = "$(printf '%s\n' 'From: a@b.c\r' '\r')" ]
	# a window of it, the blank line included
	sect 1 'HEADER.FIELDS (Subject)' 16 10
	[ "$(shown)" = "$(printf '%s\n' '\r' '\r')" ]
}

@test "mime: the parts of a message/delivery-status are addressable like any leaf" {
	cat > "$T/bounce.eml" <<'EOF'
From: MAILER-DAEMON@b.c
To: a@b.c
Subject: Undelivered Mail
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

The mail could not be delivered.

--R
Content-Type: message/delivery-status

Reporting-MTA: dns; b.c
Arrival-Date: Mon, 2 Mar 2026 09:00:00 +0000

Final-Recipient: rfc822; nobody@b.c
Action: failed
Status: 5.1.1

--R
Content-Type: message/rfc822

From: a@b.c
Subject: original

original body
--R--
EOF
	add "$T/bounce.eml"
	run mt 1 bodystructure
	[ "$output" = '(("TEXT" "PLAIN" NIL NIL NIL "7BIT" 34 1 NIL NIL NIL NIL)("MESSAGE" "DELIVERY-STATUS" NIL NIL NIL "7BIT" 141 NIL NIL NIL NIL)("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 47 (NIL "original" ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 13 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL) "REPORT" ("REPORT-TYPE" "delivery-status" "BOUNDARY" "R") NIL NIL NIL)' ]
	sect 1 2.1
	[ "$(cat "$T/name")" = 'BODY[2.1] {141}' ]
	[ "$(head -n 1 "$T/data")" = "$(printf 'Reporting-MTA: dns; b.c\r')" ]
	[ "$(tail -n 1 "$T/data")" = "$(printf 'Status: 5.1.1\r')" ]
	sect 1 2.1.MIME
	[ "$(shown)" = "$(printf '%s\n' 'Content-Type: message/delivery-status\r' '\r')" ]
	sect 1 1.1
	[ "$(cat "$T/name")" = 'BODY[1.1] {34}' ]
	sect 1 3.1
	[ "$(shown)" = 'original body' ]
	for spec in 2.2 2.2.MIME 2.1.1 2.HEADER 2.TEXT 3.1.1; do
		sect 1 "$spec"
		[ "$(cat "$T/name")" = "BODY[$spec] {0}" ]
	done
}

@test "mime: a window of length 0 is empty wherever it starts" {
	printf 'From: a@b.c\nSubject: with body\n\nbody\n' > "$T/b.eml"
	add "$T/b.eml"
	sect 1 '' 0 0
	[ "$(cat "$T/name")" = 'BODY[]<0> {0}' ]
	sect 1 '' 1 0
	[ "$(cat "$T/name")" = 'BODY[]<1> {0}' ]
	sect 1 'HEADER.FIELDS (Subject)' 0 0
	[ "$(cat "$T/name")" = 'BODY[HEADER.FIELDS (Subject)]<0> {0}' ]
	sect 1 '' 0 5
	[ "$(cat "$T/data")" = 'From:' ]
	# and through imapd: <0.0> is a valid partial
	deliver_file alice "$T/b.eml" > /dev/null
	printf 'L LOGIN alice %s\r\nS EXAMINE INBOX\r\nF FETCH 1 (BODY.PEEK[]<0.0> BODY.PEEK[]<2.0>)\r\nZ LOGOUT\r\n' \
		"$ALICE_PW" | imap | replies > "$T/out"
	grep -qx 'F OK FETCH completed' "$T/out"
	[ "$(grep -A2 '^\* 1 FETCH' "$T/out")" = "$(printf '%s\n' '* 1 FETCH (BODY[]<0> {0}' ' BODY[]<2> {0}' ')')" ]
}

@test "mime: address lists: CFWS and quoting removed, addr-specs and the written form" {
	printf 'Subject: x\n\nb\n' > "$T/m.eml"
	add "$T/m.eml"
	run mt 1 addresses '<user-from (comment)@ (comment) domain.org>'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' user-from@domain.org '= <user-from@domain.org>')" ]
	run mt 1 addresses '"Jo \"J\" Smith" <j@x.org>, Ann <ann (c) @ (d) x.org>, team: a@b.c, c@d.e;, bare@x (Comment Name), <@r1,@r2:route@z.org>, nohost'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' j@x.org ann@x.org a@b.c c@d.e bare@x route@z.org nohost \
		'= "Jo \"J\" Smith" <j@x.org>, Ann <ann@x.org>, team: <a@b.c>, <c@d.e>;, "Comment Name" <bare@x>, <@r1,@r2:route@z.org>, <nohost>')" ]
	# nothing that is an address: no addr-spec, and no crash
	run mt 1 addresses '(only a comment) ,;: <> @'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
}

@test "mime: part 1 of a single-part message is its body, 1.MIME its header" {
	printf 'Subject: single\n\nonly body\n' > "$T/m.eml"
	add "$T/m.eml"
	sect 1 1
	[ "$(shown)" = 'only body\r' ]
	sect 1 1.MIME
	[ "$(shown)" = "$(printf '%s\n' 'Subject: single\r' '\r')" ]
	sect 1 2
	[ ! -s "$T/data" ]
}

@test "mime: a part that does not exist is empty" {
	nested_message
	add "$T/nested.eml"
	for spec in 4 1.3 2.1.1 9.9.9 2.HEADER 1.TEXT 3.1.1.MIME 1.1.1.1; do
		sect 1 "$spec"
		[ "$(cat "$T/name")" = "BODY[$spec] {0}" ]
		[ ! -s "$T/data" ]
	done
}

@test "mime: part 1 of a leaf is the leaf, once (as Dovecot answers)" {
	nested_message
	add "$T/nested.eml"
	sect 1 2
	cp "$T/data" "$T/whole"
	sect 1 2.1
	[ "$(cat "$T/name")" = "BODY[2.1] {90}" ]
	cmp "$T/data" "$T/whole"
	sect 1 3.MIME
	cp "$T/data" "$T/whole"
	sect 1 3.1.MIME
	[ "$(cat "$T/name")" = "BODY[3.1.MIME] {123}" ]
	cmp "$T/data" "$T/whole"
	sect 1 1.2.1
	[ "$(cat "$T/name")" = "BODY[1.2.1] {17}" ]
}

@test "mime: partial fetches of a section concatenate to the whole, past the end is empty" {
	nested_message
	add "$T/nested.eml"
	for spec in "" TEXT 1 2.MIME 'HEADER.FIELDS (From To)'; do
		sect 1 "$spec"
		cp "$T/data" "$T/whole"
		size=$(wc -c < "$T/whole")
		: > "$T/joined"
		for ((at = 0; at < size; at += 37)); do
			sect 1 "$spec" "$at" 37
			cat "$T/data" >> "$T/joined"
		done
		cmp "$T/whole" "$T/joined"
	done
	sect 1 "" 100000 10
	[ "$(cat "$T/name")" = 'BODY[]<100000> {0}' ]
	[ ! -s "$T/data" ]
	sect 1 1.1 30 100
	[ "$(cat "$T/name")" = 'BODY[1.1]<30> {2}' ]
	[ "$(cat "$T/data")" = 's.' ]
}

@test "mime: section specs: bad syntax is refused, field names are echoed as astrings" {
	printf 'Subject: s\nX-Odd Name: nope\nDate: d\n\nb\n' > "$T/m.eml"
	add "$T/m.eml"
	for bad in MIME 0 1. 01 1..2 HEADER.FIELDS 'HEADER.FIELDS ()' 'HEADER.FIELDS (a' \
		'HEADER.FIELDS  (a)' 'HEADER.FIELDS (a) ' TEXT.1 1.BOGUS 'HEADER.FIELDS ("a)' \
		4294967296 '1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1'; do
		run mt 1 section "$bad"
		[ "$status" -eq 2 ]
	done
	sect 1 "$(printf 'header.fields (date "X-Odd Name" {7}\r\nSUBJECT)')"
	[ "$(cat "$T/name")" = 'BODY[HEADER.FIELDS (date "X-Odd Name" SUBJECT)] {23}' ]
	[ "$(shown)" = "$(printf '%s\n' 'Subject: s\r' 'Date: d\r' '\r')" ]
	sect 1 1.mime
	[ "$(cat "$T/name")" = 'BODY[1.MIME] {41}' ]
}

@test "mime: a message stored with CRLF line ends has the same sections" {
	printf 'From x@y Mon Jan  1 00:00:00 2024\nSubject: crlf\r\nTo: a@b\r\n\r\nline1\r\nline2\r\n\n' > "$MB"
	sect 1 HEADER
	[ "$(shown)" = "$(printf '%s\n' 'Subject: crlf\r' 'To: a@b\r' '\r')" ]
	sect 1 TEXT
	[ "$(shown)" = "$(printf '%s\n' 'line1\r' 'line2\r')" ]
	run mt 1 bodystructure
	[ "$output" = '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 14 2 NIL NIL NIL NIL)' ]
}

@test "mime: a message delivered through smtpd has the structure and sizes of the one written directly" {
	nested_message
	add "$T/nested.eml"
	deliver_file alice "$T/nested.eml" > /dev/null
	expected=$(mt 1 bodystructure)
	run "$MIMETOOL" "$(inbox alice)" 1 bodystructure
	[ "$status" -eq 0 ]
	[ "$output" = "$expected" ]
	MB=$(inbox alice)
	sect 1 ""
	[ "$(wc -c < "$T/data")" -eq "$("$MBOXCHECK" -l "$MB" | awk 'NR == 2 { print $3 }')" ]
	sect 1 'HEADER.FIELDS (Subject)'
	[ "$(shown)" = "$(printf '%s\n' 'Subject: nested\r' '\r')" ]
}

# ---- search ----

search_messages() {
	printf '%s\n' 'Subject: =?ISO-8859-1?Q?Caf=E9_cr=E8me?= and' '  more' \
		'From: =?utf-8?B?SsO2cmc=?= <j@example.com>' 'X-Empty:' '' 'plain body' > "$T/h.eml"
	b64=$(printf 'Gr\303\274\303\237e aus M\303\274nchen\n' | base64)
	cat > "$T/b64.eml" <<EOF
Subject: base64
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

$b64
EOF
	cat > "$T/qp.eml" <<'EOF'
Subject: quoted-printable
Content-Type: multipart/mixed; boundary=q

--q
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Le caf=C3=A9 est tr=C3=A8s cha=
ud, en latin-1:
--q
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

na=EFf
--q
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

c2VjcmV0IGluIGFuIGF0dGFjaG1lbnQK
--q--
EOF
	add "$T/h.eml" "$T/b64.eml" "$T/qp.eml"
}

@test "mime: search header: unfolded, encoded words decoded, case-insensitive" {
	search_messages
	# white space runs (here the fold "and\n  more") read as one space,
	# as Dovecot compares (it finds "and more", not "and  more")
	run mt 1 search header subject 'CAFÉ CRÈME AND MORE'
	[ "$output" = match ]
	run mt 1 search header subject 'CAFÉ CRÈME AND  MORE'
	[ "$output" = 'no match' ]
	run mt 1 search header SUBJECT 'crème'
	[ "$output" = match ]
	run mt 1 search header from 'JÖRG'
	[ "$output" = match ]
	run mt 1 search header from 'café'
	[ "$status" -eq 1 ]
	[ "$output" = 'no match' ]
	# an empty string tests that the field is there
	run mt 1 search header x-empty ''
	[ "$output" = match ]
	run mt 1 search header x-absent ''
	[ "$output" = 'no match' ]
	# the body is not the header
	run mt 1 search header subject 'plain body'
	[ "$output" = 'no match' ]
}

@test "mime: search body: base64 and quoted-printable text decoded, attachments not searched" {
	search_messages
	run mt 2 search body 'grüße aus MÜNCHEN'
	[ "$output" = match ]
	run mt 2 search body 'R3L'		# a piece of the base64 itself
	[ "$output" = 'no match' ]
	run mt 3 search body 'CAFÉ EST TRÈS CHAUD'	# across a soft line break
	[ "$output" = match ]
	run mt 3 search body 'naïf'			# ISO-8859-1 read as UTF-8
	[ "$output" = match ]
	run mt 3 search body 'secret'
	[ "$output" = 'no match' ]
	run mt 1 search body 'subject'
	[ "$output" = 'no match' ]
}

@test "mime: search text covers the header and the body" {
	search_messages
	run mt 1 search text 'Plain BODY'
	[ "$output" = match ]
	run mt 1 search text 'x-empty'
	[ "$output" = match ]
	run mt 2 search text 'MÜNCHEN'
	[ "$output" = match ]
	run mt 2 search text 'nowhere at all'
	[ "$output" = 'no match' ]
	# the MIME headers of the parts are text, not body
	run mt 3 search text 'APPLICATION/OCTET-STREAM'
	[ "$output" = match ]
	run mt 3 search body 'application/octet-stream'
	[ "$output" = 'no match' ]
	# a line break matches whether the needle has CRLF or LF
	run mt 3 search text "$(printf 'cha=\r\nud')"
	[ "$output" = 'no match' ]
	run mt 3 search body "$(printf 'CHAUD, EN\r\nLATIN')"
	[ "$output" = 'no match' ]
	run mt 3 search body "$(printf 'chaud, en latin-1:\r\n')"
	[ "$output" = match ]
}

@test "mime: search finds matches across the read chunks of a large message" {
	# The reader takes 64 KiB at a time from the start of the body: each
	# needle below straddles such an edge (plain, base64, quoted-printable).
	python3 - "$T" <<'EOF'
import base64, sys
t = sys.argv[1]
def filler(n):
    lines = "".join("%-99s\n" % ("filler line %d" % i) for i in range(n // 100))
    return lines + "x" * (n - len(lines))
body = filler(65536 - 5) + "NEEDLE-ACROSS\n" + filler(3 * 65536)
open(t + "/plain.eml", "w").write("Subject: big plain\n\n" + body + "tail\n")
raw = filler(200000).encode() + b"Base64-Needle\n" + filler(10000).encode()
enc = base64.encodebytes(raw).decode()
cut = enc.index("\n", 65536 - 40) + 1
open(t + "/b64.eml", "w").write("Subject: big base64\nContent-Transfer-Encoding: base64\n\n" + enc)
qp = filler(65536 - 4) + "QP-=\nNeedle\n"
open(t + "/qp.eml", "w").write("Subject: big qp\nContent-Transfer-Encoding: quoted-printable\n\n" + qp)
EOF
	add "$T/plain.eml" "$T/b64.eml" "$T/qp.eml"
	run mt 1 search body 'needle-across'
	[ "$output" = match ]
	run mt 1 search body 'NEEDLE-ACROSS-NOT'
	[ "$output" = 'no match' ]
	run mt 2 search body 'base64-needle'
	[ "$output" = match ]
	run mt 3 search text 'qp-needle'
	[ "$output" = match ]
	# and the sizes of a large message are the bytes produced
	sect 1 TEXT
	[ "$(wc -c < "$T/data")" -gt 262144 ]
	# (the needle is at 65531 on disk, after 655 lines that gained a CR)
	sect 1 TEXT $((65531 + 655 - 1)) 20
	[ "$(cat "$T/data")" = "$(printf 'xNEEDLE-ACROSS\r\nfill')" ]
}

# ---- Date ----

@test "mime: the Date field, in RFC 5322 and obsolete forms" {
	for d in 'Fri, 21 Nov 1997 09:55:06 -0600' '21 Nov 97 09:55:06 GMT' \
		'Sat, 1 Jan 2000 00:00 EST' '1 Jan 49 12:00:00 +0000 (UTC)' \
		'Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)' 'not a date'; do
		printf 'Date: %s\n\nb\n' "$d" > "$T/m.eml"
		add "$T/m.eml"
	done
	printf 'Subject: no date\n\nb\n' > "$T/m.eml"
	add "$T/m.eml"
	[ "$(mt 1 date)" = "$(date -u -d '1997-11-21 15:55:06' +%s) -0600" ]
	[ "$(mt 2 date)" = "$(date -u -d '1997-11-21 09:55:06' +%s) +0000" ]
	[ "$(mt 3 date)" = "$(date -u -d '2000-01-01 05:00:00' +%s) -0500" ]
	[ "$(mt 4 date)" = "$(date -u -d '2049-01-01 12:00:00' +%s) +0000" ]
	[ "$(mt 5 date)" = "$(date -u -d '1969-02-14 03:02:00' +%s) -0330" ]
	run mt 6 date
	[ "$status" -eq 1 ]
	[ "$output" = none ]
	run mt 7 date
	[ "$output" = none ]
}
