#!/usr/bin/env bats
# imapd: piped transcripts of the commands and their errors.

load lib

setup() {
	setup_spool
	for i in 1 2 3; do
		printf 'From: Sender %d <s%d@remote.test>\r\nTo: alice@test.lan\r\nSubject: message %d\r\nDate: Mon, 2 Nov 2026 10:0%d:00 +0000\r\n\r\nbody %d\r\n.dot line\r\nFrom line\r\n' "$i" "$i" "$i" "$i" "$i" > "$T/m$i"
		deliver_file alice "$T/m$i" >/dev/null
	done
}
teardown() { teardown_spool; }

# session LINES... : a logged-in session with alice; prints the replies
session() {
	{ printf 'L LOGIN alice %s\r\n' "$ALICE_PW"; printf '%s\r\n' "$@"; printf 'Z LOGOUT\r\n'; } | imap "${IMAP_FLAGS[@]}" | replies
}
IMAP_FLAGS=()

@test "imapd: greeting carries the capabilities; CAPABILITY lists exactly them" {
	out=$(printf 'a CAPABILITY\r\nb LOGOUT\r\n' | imap | replies)
	caps='IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN IDLE UIDPLUS MOVE NAMESPACE ID UNSELECT CHILDREN'
	[ "$(echo "$out" | sed -n 1p)" = "* OK [CAPABILITY $caps] facteur IMAP4rev1 ready" ]
	[ "$(echo "$out" | sed -n 2p)" = "* CAPABILITY $caps" ]
	[ "$(echo "$out" | sed -n 3p)" = "a OK CAPABILITY completed" ]
	[ "$(echo "$out" | sed -n 4p)" = "* BYE facteur IMAP4rev1 server logging out" ]
	[ "$(echo "$out" | sed -n 5p)" = "b OK LOGOUT completed" ]
}

@test "imapd: before login only CAPABILITY, NOOP, LOGOUT, ID, LOGIN, AUTHENTICATE; 3 BAD then BYE" {
	out=$(printf 'a NOOP\r\nb ID NIL\r\nc SELECT INBOX\r\nd FETCH 1 FLAGS\r\ne LIST "" *\r\nf NOOP\r\n' | imap | replies || true)
	[ "$(echo "$out" | sed -n 2p)" = "a OK NOOP completed" ]
	[ "$(echo "$out" | sed -n 4p)" = "b OK ID completed" ]
	[ "$(echo "$out" | sed -n 5p)" = "c BAD [CLIENTBUG] SELECT not allowed before login" ]
	[ "$(echo "$out" | sed -n 6p)" = "d BAD [CLIENTBUG] FETCH not allowed before login" ]
	[ "$(echo "$out" | tail -n 1)" = "* BYE Too many bad commands" ]
	! echo "$out" | grep -q '^f ' || false
}

@test "imapd: the pre-auth timeout is short (-P) and ends with BYE" {
	start=$(date +%s)
	(printf 'a NOOP\r\n'; sleep 5) | { imap -P 1 > "$T/out" || true; date +%s > "$T/end"; }
	[ $(( $(cat "$T/end") - start )) -le 3 ]
	[ "$(replies < "$T/out" | tail -n 1)" = "* BYE Autologout; idle for too long" ]
}

@test "imapd: LOGIN with atoms, quoted strings and literals; failures" {
	out=$(printf 'a LOGIN "alice" {%d}\r\n%s\r\nb LOGOUT\r\n' "${#ALICE_PW}" "$ALICE_PW" | imap | replies)
	[ "$(echo "$out" | sed -n 2p)" = "+ Ready for literal data" ]
	echo "$out" | sed -n 3p | grep -q '^a OK \[CAPABILITY .*\] Logged in$'
	a=$(printf 'a LOGIN alice wrong\r\n' | imap | replies | sed -n 2p)
	b=$(printf 'a LOGIN nosuch wrong\r\n' | imap | replies | sed -n 2p)
	[ "$a" = "a NO [AUTHENTICATIONFAILED] Authentication failed" ]
	[ "$a" = "$b" ]
	out=$(printf 'a LOGIN alice x\r\nb LOGIN alice y\r\nc LOGIN alice z\r\nd NOOP\r\n' | imap | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "* BYE Too many authentication failures" ]
}

