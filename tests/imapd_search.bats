#!/usr/bin/env bats
# imapd: SEARCH and UID SEARCH (RFC 3501 6.4.4): every key, its negation,
# nesting, sets, charsets, dates, sizes, limits, and imaplib over TCP.

load lib

# Six messages, UIDs 1 to 6 in this order:
#   1 Alice to Bob, Cc Carol, X-Mailer, Date 2 Mar 2026 +0000
#   2 Bob, Bcc, encoded-word subject "Café crème", Date 3 Mar 2026 23:30 -0500
#   3 Carol, quoted-printable UTF-8 body, Date 10 Mar 2026 +0100
#   4 Dave, base64 body, no Date: field
#   5 Eve, about 200 KB, words across the body's 64 KiB read boundaries
#   6 Alice, multipart: a text part and an application/octet-stream part
setup() {
	setup_spool
	cat > "$T/m1" <<-'EOF'
	From: Alice Anders <alice@remote.test>
	To: Bob Brown <bob@test.lan>
	Cc: carol@test.lan
	Subject: Quarterly report
	Date: Mon, 02 Mar 2026 09:00:00 +0000
	X-Mailer: FacteurTest 1.0

	The quarterly numbers are attached.
	Regards
	EOF
	cat > "$T/m2" <<-'EOF'
	From: "Bob Brown" <bob@remote.test>
	To: alice@test.lan
	Bcc: secret-watcher@hidden.test
	Subject: =?UTF-8?B?Q2Fmw6kgY3LDqG1l?=
	Date: Tue, 03 Mar 2026 23:30:00 -0500

	Lunch at noon?
	EOF
	cat > "$T/m3" <<-'EOF'
	From: Carol <carol@remote.test>
	To: alice@test.lan, dave@remote.test
	Subject: Greetings from Munich
	Date: Tue, 10 Mar 2026 08:15:00 +0100
	MIME-Version: 1.0
	Content-Type: text/plain; charset=utf-8
	Content-Transfer-Encoding: quoted-printable

	Gr=C3=BC=C3=9Fe aus M=C3=BCnchen, it was super=
	califragilistic.
	EOF
	{
		printf 'From: Dave <dave@remote.test>\nTo: alice@test.lan\nSubject: Encoded body\n'
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		printf 'The secret word is xylophone.\n' | base64
	} > "$T/m4"
	big_message > "$T/m5"
	{
		printf 'From: Alice Anders <alice@remote.test>\nTo: alice@test.lan\n'
		printf 'Subject: RE: quarterly REPORT follow-up\nDate: Wed, 04 Mar 2026 12:00:00 +0000\n'
		printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XYZ"\n\n'
		printf -- '--XYZ\nContent-Type: text/plain\n\nSee the attached spreadsheet.\n'
		printf -- '--XYZ\nContent-Type: application/octet-stream\n\nhiddenpayload\n'
		printf -- '--XYZ--\n'
	} > "$T/m6"
	for i in 1 2 3 4 5 6; do
		deliver_file alice "$T/m$i" > /dev/null
	done
}
teardown() { teardown_spool; }

# The body is read in 64 KiB pieces from its first byte: "zebracrossing"
# starts 5 bytes before the first boundary and "hummingbird" 3 bytes before
# the second one.
big_message() {
	printf 'From: Eve <eve@remote.test>\nTo: alice@test.lan\nSubject: Big attachment\n'
	printf 'Date: Thu, 1 Jan 2026 00:00:00 +0000\n\n'
	filler 1023 a	# 65472 bytes
	printf '%059d' 0 | tr 0 b
	printf 'zebracrossing\n'	# to 65545
	filler 1023 c	# to 131017
	printf '%052d' 0 | tr 0 d
	printf 'hummingbird\n'	# 131069 + 12
	filler 1000 e
	printf 'tailmarker\n'
}

# filler N C: N lines of 63 times C.
filler() {
	local line
	line=$(printf '%063d' 0 | tr 0 "$2")
	yes "$line" | head -n "$1"
}

# searches CMD... : log in, select INBOX, run each CMD (e.g. "SEARCH ALL")
# and print one line per command: "[numbers]" for OK, "!<tagged reply>"
# otherwise.
searches() {
	local i=0 c
	{
		printf 'L LOGIN alice %s\r\nS SELECT INBOX\r\n' "$ALICE_PW"
		for c in "$@"; do
			printf 'Q%d %s\r\n' "$i" "$c"
			i=$((i + 1))
		done
		printf 'Z LOGOUT\r\n'
	} | imap "${IMAP_FLAGS[@]}" | replies > "$T/out"
	awk '/^\* SEARCH/ { r = substr($0, 10) }
	     /^Q[0-9]+ / { if ($2 == "OK") print "[" r "]"; else print "!" $0; r = "" }' "$T/out"
}