@test "imapd: AUTHENTICATE PLAIN with SASL-IR, with continuation, cancelled" {
	r=$(printf '\0alice\0%s' "$ALICE_PW" | base64 -w0)
	out=$(printf 'a AUTHENTICATE PLAIN %s\r\nb LOGOUT\r\n' "$r" | imap | replies)
	echo "$out" | sed -n 2p | grep -q '^a OK \[CAPABILITY'
	out=$(printf 'a authenticate PLAIN\r\n%s\r\nb LOGOUT\r\n' "$r" | imap | replies)
	[ "$(echo "$out" | sed -n 2p)" = "+ " ]
	echo "$out" | sed -n 3p | grep -q '^a OK \[CAPABILITY'
	out=$(printf 'a AUTHENTICATE PLAIN\r\n*\r\nb AUTHENTICATE CRAM-MD5\r\nc LOGOUT\r\n' | imap | replies)
	[ "$(echo "$out" | sed -n 3p)" = "a BAD Authentication cancelled" ]
	[ "$(echo "$out" | sed -n 4p)" = "b NO [CANNOT] Unsupported authentication mechanism" ]
}

@test "imapd: literal limits: huge literals refused without +, APPEND of exactly n bytes works" {
	out=$(printf 'a LOGIN {99999999999}\r\nb LOGIN {4294967296}\r\nc NOOP\r\n' | imap | replies || true)
	! echo "$out" | grep -q '^+' || false
	[ "$(echo "$out" | sed -n 2p)" = "a BAD [TOOBIG] Literal too large" ]
	[ "$(echo "$out" | sed -n 3p)" = "b BAD [TOOBIG] Literal too large" ]
	out=$(session 'a APPEND INBOX {10}' '0123456789' 'b STATUS INBOX (MESSAGES)' 'c SELECT INBOX' 'd FETCH 4 BODY[]')
	echo "$out" | grep -q '^a OK \[APPENDUID [0-9]* 4\] APPEND completed$'
	echo "$out" | grep -qx '0123456789'
}

@test "imapd: a non-synchronizing literal over the limit ends the session with BYE" {
	out=$(printf 'a LOGIN alice {70000+}\r\n' | imap -k 65536 | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "* BYE [TOOBIG] Literal too large" ]
}

@test "imapd: APPEND of 10 announced bytes then disconnect stores nothing" {
	before=$(count_messages "$(inbox alice)")
	{ printf 'L LOGIN alice %s\r\na APPEND INBOX {10}\r\n01234' "$ALICE_PW"; } | imap >/dev/null || true
	[ "$(count_messages "$(inbox alice)")" = "$before" ]
	"$MBOXCHECK" "$(inbox alice)"
}

@test "imapd: too many literals in one command is BAD" {
	cmd='a LOGIN'
	{ printf 'a ID ('; for i in $(seq 21); do printf '{1}\r\nx {1}\r\ny '; done; printf ')\r\nb NOOP\r\n'; } > "$T/in"
	out=$(imap < "$T/in" | replies || true)
	echo "$out" | grep -qx 'a BAD \[TOOBIG\] Too many literals in one command'
	# 20 continuations, then the BAD instead of a 21st
	[ "$(echo "$out" | sed '/^a BAD/q' | grep -c '^+ Ready')" -eq 20 ]
	[ "$(echo "$out" | sed -n '/^a BAD/{x;p;q};h')" = "+ Ready for literal data" ]
}

@test "imapd: quoted strings with 8-bit bytes or bad escapes are BAD, session goes on" {
	out=$(printf 'a LOGIN "al\xe9ice" x\r\nb LOGIN "a\\qb" x\r\nc NOOP\r\n' | imap | replies || true)
	[ "$(echo "$out" | sed -n 2p)" = "a BAD [CLIENTBUG] Invalid arguments to LOGIN" ]
	[ "$(echo "$out" | sed -n 3p)" = "b BAD [CLIENTBUG] Invalid arguments to LOGIN" ]
	[ "$(echo "$out" | sed -n 4p)" = "c OK NOOP completed" ]
}

@test "imapd: a command line of 64 KiB is read; one byte more ends the session with BYE" {
	# "a NOOP " + filler + CRLF = 65536 octets, the default -c
	fill=$(head -c 65527 /dev/zero | tr '\0' x)
	out=$(printf 'a NOOP %s\r\nb NOOP\r\n' "$fill" | imap | replies || true)
	echo "$out" | grep -qx 'a BAD \[CLIENTBUG\] Invalid arguments to NOOP'
	echo "$out" | grep -qx 'b OK NOOP completed'
	out=$(printf 'a NOOP %sx\r\nb NOOP\r\n' "$fill" | imap | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "* BYE [TOOBIG] Command line too long" ]
	# -c still sets it
	out=$(printf 'a NOOP %s\r\nb NOOP\r\n' "$(head -c 9000 /dev/zero | tr '\0' x)" | imap -c 9000 | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "* BYE [TOOBIG] Command line too long" ]
}

@test "imapd: ID with 30 field pairs on one 31,807-octet line (imaptest's) is answered" {
	line=$(python3 -c '
import string
keys = list(string.ascii_lowercase) + ["aa", "ab", "ac", "ad"]
pairs = []
for i, k in enumerate(keys):
    key = (k + "234567890123456789012345678901")[:30]
    # RFC 2971: fields of 30 octets, values of 1024 (one a byte short)
    pairs.append("\"%s\" \"%s\"" % (key, ("1234567890" * 103)[:1024 - (i == 29)]))
print("a ID (" + " ".join(pairs) + ")")')
	[ "$(( ${#line} + 2 ))" -eq 31807 ]
	out=$(printf '%s\r\nb NOOP\r\n' "$line" | imap | replies)
	echo "$out" | grep -qx '\* ID ("name" "facteur" "vendor" "facteur")'
	echo "$out" | grep -qx 'a OK ID completed'
	echo "$out" | grep -qx 'b OK NOOP completed'
}

@test "imapd: SELECT reports FLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY, UIDNEXT, READ-WRITE" {
	out=$(session 'a select inbox')
	[ "$(echo "$out" | sed -n 3p)" = '* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)' ]
	[ "$(echo "$out" | sed -n 4p)" = '* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted' ]
	[ "$(echo "$out" | sed -n 5p)" = '* 3 EXISTS' ]
	[ "$(echo "$out" | sed -n 6p)" = '* 3 RECENT' ]
	[ "$(echo "$out" | sed -n 7p)" = '* OK [UNSEEN 1] First unseen' ]
	echo "$out" | sed -n 8p | grep -Eq '^\* OK \[UIDVALIDITY [0-9]+\] UIDs valid$'
	[ "$(echo "$out" | sed -n 9p)" = '* OK [UIDNEXT 4] Predicted next UID' ]
	[ "$(echo "$out" | sed -n 10p)" = 'a OK [READ-WRITE] SELECT completed' ]
}

@test "imapd: \Recent is seen by one session only; EXAMINE does not take it" {
	out=$(session 'a EXAMINE INBOX')
	echo "$out" | grep -qx '\* 3 RECENT'
	echo "$out" | grep -qx '\* OK \[PERMANENTFLAGS ()\] Flags permitted'
	echo "$out" | grep -qx 'a OK \[READ-ONLY\] EXAMINE completed'
	session 'a SELECT INBOX' | grep -qx '\* 3 RECENT'
	session 'a SELECT INBOX' | grep -qx '\* 0 RECENT'
	deliver_file alice "$T/m1" >/dev/null
	out=$(session 'a SELECT INBOX' 'b FETCH 1:* FLAGS')
	echo "$out" | grep -qx '\* 1 RECENT'
	echo "$out" | grep -qx '\* 4 FETCH (FLAGS (\\Recent))'
	echo "$out" | grep -qx '\* 1 FETCH (FLAGS ())'
}

@test "imapd: INBOX in any case; bad names are NO; a missing mailbox is NONEXISTENT" {
	out=$(session 'a SELECT iNbOx' 'b SELECT ../x' 'c SELECT /etc/passwd' 'd SELECT ~root' 'e SELECT "a\"b"' 'f SELECT .hidden' 'g SELECT Nope')
	echo "$out" | grep -qx 'a OK \[READ-WRITE\] SELECT completed'
	echo "$out" | grep -qx 'b NO \[CANNOT\] Invalid mailbox name'
	echo "$out" | grep -qx 'c NO \[CANNOT\] Invalid mailbox name'
	echo "$out" | grep -qx 'd NO \[NONEXISTENT\] No such mailbox'
	echo "$out" | grep -qx 'f NO \[CANNOT\] Invalid mailbox name'
	echo "$out" | grep -qx 'g NO \[NONEXISTENT\] No such mailbox'
	[ ! -e /etc/passwd.index ] && [ ! -e "$SPOOL/x" ] || false
}

@test "imapd: FETCH items and macros" {
	out=$(session 'a SELECT INBOX' 'b FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE)' 'c FETCH 2 ENVELOPE' 'd FETCH 2 BODY' 'e FETCH 1 FAST' 'f FETCH 1 ALL' 'g UID FETCH 3 FLAGS' 'h FETCH 1 (BODYSTRUCTURE)')
	size=$("$MBOXCHECK" -x 1 "$(inbox alice)" | wc -c)
	echo "$out" | grep -Eq "^\* 1 FETCH \(UID 1 FLAGS \(\\\\Recent\) RFC822.SIZE $size INTERNALDATE \"[0-9]{2}-[A-Z][a-z]{2}-[0-9]{4} [0-9:]{8} \+0000\"\)$"
	echo "$out" | grep -qF '* 2 FETCH (ENVELOPE ("Mon, 2 Nov 2026 10:02:00 +0000" "message 2" (("Sender 2" NIL "s2" "remote.test")) (("Sender 2" NIL "s2" "remote.test")) (("Sender 2" NIL "s2" "remote.test")) ((NIL NIL "alice" "test.lan")) NIL NIL NIL NIL))'
	echo "$out" | grep -qF '* 2 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" '
	echo "$out" | grep -Eq '^\* 1 FETCH \(FLAGS \(\\Recent\) INTERNALDATE "[^"]+" RFC822.SIZE [0-9]+\)$'
	echo "$out" | grep -Eq '^\* 1 FETCH \(FLAGS \(\\Recent\) INTERNALDATE "[^"]+" RFC822.SIZE [0-9]+ ENVELOPE \('
	echo "$out" | grep -qx '\* 3 FETCH (UID 3 FLAGS (\\Recent))'
	echo "$out" | grep -qF '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" '
}

@test "imapd: BODY[] is byte-exact (CRLF, unquoted From), sets \Seen; BODY.PEEK does not" {
	{ printf 'L LOGIN alice %s\r\na SELECT INBOX\r\nb FETCH 2 BODY.PEEK[]\r\nc FETCH 2 FLAGS\r\nd FETCH 2 BODY[]\r\ne FETCH 2 FLAGS\r\nZ LOGOUT\r\n' "$ALICE_PW"; } | imap > "$T/out"
	python3 - "$T/out" "$T/wire" <<-'PY'
	import sys, re
	data = open(sys.argv[1], "rb").read()
	m = re.search(rb"\* 2 FETCH \(BODY\[\] \{(\d+)\}\r\n", data)
	n = int(m.group(1))
	open(sys.argv[2], "wb").write(data[m.end():m.end() + n])
	PY
	"$MBOXCHECK" -x 2 "$(inbox alice)" | cmp - "$T/wire"
	grep -q '^From line' "$T/wire"
	replies < "$T/out" | grep -qx '\* 2 FETCH (FLAGS (\\Recent))'
	replies < "$T/out" | grep -qx ' FLAGS (\\Seen \\Recent))'
	replies < "$T/out" | grep -qx '\* 2 FETCH (FLAGS (\\Seen \\Recent))'
}

@test "imapd: sections, partial fetches that concatenate to the whole, RFC822.* forms" {
	{ printf 'L LOGIN alice %s\r\na EXAMINE INBOX\r\n' "$ALICE_PW"
	  for o in 0 50 100 150 200; do printf 'p%d FETCH 1 BODY.PEEK[]<%d.50>\r\n' "$o" "$o"; done
	  printf 'b FETCH 1 (BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT)])\r\n'
	  printf 'c FETCH 1 (RFC822.HEADER RFC822.TEXT)\r\nd FETCH 1 BODY[]<4294967295.1>\r\ne FETCH 1 BODY[]<0.4294967295>\r\nZ LOGOUT\r\n'; } | imap > "$T/out"
	python3 - "$T/out" "$T/whole" <<-'PY'
	import sys, re
	data = open(sys.argv[1], "rb").read()
	parts = b""
	for o in (0, 50, 100, 150, 200):
	    m = re.search(rb"\* 1 FETCH \(BODY\[\]<%d> \{(\d+)\}\r\n" % o, data)
	    parts += data[m.end():m.end() + int(m.group(1))]
	open(sys.argv[2], "wb").write(parts)
	assert b"BODY[HEADER.FIELDS (SUBJECT)] {22}\r\nSubject: message 1\r\n\r\n" in data, data
	assert b"BODY[]<4294967295> {0}\r\n" in data
	assert b"RFC822.HEADER {" in data and b"RFC822.TEXT {" in data
	PY
	"$MBOXCHECK" -x 1 "$(inbox alice)" | head -c 250 | cmp - "$T/whole"
}

@test "imapd: sequence sets: 0, out of range, reversed, *, on an empty mailbox" {
	out=$(session 'a SELECT INBOX' 'b FETCH 0 FLAGS' 'c FETCH 1:4294967295 UID' 'd FETCH *:1 UID' 'e FETCH 5 UID' 'f UID FETCH 1:* UID' 'g UID FETCH 99:* UID' 'h FETCH 1,1,1:2 UID')
	echo "$out" | grep -qx 'b BAD \[CLIENTBUG\] Invalid arguments to FETCH'
	[ "$(echo "$out" | sed -n '/^\* [0-9] FETCH (UID/p' | head -n 6 | tr '\n' '|')" = '* 1 FETCH (UID 1)|* 2 FETCH (UID 2)|* 3 FETCH (UID 3)|* 1 FETCH (UID 1)|* 2 FETCH (UID 2)|* 3 FETCH (UID 3)|' ]
	echo "$out" | grep -qx 'e BAD \[CLIENTBUG\] Invalid message sequence number (3 messages)'
	[ "$(echo "$out" | sed -n '/^f OK/,$p' | sed -n 2p)" = '* 3 FETCH (UID 3)' ]
	[ "$(echo "$out" | grep -c '^\* 1 FETCH (UID 1)')" -eq 4 ]
	out=$(printf 'a LOGIN bob %s\r\nb SELECT INBOX\r\nc UID FETCH 1:* (FLAGS)\r\nd FETCH 1:* FLAGS\r\ne LOGOUT\r\n' "$BOB_PW" | imap | replies)
	echo "$out" | grep -qx '\* 0 EXISTS'
	echo "$out" | grep -qx 'c OK UID FETCH completed'
	echo "$out" | grep -qx 'd BAD \[CLIENTBUG\] Invalid message sequence number (0 messages)'
}

@test "imapd: STORE FLAGS/+FLAGS/-FLAGS, .SILENT, keywords, and flags persist" {
	out=$(session 'a SELECT INBOX' 'b STORE 1 +FLAGS (\Flagged $Label1)' 'c STORE 1:2 -FLAGS.SILENT (\Flagged)' 'd UID STORE 2 FLAGS (\Answered \Draft)' 'e STORE 1 +FLAGS (\Recent)' 'f STORE 1 FLAGS \Bogus')
	echo "$out" | grep -qx '\* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)'
	echo "$out" | grep -qx '\* 1 FETCH (FLAGS (\\Flagged $Label1 \\Recent))'
	echo "$out" | grep -qx 'c OK STORE completed'
	! echo "$out" | sed -n '/^b OK/,/^c OK/p' | grep -q 'FETCH' || false
	echo "$out" | grep -qx '\* 2 FETCH (UID 2 FLAGS (\\Answered \\Draft \\Recent))'
	echo "$out" | grep -qx 'e BAD \[CLIENTBUG\] Invalid arguments to STORE'
	echo "$out" | grep -qx 'f BAD \[CLIENTBUG\] Invalid arguments to STORE'
	out=$(session 'a EXAMINE INBOX' 'b FETCH 1:2 FLAGS' 'c STORE 1 +FLAGS \Seen')
	echo "$out" | grep -qx '\* 1 FETCH (FLAGS ($Label1))'
	echo "$out" | grep -qx '\* 2 FETCH (FLAGS (\\Answered \\Draft))'
	echo "$out" | grep -qx 'c NO \[READ-ONLY\] Mailbox is read-only'
}

@test "imapd: STORE \Deleted then EXPUNGE, UID EXPUNGE, CLOSE expunges silently, UNSELECT does not" {
	out=$(session 'a SELECT INBOX' 'b STORE 1:2 +FLAGS (\Deleted)' 'c UID EXPUNGE 2' 'd FETCH 1:* UID' 'e EXPUNGE' 'f FETCH 1:* UID')
	[ "$(echo "$out" | sed -n '/^b OK/,/^c OK/p' | grep '^\* [0-9]* EXPUNGE$')" = '* 2 EXPUNGE' ]
	[ "$(echo "$out" | sed -n '/^d OK/,/^e OK/p' | grep '^\* [0-9]* EXPUNGE$')" = '* 1 EXPUNGE' ]
	echo "$out" | grep -qx '\* 1 FETCH (UID 3)'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	deliver_file alice "$T/m1" >/dev/null
	out=$(session 'a SELECT INBOX' 'b STORE 1 +FLAGS \Deleted' 'c UNSELECT' 'd SELECT INBOX' 'e STORE 2 +FLAGS \Deleted' 'f CLOSE' 'g FETCH 1 UID')
	! echo "$out" | grep -q '^\* [0-9]* EXPUNGE$' || false
	echo "$out" | grep -qx 'g BAD \[CLIENTBUG\] FETCH not allowed without a selected mailbox'
	[ "$(count_messages "$(inbox alice)")" = 0 ]
}

@test "imapd: COPY and MOVE with COPYUID; TRYCREATE; flags go along" {
	touch "$SPOOL/alice/Archive"; chown nobody:nogroup "$SPOOL/alice/Archive" 2>/dev/null || true
	out=$(session 'a SELECT INBOX' 'b STORE 2 +FLAGS (\Flagged)' 'c COPY 1:2 Archive' 'd UID MOVE 3 Archive' 'e COPY 1 Missing' 'f STATUS INBOX (MESSAGES)' 'g SELECT Archive' 'h FETCH 1:* (UID FLAGS)')
	echo "$out" | grep -Eqx 'c OK \[COPYUID [0-9]+ 1:2 1:2\] COPY completed'
	echo "$out" | grep -Eqx '\* OK \[COPYUID [0-9]+ 3 3\] Moved'
	echo "$out" | grep -qx '\* 3 EXPUNGE'
	echo "$out" | grep -qx 'e NO \[TRYCREATE\] No such mailbox'
	echo "$out" | grep -qx '\* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))'
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	[ "$(count_messages "$SPOOL/alice/Archive")" = 3 ]
	"$MBOXCHECK" -x 3 "$SPOOL/alice/Archive" | cmp - <("$MBOXCHECK" -x 1 "$SPOOL/alice/Archive" | sed 's/message 1/message 3/; s/s1@/s3@/; s/Sender 1/Sender 3/; s/10:01:00/10:03:00/; s/body 1/body 3/' ) || true
	grep -q '^Subject: message 3' "$SPOOL/alice/Archive"
}

@test "imapd: APPEND with flags and date, APPENDUID, TRYCREATE, OK only after fsync" {
	printf 'Subject: appended\r\n\r\nFrom me\r\n.\r\n' > "$T/msg"
	n=$(wc -c < "$T/msg")
	{ printf 'L LOGIN alice %s\r\na APPEND INBOX (\\Seen $Sent) "01-Nov-2026 12:34:56 +0200" {%d}\r\n' "$ALICE_PW" "$n"; cat "$T/msg"
	  printf '\r\nb APPEND Nope {3+}\r\nabc\r\nc SELECT INBOX\r\nd FETCH 4 (FLAGS INTERNALDATE BODY.PEEK[])\r\nZ LOGOUT\r\n'; } > "$T/in"
	traced -f -s 200 -o "$T/trace" -e trace=fdatasync,write "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" < "$T/in" > "$T/out"
	replies < "$T/out" | grep -Eqx 'a OK \[APPENDUID [0-9]+ 4\] APPEND completed'
	replies < "$T/out" | grep -qx 'b NO \[TRYCREATE\] No such mailbox'
	replies < "$T/out" | grep -qF '* 4 FETCH (FLAGS (\Seen $Sent \Recent) INTERNALDATE "01-Nov-2026 10:34:56 +0000" BODY[] {'"$n"'}'
	"$MBOXCHECK" -x 4 "$(inbox alice)" | cmp - "$T/msg"
	sync_line=$(grep -n 'fdatasync(' "$T/trace" | head -n 1 | cut -d: -f1)
	ok_line=$(grep -n 'APPENDUID' "$T/trace" | head -n 1 | cut -d: -f1)
	[ -n "$sync_line" ] && [ "$sync_line" -lt "$ok_line" ] || false
}

@test "imapd: a large APPEND streams through a temporary file, byte-exact" {
	python3 -c 'import sys; sys.stdout.write("Subject: big\r\n\r\n" + "".join("line %06d From x\r\n" % i for i in range(20000)))' > "$T/big"
	n=$(wc -c < "$T/big")
	{ printf 'L LOGIN alice %s\r\na APPEND INBOX {%d+}\r\n' "$ALICE_PW" "$n"; cat "$T/big"; printf '\r\nZ LOGOUT\r\n'; } | imap | replies | grep -Eq '^a OK \[APPENDUID'
	"$MBOXCHECK" -x 4 "$(inbox alice)" | cmp - "$T/big"
	[ -z "$(ls -A "$SPOOL/.tmp")" ]
	{ printf 'L LOGIN alice %s\r\na APPEND INBOX {%d}\r\n' "$ALICE_PW" "$n"; } | imap -m 100000 | replies | grep -qx 'a BAD \[TOOBIG\] Message too large'
}

@test "imapd: IDLE reports a delivery within 2 seconds, DONE ends it" {
	mkfifo "$T/in"
	imap < "$T/in" > "$T/out" &
	pid=$!
	exec 7> "$T/in"
	printf 'L LOGIN alice %s\r\na SELECT INBOX\r\nb IDLE\r\n' "$ALICE_PW" >&7
	for i in $(seq 50); do grep -q '^+ idling' "$T/out" 2>/dev/null && break; sleep 0.05; done
	start=$(date +%s%N)
	deliver_file alice "$T/m1" >/dev/null
	for i in $(seq 60); do grep -q '^\* 4 EXISTS' "$T/out" && break; sleep 0.05; done
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	grep -q '^\* 4 EXISTS' "$T/out"
	[ "$ms" -lt 2000 ]
	printf 'DONE\r\nZ LOGOUT\r\n' >&7
	exec 7>&-
	wait "$pid"
	replies < "$T/out" | grep -qx 'b OK IDLE terminated'
}

@test "imapd: IDLE then anything but DONE is BAD" {
	out=$(session 'a IDLE' 'nope')
	echo "$out" | grep -qx 'a BAD \[CLIENTBUG\] Expected DONE'
}

@test "imapd: changes by another session: EXPUNGE held back during FETCH, sent at NOOP" {
	mkfifo "$T/in"
	imap < "$T/in" > "$T/out" &
	pid=$!
	exec 7> "$T/in"
	printf 'L LOGIN alice %s\r\na SELECT INBOX\r\n' "$ALICE_PW" >&7
	for i in $(seq 50); do grep -q '^a OK' "$T/out" 2>/dev/null && break; sleep 0.05; done
	session 'x SELECT INBOX' 'y STORE 1 +FLAGS (\Deleted \Seen)' 'w STORE 3 +FLAGS (\Flagged)' 'z EXPUNGE' >/dev/null
	printf 'b FETCH 1:3 UID\r\nc NOOP\r\nd FETCH 1:* UID\r\nZ LOGOUT\r\n' >&7
	exec 7>&-
	wait "$pid"
	out=$(replies < "$T/out")
	# during FETCH: flag changes yes, EXPUNGE no; the gone message is skipped
	[ "$(echo "$out" | sed -n '/^a OK/,/^b /p' | grep -c '^\* [0-9]* EXPUNGE$')" -eq 0 ]
	echo "$out" | sed -n '/^a OK/,/^b /p' | grep -qx '\* 3 FETCH (FLAGS (\\Flagged \\Recent))'
	echo "$out" | grep -qx 'b NO \[EXPUNGEISSUED\] Some of the requested messages no longer exist'
	[ "$(echo "$out" | sed -n '/^b NO/,/^c OK/p' | grep '^\* [0-9]* EXPUNGE$')" = '* 1 EXPUNGE' ]
	[ "$(echo "$out" | sed -n '/^c OK/,/^d OK/p' | grep -c 'FETCH (UID')" -eq 2 ]
}

@test "imapd: UIDs and UIDVALIDITY are the ones POP3 UIDL reports" {
	uidl=$(printf 'USER alice\r\nPASS %s\r\nUIDL\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies | sed -n '5,7p' | cut -d' ' -f2 | tr '\n' ' ')
	out=$(session 'a EXAMINE INBOX' 'b FETCH 1:* UID')
	v=$(echo "$out" | sed -n 's/^\* OK \[UIDVALIDITY \([0-9]*\)\].*/\1/p')
	u=$(echo "$out" | sed -n 's/^\* [0-9]* FETCH (UID \([0-9]*\))$/\1/p' | sed "s/^/$v./" | tr '\n' ' ')
	[ "$uidl" = "$u" ]
}

@test "imapd: the RFC 3501 example session" {
	for i in $(seq 4 12); do deliver_file alice "$T/m1" >/dev/null; done
	out=$(session 'a002 select inbox' 'a003 fetch 12 full' 'a004 fetch 12 body[header]' 'a005 store 12 +flags \deleted' 'a006 logout')
	echo "$out" | grep -qx '\* 12 EXISTS'
	echo "$out" | grep -Eq '^\* 12 FETCH \(FLAGS \(\\Recent\) INTERNALDATE "[^"]+" RFC822.SIZE [0-9]+ ENVELOPE \(.* BODY \("TEXT" "PLAIN" .*\)\)$'
	echo "$out" | grep -Eq '^\* 12 FETCH \(BODY\[HEADER\] \{[0-9]+\}$'
	echo "$out" | grep -qx '\* 12 FETCH (FLAGS (\\Seen \\Deleted \\Recent))'
	echo "$out" | grep -qx 'a005 OK STORE completed'
	echo "$out" | grep -qx 'a006 OK LOGOUT completed'
}

@test "imapd: Thunderbird's session (rich capabilities)" {
	printf 'Subject: sent by tb\r\n\r\nhi\r\n' > "$T/tb"
	n=$(wc -c < "$T/tb")
	r=$(printf '\0alice\0%s' "$ALICE_PW" | base64 -w0)
	{ printf '1 authenticate PLAIN\r\n%s\r\n2 namespace\r\n3 ID ("name" "Thunderbird" "version" "153.7.0")\r\n5 list "" "INBOX"\r\n' "$r"
	  printf '7 select "INBOX"\r\n8 UID fetch 1:* (FLAGS)\r\n9 UID fetch 1:2 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To Received)])\r\n'
	  printf '10 UID fetch 1,2 (UID RFC822.SIZE BODY.PEEK[])\r\n11 uid store 1 +Flags (\\Seen)\r\n12 uid store 1 -Flags (\\Seen)\r\n13 noop\r\n14 UID fetch 4:* (FLAGS)\r\n'
	  printf '15 append "INBOX" (\\Seen) {%d+}\r\n' "$n"; cat "$T/tb"
	  printf '\r\n16 uid move 2 "INBOX"\r\n17 STATUS "INBOX" (UIDNEXT MESSAGES UNSEEN RECENT)\r\n18 IDLE\r\nDONE\r\n19 logout\r\n'; } | imap | replies > "$T/out"
	for t in 1 2 3 7 8 9 10 11 12 13 14 15 16 18 19; do
		grep -q "^$t OK " "$T/out"
	done
	grep -q '^\* 1 FETCH (UID 1 RFC822.SIZE [0-9]* FLAGS (\\Recent) BODY\[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To Received)\] {' "$T/out"
	grep -q '^\* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))' "$T/out"
}

@test "imapd: Thunderbird's session (bare IMAP4rev1): synchronizing APPEND, COPY, store without expunge" {
	printf 'Subject: sent by tb\r\n\r\nhi\r\n' > "$T/tb"
	n=$(wc -c < "$T/tb")
	touch "$SPOOL/alice/Trash"; chown nobody:nogroup "$SPOOL/alice/Trash" 2>/dev/null || true
	{ printf 'a login "alice" "%s"\r\nb select "INBOX"\r\nc append "Trash" (\\Seen) {%d}\r\n' "$ALICE_PW" "$n"; cat "$T/tb"
	  printf '\r\nd uid copy 2 "Trash"\r\ne uid store 2 +FLAGS (\\Deleted \\Seen)\r\nf logout\r\n'; } | imap | replies > "$T/out"
	grep -qx '+ Ready for literal data' "$T/out"
	for t in a b c d e f; do grep -q "^$t OK " "$T/out"; done
	[ "$(count_messages "$(inbox alice)")" = 3 ]
	[ "$(count_messages "$SPOOL/alice/Trash")" = 2 ]
}

@test "imapd: -v logs the session with LOGIN and AUTHENTICATE secrets masked" {
	r=$(printf '\0alice\0%s' "$ALICE_PW" | base64 -w0)
	printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | imap -v >/dev/null
	printf 'a AUTHENTICATE PLAIN %s\r\nb LOGOUT\r\n' "$r" | imap -v >/dev/null
	grep -q '< a LOGIN \*\*\*\*' "$LOG"
	grep -q '< a AUTHENTICATE \*\*\*\*' "$LOG"
	! grep -q "$ALICE_PW" "$LOG" || false
	! grep -q "$r" "$LOG" || false
}

@test "imapd: missing auth file refuses with BYE at greeting" {
	run sh -c "printf 'a LOGOUT\r\n' | $IMAPD -s $SPOOL -a $T/none -l $LOG"
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | tr -d '\r')" = "* BYE [UNAVAILABLE] Service not available (auth file unavailable)" ]
}

@test "imapd: autologout after -t seconds idle" {
	(printf 'L LOGIN alice %s\r\n' "$ALICE_PW"; sleep 4) | imap -t 1 | replies > "$T/out" || true
	[ "$(tail -n 1 "$T/out")" = "* BYE Autologout; idle for too long" ]
}

@test "imapd: flags that cannot be saved are reported, by FETCH's \\Seen as by STORE" {
	session 'a SELECT INBOX' > /dev/null
	# an index that cannot be written: a directory in its place
	rm -f "$SPOOL/alice/.INBOX.index"
	mkdir "$SPOOL/alice/.INBOX.index"
	out=$(session 'a SELECT INBOX' 'b FETCH 1 (BODY[TEXT])' 'c STORE 2 +FLAGS (\Flagged)')
	echo "$out" | grep -qx 'b NO \[UNAVAILABLE\] Cannot save flags, try again later'
	echo "$out" | grep -qx 'c NO \[UNAVAILABLE\] Cannot save flags, try again later'
	grep -q 'saving flags' "$LOG"
}