IMAP_FLAGS=()

# check CMD WANT [CMD WANT...] : each command's result, in one session.
check() {
	local cmds=() want=() got i bad=0
	while [ $# -gt 0 ]; do
		cmds+=("$1")
		want+=("$2")
		shift 2
	done
	mapfile -t got < <(searches "${cmds[@]}")
	for i in "${!cmds[@]}"; do
		if [ "${got[$i]:-<none>}" != "[${want[$i]}]" ]; then
			echo "${cmds[$i]}: got ${got[$i]:-<none>}, want [${want[$i]}]"
			bad=1
		fi
	done
	[ "${#got[@]}" -eq "${#cmds[@]}" ] && [ "$bad" = 0 ] || false
}

# A literal with its length, for UTF-8 arguments.
lit() { printf '{%d}\r\n%s' "$(printf '%s' "$1" | wc -c)" "$1"; }

# RFC822.SIZE of message n (in a session of its own).
size_of() {
	printf 'L LOGIN alice %s\r\nS EXAMINE INBOX\r\nF FETCH %d RFC822.SIZE\r\nZ LOGOUT\r\n' \
		"$ALICE_PW" "$1" | imap | replies | sed -n 's/^\* [0-9]* FETCH (RFC822.SIZE \([0-9]*\))$/\1/p'
}

@test "search: ALL, and the address fields FROM TO CC BCC with their negations" {
	check 'SEARCH ALL' '1 2 3 4 5 6' \
		'SEARCH FROM alice' '1 6' \
		'SEARCH FROM "ALICE ANDERS"' '1 6' \
		'SEARCH NOT FROM alice' '2 3 4 5' \
		'SEARCH FROM nobody-at-all' '' \
		'SEARCH TO alice' '2 3 4 5 6' \
		'SEARCH TO dave' '3' \
		'SEARCH NOT TO alice' '1' \
		'SEARCH CC carol' '1' \
		'SEARCH NOT CC carol' '2 3 4 5 6' \
		'SEARCH BCC secret-watcher' '2' \
		'SEARCH BCC HIDDEN.TEST' '2' \
		'SEARCH NOT BCC secret' '1 3 4 5 6'
}

@test "search: SUBJECT decodes encoded words; case-insensitive; UTF-8 literal" {
	check 'SEARCH SUBJECT quarterly' '1 6' \
		'SEARCH SUBJECT "QUARTERLY report"' '1 6' \
		'SEARCH NOT SUBJECT quarterly' '2 3 4 5' \
		'SEARCH SUBJECT Caf' '2' \
		'SEARCH SUBJECT Q2Fm' '' \
		"SEARCH CHARSET UTF-8 SUBJECT $(lit 'crème')" '2' \
		"SEARCH CHARSET UTF-8 SUBJECT $(lit 'CAFÉ CRÈME')" '2' \
		"SEARCH CHARSET utf-8 NOT SUBJECT $(lit 'café')" '1 3 4 5 6'
}

@test "search: the UTF-8 literal from the brief, {6} and its bytes" {
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc SEARCH CHARSET UTF-8 SUBJECT {6}\r\ncr\xc3\xa8me\r\nd LOGOUT\r\n' \
		"$ALICE_PW" | imap | replies)
	echo "$out" | grep -qx '+ Ready for literal data'
	echo "$out" | grep -qx '\* SEARCH 2'
	echo "$out" | grep -qx 'c OK SEARCH completed'
	# LITERAL+ needs no continuation
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc SEARCH SUBJECT {6+}\r\ncr\xc3\xa8me\r\nd LOGOUT\r\n' \
		"$ALICE_PW" | imap | replies)
	! echo "$out" | grep -q '^+' || false
	echo "$out" | grep -qx '\* SEARCH 2'
}

@test "search: HEADER, present or absent fields, impossible field names" {
	check 'SEARCH HEADER X-Mailer FacteurTest' '1' \
		'SEARCH HEADER x-mailer "facteurtest 1.0"' '1' \
		'SEARCH HEADER X-Mailer ""' '1' \
		'SEARCH NOT HEADER X-Mailer ""' '2 3 4 5 6' \
		'SEARCH HEADER X-Nonexistent ""' '' \
		'SEARCH HEADER Content-Transfer-Encoding base64' '4' \
		'SEARCH HEADER Subject Munich' '3' \
		'SEARCH HEADER "Bad:Name" x' '' \
		'SEARCH NOT HEADER "Bad:Name" x' '1 2 3 4 5 6' \
		'SEARCH HEADER "" x' ''
}

@test "search: BODY and TEXT: decoded bodies, headers only in TEXT, no attachments" {
	check 'SEARCH BODY numbers' '1' \
		'SEARCH NOT BODY numbers' '2 3 4 5 6' \
		'SEARCH BODY QUARTERLY' '1' \
		'SEARCH TEXT quarterly' '1 6' \
		'SEARCH NOT TEXT quarterly' '2 3 4 5' \
		'SEARCH BODY FacteurTest' '' \
		'SEARCH TEXT FacteurTest' '1' \
		'SEARCH BODY supercalifragilistic' '3' \
		'SEARCH BODY "=C3"' '' \
		"SEARCH CHARSET UTF-8 BODY $(lit 'Grüße')" '3' \
		"SEARCH CHARSET UTF-8 BODY $(lit 'MÜNCHEN')" '3' \
		'SEARCH BODY xylophone' '4' \
		'SEARCH TEXT xylophone' '4' \
		'SEARCH BODY VGhlIHNlY3JldA' '' \
		'SEARCH BODY spreadsheet' '6' \
		'SEARCH BODY hiddenpayload' '' \
		'SEARCH TEXT hiddenpayload' '' \
		'SEARCH BODY ""' '1 2 3 4 5 6'
}

@test "search: BODY finds words across the 64 KiB read boundaries of a large message" {
	check 'SEARCH BODY zebracrossing' '5' \
		'SEARCH BODY hummingbird' '5' \
		'SEARCH BODY tailmarker' '5' \
		'SEARCH TEXT ZEBRACROSSING' '5' \
		'SEARCH BODY zebracrossingx' '' \
		'SEARCH LARGER 190000' '5'
}

@test "search: LARGER and SMALLER: an equal size does not match" {
	s=$(size_of 1)
	[ -n "$s" ] && [ "$s" -gt 100 ] || false
	check "SEARCH 1 LARGER $((s - 1))" '1' \
		"SEARCH 1 LARGER $s" '' \
		"SEARCH 1 SMALLER $s" '' \
		"SEARCH 1 SMALLER $((s + 1))" '1' \
		"SEARCH 1 NOT LARGER $s" '1' \
		"SEARCH 1 NOT SMALLER $s" '1' \
		'SEARCH LARGER 100000' '5' \
		'SEARCH SMALLER 100000' '1 2 3 4 6' \
		'SEARCH NOT LARGER 100000' '1 2 3 4 6' \
		'SEARCH LARGER 0' '1 2 3 4 5 6' \
		'SEARCH SMALLER 0' '' \
		'SEARCH LARGER 99999999999' ''
}

@test "search: SENTBEFORE, SENTON, SENTSINCE use the Date: field's own calendar day" {
	# Message 4 has no Date: it was sent on 1 Jan 1970, before any other
	# date, as Dovecot 2.3 answers (every answer here compared with it).
	today=$(date -u +%-d-%b-%Y)
	check 'SEARCH SENTON 3-Mar-2026' '2' \
		'SEARCH SENTON 4-Mar-2026' '6' \
		'SEARCH SENTON "2-Mar-2026"' '1' \
		'SEARCH NOT SENTON 3-Mar-2026' '1 3 4 5 6' \
		'SEARCH SENTBEFORE 3-Mar-2026' '1 4 5' \
		'SEARCH SENTBEFORE 2-Jan-2026' '4 5' \
		'SEARCH SENTBEFORE 1-Jan-2026' '4' \
		'SEARCH NOT SENTBEFORE 3-Mar-2026' '2 3 6' \
		'SEARCH SENTSINCE 4-Mar-2026' '3 6' \
		'SEARCH SENTSINCE 10-Mar-2026' '3' \
		'SEARCH NOT SENTSINCE 10-Mar-2026' '1 2 4 5 6' \
		"SEARCH SENTON $today" '' \
		'SEARCH SENTON 1-Jan-1970' '4' \
		'SEARCH SENTBEFORE 2-Jan-1970' '4' \
		'SEARCH SENTSINCE 3-Mar-2026 SENTBEFORE 10-Mar-2026' '2 6'
}

# Two more messages for the corners of issue 13: 7 has a folded Subject and
# comments inside its From address, 8 forwards a message as message/rfc822.
corner_messages() {
	printf '%s\n' 'From: <user-from (comment)@ (comment) domain.org>' 'To: alice@test.lan' \
		'Subject: this subject is' '	folded across' \
		'Date: Thu, 05 Mar 2026 10:00:00 +0000' '' 'folded' > "$T/m7"
	cat > "$T/m8" <<-'EOF'
	From: Frank <frank@remote.test>
	To: alice@test.lan
	Subject: forwarded
	Date: Thu, 05 Mar 2026 11:00:00 +0000
	MIME-Version: 1.0
	Content-Type: multipart/mixed; boundary="F"

	--F
	Content-Type: text/plain

	see below
	--F
	Content-Type: message/rfc822

	From: Inner Sender <inner@elsewhere.test>
	Subject: innersubject

	innerbody words
	--F--
	EOF
	deliver_file alice "$T/m7" > /dev/null
	deliver_file alice "$T/m8" > /dev/null
}

# Every answer here is the one Dovecot 2.3 gives on the same messages.
@test "search: header values are unfolded, white space runs read as one space" {
	corner_messages
	check 'SEARCH SUBJECT "is folded"' '7' \
		'SEARCH SUBJECT "this subject is folded across"' '7' \
		"SEARCH SUBJECT \"is$(printf '\t')folded\"" '' \
		'SEARCH SUBJECT "is  folded"' ''
}

@test "search: FROM, TO, CC, BCC compare addresses without their comments and folding" {
	corner_messages
	check 'SEARCH FROM user-from@domain.org' '7' \
		'SEARCH FROM "<user-from@domain.org>"' '7' \
		'SEARCH FROM comment' '' \
		'SEARCH HEADER FROM comment' '7' \
		'SEARCH FROM "Alice Anders <alice@"' '' \
		'SEARCH FROM "\"Alice Anders\" <alice@remote.test>"' '1 6' \
		'SEARCH TO "alice@test.lan"' '2 3 4 5 6 7 8' \
		'SEARCH CC carol' '1'
}

@test "search: BODY leaves out the header of an attached message, TEXT does not" {
	corner_messages
	check 'SEARCH BODY innersubject' '' \
		'SEARCH BODY inner@elsewhere.test' '' \
		'SEARCH BODY innerbody' '8' \
		'SEARCH TEXT innersubject' '8' \
		'SEARCH TEXT "inner sender"' '8'
}

@test "search: BEFORE, ON, SINCE compare INTERNALDATE by day" {
	today=$(date -u +%-d-%b-%Y)
	tomorrow=$(date -u -d tomorrow +%-d-%b-%Y)
	# APPEND sets the internal date: 15 Jan, 20 Jan (twice, at both ends
	# of the day) and 21 Jan 2026; 19 Jan 23:30 -0500 is 20 Jan in UTC,
	# the zone FETCH INTERNALDATE shows
	{
		printf 'L LOGIN alice %s\r\n' "$ALICE_PW"
		for d in '15-Jan-2026 12:00:00 +0000' '20-Jan-2026 00:00:00 +0000' \
			 '20-Jan-2026 23:59:59 +0000' '21-Jan-2026 00:00:00 +0000' \
			 '19-Jan-2026 23:30:00 -0500'; do
			printf 'A APPEND INBOX "%s" {11}\r\nSubject: x\n\r\n' "$d"
		done
		printf 'Z LOGOUT\r\n'
	} | imap | replies > "$T/app"
	[ "$(grep -c '^A OK' "$T/app")" = 5 ]
	check 'SEARCH BEFORE 20-Jan-2026' '7' \
		'SEARCH ON 20-Jan-2026' '8 9 11' \
		'SEARCH NOT ON 20-Jan-2026' '1 2 3 4 5 6 7 10' \
		'SEARCH SINCE 21-Jan-2026' '1 2 3 4 5 6 10' \
		'SEARCH NOT SINCE 21-Jan-2026' '7 8 9 11' \
		'SEARCH SINCE 16-Jan-2026 BEFORE 21-Jan-2026' '8 9 11' \
		'SEARCH NOT BEFORE 20-Jan-2026 BEFORE 22-Jan-2026' '8 9 10 11' \
		"SEARCH ON $today" '1 2 3 4 5 6' \
		"SEARCH BEFORE $today" '7 8 9 10 11' \
		"SEARCH SINCE $tomorrow" '' \
		"SEARCH BEFORE \"$tomorrow\"" '1 2 3 4 5 6 7 8 9 10 11'
}

@test "search: flag keys and their UN- forms, KEYWORD and UNKEYWORD" {
	check 'STORE 1 +FLAGS.SILENT (\Seen $Label1)' '' \
		'STORE 2 +FLAGS.SILENT (\Seen \Answered)' '' \
		'STORE 3 +FLAGS.SILENT (\Flagged)' '' \
		'STORE 4 +FLAGS.SILENT (\Deleted)' '' \
		'STORE 5 +FLAGS.SILENT (\Draft)' '' \
		'SEARCH SEEN' '1 2' \
		'SEARCH UNSEEN' '3 4 5 6' \
		'SEARCH NOT SEEN' '3 4 5 6' \
		'SEARCH NOT NOT SEEN' '1 2' \
		'SEARCH ANSWERED' '2' \
		'SEARCH UNANSWERED' '1 3 4 5 6' \
		'SEARCH FLAGGED' '3' \
		'SEARCH UNFLAGGED' '1 2 4 5 6' \
		'SEARCH DELETED' '4' \
		'SEARCH UNDELETED' '1 2 3 5 6' \
		'SEARCH DRAFT' '5' \
		'SEARCH UNDRAFT' '1 2 3 4 6' \
		'SEARCH KEYWORD $Label1' '1' \
		'SEARCH KEYWORD $LABEL1' '1' \
		'SEARCH UNKEYWORD $Label1' '2 3 4 5 6' \
		'SEARCH NOT KEYWORD $Label1' '2 3 4 5 6' \
		'SEARCH KEYWORD NoSuchKeyword' '' \
		'SEARCH UNKEYWORD NoSuchKeyword' '1 2 3 4 5 6' \
		'SEARCH NOT KEYWORD NoSuchKeyword' '1 2 3 4 5 6' \
		'SEARCH SEEN UNSEEN' '' \
		'SEARCH UNSEEN UNDELETED UNDRAFT' '3 6'
}

@test "search: RECENT, NEW and OLD across sessions" {
	check 'STORE 1:2 +FLAGS.SILENT (\Seen)' '' \
		'SEARCH RECENT' '1 2 3 4 5 6' \
		'SEARCH NEW' '3 4 5 6' \
		'SEARCH OLD' '' \
		'SEARCH NOT RECENT' '' \
		'SEARCH NOT NEW' '1 2'
	# the next session sees them as old; one new message is recent
	printf 'Subject: late\n\nlate one\n' > "$T/m7"
	deliver_file alice "$T/m7" > /dev/null
	check 'SEARCH RECENT' '7' \
		'SEARCH NEW' '7' \
		'SEARCH OLD' '1 2 3 4 5 6' \
		'SEARCH NOT OLD' '7' \
		'SEARCH UNSEEN OLD' '3 4 5 6'
	check 'SEARCH RECENT' '' \
		'SEARCH OLD' '1 2 3 4 5 6 7'
}

@test "search: OR, NOT and parenthesised lists, nested" {
	check 'STORE 1:2 +FLAGS.SILENT (\Seen)' '' \
		'STORE 3 +FLAGS.SILENT (\Flagged)' '' \
		'SEARCH OR SEEN FLAGGED' '1 2 3' \
		'SEARCH NOT (OR SEEN FLAGGED)' '4 5 6' \
		'SEARCH OR (FROM alice SEEN) (TO dave)' '1 3' \
		'SEARCH (SEEN)' '1 2' \
		'SEARCH ((((SEEN))))' '1 2' \
		'SEARCH (SEEN FROM bob) ALL' '2' \
		'SEARCH OR OR SEEN FLAGGED BODY xylophone' '1 2 3 4' \
		'SEARCH OR NOT SEEN NOT FROM alice' '2 3 4 5 6' \
		'SEARCH NOT (NOT (SEEN) UNFLAGGED)' '1 2 3' \
		'SEARCH OR (BODY zebracrossing) (OR SUBJECT munich NOT ALL)' '3 5' \
		'search from ALICE unseen' '6' \
		'Search Or Seen Flagged' '1 2 3'
}

@test "search: sequence sets of message numbers and UIDs, with *" {
	check 'SEARCH 2:4' '2 3 4' \
		'SEARCH 4:2' '2 3 4' \
		'SEARCH *' '6' \
		'SEARCH 5:*' '5 6' \
		'SEARCH *:5' '5 6' \
		'SEARCH 1,3,5:6' '1 3 5 6' \
		'SEARCH 3,1:2,2' '1 2 3' \
		'SEARCH 100' '' \
		'SEARCH 7:100' '' \
		'SEARCH 100:*' '6' \
		'SEARCH 2:4 NOT 3' '2 4' \
		'SEARCH NOT 1:5' '6' \
		'SEARCH OR 1 6 FROM alice' '1 6' \
		'SEARCH UID 2,4' '2 4' \
		'SEARCH UID *' '6' \
		'SEARCH UID 7:*' '6' \
		'SEARCH UID 100' '' \
		'SEARCH 1:4294967294' '1 2 3 4 5 6' \
		'SEARCH UID 1:4294967294' '1 2 3 4 5 6'
}

@test "search: UID SEARCH answers UIDs; sets keep their meaning after an EXPUNGE" {
	check 'STORE 4 +FLAGS.SILENT (\Deleted)' '' \
		'EXPUNGE' '' \
		'SEARCH ALL' '1 2 3 4 5' \
		'UID SEARCH ALL' '1 2 3 5 6' \
		'UID SEARCH 4:5' '5 6' \
		'UID SEARCH UID 4:5' '5' \
		'SEARCH UID 5:6' '4 5' \
		'UID SEARCH *' '6' \
		'UID SEARCH UID *' '6' \
		'UID SEARCH FROM alice' '1 6' \
		'SEARCH FROM alice' '1 5' \
		'uid search not uid 1:3' '5 6' \
		'UID SEARCH CHARSET US-ASCII BODY zebracrossing' '5'
}

@test "search: CHARSET US-ASCII and UTF-8 in any case; others NO [BADCHARSET]" {
	check 'SEARCH CHARSET US-ASCII FROM alice' '1 6' \
		'SEARCH CHARSET us-ascii FROM alice' '1 6' \
		'SEARCH CHARSET "UTF-8" FROM alice' '1 6' \
		'SEARCH CHARSET Utf-8 ALL' '1 2 3 4 5 6'
	out=$(searches 'SEARCH CHARSET KOI8-R FROM alice' 'SEARCH CHARSET "ISO-8859-1" ALL' \
		'UID SEARCH CHARSET x ALL' 'SEARCH CHARSET' 'SEARCH CHARSET UTF-8' 'SEARCH ALL')
	[ "$(echo "$out" | sed -n 1p)" = '!Q0 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset' ]
	[ "$(echo "$out" | sed -n 2p)" = '!Q1 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset' ]
	[ "$(echo "$out" | sed -n 3p)" = '!Q2 NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset' ]
	[ "$(echo "$out" | sed -n 4p)" = '!Q3 BAD [CLIENTBUG] Invalid arguments to SEARCH' ]
	[ "$(echo "$out" | sed -n 5p)" = '!Q4 BAD [CLIENTBUG] Invalid arguments to SEARCH' ]
	[ "$(echo "$out" | sed -n 6p)" = '[1 2 3 4 5 6]' ]
	# no SEARCH response with the NO
	[ "$(grep -c '^\* SEARCH' "$T/out")" = 1 ]
}

@test "search: bad syntax and unknown keys are BAD [CLIENTBUG]; the session goes on" {
	IMAP_FLAGS=(-b 30)
	out=$(searches 'SEARCH' 'SEARCH ' 'SEARCH FROBNICATE' 'SEARCH FROM' 'SEARCH (SEEN' \
		'SEARCH SEEN)' 'SEARCH ( SEEN)' 'SEARCH 0' 'SEARCH 1:0' 'SEARCH 1:x' 'SEARCH OR SEEN' \
		'SEARCH NOT' 'SEARCH BEFORE 32-Jan-2026' 'SEARCH ON 1-Foo-2026' \
		'SEARCH LARGER -1' 'SEARCH KEYWORD \Seen' 'SEARCH HEADER Subject' 'SEARCH UID' \
		'SEARCH ALL  SEEN' 'SEARCH "ALL"' 'SEARCH ALL')
	n=$(echo "$out" | grep -c '^!Q[0-9]* BAD \[CLIENTBUG\] Invalid arguments to SEARCH$')
	[ "$n" = 20 ] || { echo "$out"; false; }
	[ "$(echo "$out" | tail -n 1)" = '[1 2 3 4 5 6]' ]
	[ "$(grep -c '^\* SEARCH' "$T/out")" = 1 ]
}

@test "search: too many keys or ranges, too deep nesting: BAD [LIMIT]; the session goes on" {
	many() { local i out=''; for ((i = 0; i < $1; i++)); do out+="$2 "; done; echo "${out% }"; }
	open=$(printf '(%.0s' $(seq 16)) close=$(printf ')%.0s' $(seq 16))
	nots=$(printf 'NOT %.0s' $(seq 16))
	ranges=$(seq -s, 1 2 2049)	# 1025 ranges
	ones=$(printf '1,%.0s' $(seq 1023))1	# 1024 ranges, 2047 bytes
	# 4097 ranges cannot fit in the default line length: raise it
	IMAP_FLAGS=(-c 65536)
	out=$(searches "SEARCH $(many 256 ALL)" \
		"SEARCH $(many 257 ALL)" \
		"SEARCH ${open}SEEN${close}" \
		"SEARCH (${open}SEEN${close})" \
		"SEARCH ${nots}SEEN" \
		"SEARCH NOT ${nots}SEEN" \
		"SEARCH $(printf 'OR SEEN %.0s' $(seq 16))SEEN" \
		"SEARCH $(printf 'OR SEEN %.0s' $(seq 17))SEEN" \
		"SEARCH $ranges" \
		"SEARCH $(many 4 "$ones")" \
		"SEARCH $(many 4 "$ones") 1" \
		'SEARCH ALL')
	[ "$(echo "$out" | sed -n 1p)" = '[1 2 3 4 5 6]' ]
	echo "$out" | sed -n 2p | grep -q '^!Q1 BAD \[LIMIT\] Too many search keys'
	[ "$(echo "$out" | sed -n 3p)" = '[]' ]
	echo "$out" | sed -n 4p | grep -q '^!Q3 BAD \[LIMIT\] Search keys nested too deeply'
	[ "$(echo "$out" | sed -n 5p)" = '[]' ]
	echo "$out" | sed -n 6p | grep -q '^!Q5 BAD \[LIMIT\] Search keys nested too deeply'
	[ "$(echo "$out" | sed -n 7p)" = '[]' ]
	echo "$out" | sed -n 8p | grep -q '^!Q7 BAD \[LIMIT\] Search keys nested too deeply'
	echo "$out" | sed -n 9p | grep -q '^!Q8 BAD \[LIMIT\] Too many search keys or ranges'
	[ "$(echo "$out" | sed -n 10p)" = '[1]' ]
	echo "$out" | sed -n 11p | grep -q '^!Q10 BAD \[LIMIT\] Too many search keys or ranges'
	[ "$(echo "$out" | sed -n 12p)" = '[1 2 3 4 5 6]' ]
}

@test "search: thousands of nested parentheses are refused without deep recursion" {
	deep=$(printf '(%.0s' $(seq 4000))
	out=$(searches "SEARCH ${deep}" "SEARCH $(printf 'NOT %.0s' $(seq 2000))ALL" 'SEARCH 2')
	echo "$out" | sed -n 1p | grep -q '^!Q0 BAD \[LIMIT\]'
	echo "$out" | sed -n 2p | grep -q '^!Q1 BAD \[LIMIT\]'
	[ "$(echo "$out" | sed -n 3p)" = '[2]' ]
}

@test "search: an empty mailbox gives an empty SEARCH response" {
	out=$(printf 'a LOGIN bob %s\r\nb SELECT INBOX\r\nc SEARCH ALL\r\nd UID SEARCH 1:*\r\ne SEARCH *\r\nf SEARCH UID *\r\ng SEARCH NOT ALL\r\nh LOGOUT\r\n' \
		"$BOB_PW" | imap | replies)
	echo "$out" | grep -qx '\* 0 EXISTS'
	[ "$(echo "$out" | grep -c '^\* SEARCH$')" = 5 ]
	for t in c e f g; do echo "$out" | grep -qx "$t OK SEARCH completed"; done
	echo "$out" | grep -qx 'd OK UID SEARCH completed'
}

@test "search: not allowed without a selected mailbox; works read-only (EXAMINE)" {
	out=$(printf 'a LOGIN alice %s\r\nb SEARCH ALL\r\nc EXAMINE INBOX\r\nd SEARCH FROM bob\r\ne LOGOUT\r\n' \
		"$ALICE_PW" | imap | replies)
	echo "$out" | grep -qx 'b BAD \[CLIENTBUG\] SEARCH not allowed without a selected mailbox'
	echo "$out" | grep -qx '\* SEARCH 2'
	echo "$out" | grep -qx 'd OK SEARCH completed'
}

@test "search: the transcript (-v) shows the SEARCH response" {
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc SEARCH FROM alice\r\nd UID SEARCH NOT ALL\r\ne LOGOUT\r\n' \
		"$ALICE_PW" | imap -v > /dev/null
	grep -q '> \* SEARCH 1 6$' "$LOG"
	grep -q '> \* SEARCH$' "$LOG"
	grep -q '> d OK UID SEARCH completed$' "$LOG"
}

@test "search: cheap keys first: UNSEEN BODY reads no message when all are seen" {
	printf 'L LOGIN alice %s\r\nS SELECT INBOX\r\nA STORE 1:* +FLAGS.SILENT (\\Seen)\r\nZ LOGOUT\r\n' \
		"$ALICE_PW" | imap > /dev/null
	reads() {
		printf 'L LOGIN alice %s\r\nS EXAMINE INBOX\r\nQ %s\r\nZ LOGOUT\r\n' "$ALICE_PW" "$1" > "$T/in"
		traced -f -o "$T/trace" -e trace=pread64,read "$IMAPD" -s "$SPOOL" -a "$USERS" \
			-l "$LOG" -n "$HOST" -D 0 < "$T/in" > "$T/res"
		grep -q '^Q OK' "$T/res"
		grep -c 'pread64\|read(' "$T/trace"
	}
	base=$(reads 'SEARCH UNSEEN')
	[ "$(reads 'SEARCH UNSEEN BODY zebracrossing')" = "$base" ]
	[ "$(reads 'SEARCH BODY zebracrossing UNSEEN')" = "$base" ]
	[ "$(reads 'SEARCH OR BODY zebracrossing SUBJECT x UNSEEN')" = "$base" ]
	[ "$(reads 'SEARCH SEEN BODY zebracrossing')" -gt "$base" ]
	[ "$(reads 'SEARCH NOT 1:* TEXT zebracrossing')" = "$base" ]
}

@test "search: a message expunged by another session matches nothing and is not reported" {
	mkfifo "$T/fifo"
	imap < "$T/fifo" > "$T/a.out" &
	pid=$!
	exec 8> "$T/fifo"
	wait_for() { for _ in $(seq 100); do grep -q "$1" "$T/a.out" && return 0; sleep 0.05; done; return 1; }
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\n' "$ALICE_PW" >&8
	wait_for '^b OK'
	# another session deletes and expunges message 2
	printf 'L LOGIN alice %s\r\nS SELECT INBOX\r\nA STORE 2 +FLAGS.SILENT (\\Deleted)\r\nB EXPUNGE\r\nZ LOGOUT\r\n' \
		"$ALICE_PW" | imap | replies > "$T/b.out"
	grep -qx 'B OK EXPUNGE completed' "$T/b.out"
	printf 'c SEARCH ALL\r\nd SEARCH 2\r\ne SEARCH FROM bob\r\nf UID SEARCH ALL\r\n' >&8
	wait_for '^f OK'
	printf 'g SEARCH ALL\r\nh LOGOUT\r\n' >&8
	exec 8>&-
	wait "$pid"
	out=$(replies < "$T/a.out")
	# SEARCH holds the EXPUNGE back and the gone message 2 keeps its number
	[ "$(echo "$out" | sed -n '/^b OK/,/^e OK/p' | grep -c EXPUNGE)" = 0 ]
	echo "$out" | sed -n '/^b OK/,/^c OK/p' | grep -qx '\* SEARCH 1 3 4 5 6'
	echo "$out" | sed -n '/^c OK/,/^d OK/p' | grep -qx '\* SEARCH'
	echo "$out" | sed -n '/^d OK/,/^e OK/p' | grep -qx '\* SEARCH'
	# UID SEARCH may report it, and does, after its SEARCH response
	echo "$out" | sed -n '/^e OK/,/^f OK/p' | grep -qx '\* SEARCH 1 3 4 5 6'
	echo "$out" | sed -n '/^e OK/,/^f OK/p' | grep -qx '\* 2 EXPUNGE'
	echo "$out" | sed -n '/^f OK/,/^g OK/p' | grep -qx '\* SEARCH 1 2 3 4 5'
}

@test "search: a big result is written whole" {
	{
		printf 'L LOGIN alice %s\r\n' "$ALICE_PW"
		for i in $(seq 300); do printf 'A APPEND INBOX {16}\r\nSubject: zq%03d\n\n\r\n' "$i"; done
		printf 'S SELECT INBOX\r\nQ SEARCH SUBJECT zq\r\nR UID SEARCH 1:*\r\nZ LOGOUT\r\n'
	} | imap | replies > "$T/out"
	[ "$(grep '^\* SEARCH' "$T/out" | sed -n 1p)" = "* SEARCH $(seq -s ' ' 7 306)" ]
	[ "$(grep '^\* SEARCH' "$T/out" | sed -n 2p)" = "* SEARCH $(seq -s ' ' 1 306)" ]
	grep -qx 'R OK UID SEARCH completed' "$T/out"
}

@test "search: imaplib over TCP runs several searches" {
	serve "$IMAPD"
	run python3 - "$PORT" "$ALICE_PW" <<-'EOF'
	import imaplib, sys
	m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
	m.login("alice", sys.argv[2])
	m.select("INBOX")
	def s(*crit, charset=None):
	    typ, data = m.search(charset, *crit)
	    assert typ == "OK", (crit, typ, data)
	    return data[0].decode()
	assert s("ALL") == "1 2 3 4 5 6"
	assert s("FROM", '"alice anders"') == "1 6"
	assert s("OR", "SUBJECT", "munich", "BODY", "xylophone") == "3 4"
	assert s("NOT", "(SENTBEFORE 4-Mar-2026)") == "3 6"
	assert s("BODY", "hummingbird") == "5"
	m.literal = "crème".encode()
	assert s("SUBJECT", charset="UTF-8") == "2"
	typ, data = m.uid("SEARCH", "UID", "2:*", "UNSEEN")
	assert typ == "OK" and data[0] == b"2 3 4 5 6", data
	m.store("1,3", "+FLAGS", "(\\Flagged)")
	assert s("FLAGGED") == "1 3"
	typ, data = m.search("KOI8-R", "ALL")
	assert typ == "NO" and b"[BADCHARSET (US-ASCII UTF-8)]" in data[0], (typ, data)
	try:
	    m.search(None, "FROBNICATE")
	    raise SystemExit("BAD not raised")
	except imaplib.IMAP4.error as e:
	    assert "CLIENTBUG" in str(e), e
	assert s("ALL") == "1 2 3 4 5 6"
	m.logout()
	print("ok")
	EOF
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$output" = ok ]
}
