#!/usr/bin/env bats
# The four clients against facteur's own servers, through -c and over TCP:
# the round trip send -> list/show -> transfer -> print-and-delete, byte
# for byte at each step.

load lib
load helpers/clients

setup() { setup_clients; }
teardown() { teardown_spool; }

# round_trip SMTP-ARGS POP3-ARGS IMAP-ARGS (each "-c CMD" or "-s HOST:PORT")
round_trip() {
	local smtp=("${!1}") pop=("${!2}") imap=("${!3}")
	sample_message trip > "$T/msg"

	run "$SMTPSEND" "${smtp[@]}" -f sender@remote.test "alice@$DOMAIN" < "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]

	run "$POPLS" "${pop[@]}" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^1\ [0-9]+\ [0-9]+\.1$ ]]
	"$POPLS" "${pop[@]}" -u alice -p "$T/alice.pw" 1 > "$T/shown"
	# stored as sent, below the two lines facteur adds
	[ "$(head -n 1 "$T/shown")" = "Return-Path: <sender@remote.test>" ]
	tail -n +3 "$T/shown" | cmp - "$T/msg"
	# LIST's size is RETR's octets (CRLF)
	[ "${output#1 }" != "$output" ]
	size=$(echo "$output" | cut -d' ' -f2)
	[ "$size" -eq "$(sed 's/^\./../; s/$/\r/' "$T/shown" | wc -c)" ] ||
	[ "$size" -eq "$(sed 's/$/\r/' "$T/shown" | wc -c)" ]

	run "$POPXFER" "${pop[@]}" -u alice -p "$T/alice.pw" "${smtp[@]/#-c/-C}" \
		-F "$T/state" -d "bob@$DOMAIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1/1 1 $size bytes: 250 "* ]]
	[ "$(count_messages "$(inbox alice)")" = 0 ]
	[ "$(count_messages "$(inbox bob)")" = 1 ]

	"$IMAPDRAIN" "${imap[@]}" -u bob -p "$T/bob.pw" > "$T/drained"
	[ "$(count_messages "$(inbox bob)")" = 0 ]
	head -n 1 "$T/drained" | grep -q '^From sender@remote.test '
	# Return-Path, Received (smtpd), Received (popxfer, 2 lines), then
	# alice's message exactly
	unmbox < "$T/drained" | tail -n +5 | cmp - "$T/shown"
	unmbox < "$T/drained" | sed -n 3p | grep -q '^Received: from .* (popxfer) with POP3 id '
}

@test "clients: round trip through -c, byte-exact at each step" {
	smtp=(-c "$SMTP_CMD") pop=(-c "$POP3_CMD") imap=(-c "$IMAP_CMD")
	round_trip smtp[@] pop[@] imap[@]
}

@test "clients: round trip over TCP" {
	serve "$SMTPD" -d "$DOMAIN"; sp=$PORT
	serve "$POP3D"; pp=$PORT
	serve "$IMAPD"; ip=$PORT
	smtp=(-s "127.0.0.1:$sp") pop=(-s "127.0.0.1:$pp") imap=(-s "127.0.0.1:$ip")
	# popxfer's SMTP side takes -S, not -s
	run "$POPXFER" -S x -s x:1 2>/dev/null
	sample_message tcp > "$T/msg"
	"$SMTPSEND" -s "127.0.0.1:$sp" -f sender@remote.test "alice@$DOMAIN" < "$T/msg"
	"$POPLS" -s "127.0.0.1:$pp" -u alice -p "$T/alice.pw" 1 | tail -n +3 | cmp - "$T/msg"
	"$POPXFER" -s "127.0.0.1:$pp" -u alice -p "$T/alice.pw" -S "127.0.0.1:$sp" \
		-F "$T/state" -d "bob@$DOMAIN" 2>/dev/null
	"$IMAPDRAIN" -s "127.0.0.1:$ip" -u bob -p "$T/bob.pw" > "$T/drained"
	unmbox < "$T/drained" | tail -n +7 | cmp - "$T/msg"
	[ "$(count_messages "$(inbox alice)")" = 0 ]
	[ "$(count_messages "$(inbox bob)")" = 0 ]
}

@test "clients: -v shows the dialogue with C: and S:, passwords masked" {
	sample_message v > "$T/msg"
	run "$SMTPSEND" -v -c "$SMTP_CMD" -u alice -p "$T/alice.pw" "bob@$DOMAIN" < "$T/msg"
	[ "$status" -eq 0 ]
	[[ "$output" == *"S: 220 "* ]]
	[[ "$output" == *"C: AUTH PLAIN ********"* ]]
	[[ "$output" == *"C: ..leading dot"* ]]
	run "$POPLS" -v -c "$POP3_CMD" -u bob -p "$T/bob.pw"
	[[ "$output" == *"C: AUTH PLAIN ********"* ]]
	[[ "$output" == *"S: +OK "* ]]
	run "$IMAPDRAIN" -v -k -c "$IMAP_CMD" -u bob -p "$T/bob.pw"
	[[ "$output" == *'C: a1 LOGIN "bob" ********'* ]]
	[[ "$output" == *"C: a3 EXAMINE \"INBOX\""* ]]
	# the secret itself, plain or in base64, never shows
	b64=$(printf '\0bob\0%s' "$BOB_PW" | base64 -w0)
	! grep -qF -e "$BOB_PW" -e "$b64" <<< "$output" || false
}

@test "popls: TOP with -n, delete with -d, a missing message is EX_DATAERR" {
	sample_message one > "$T/m.one"; deliver_file alice "$T/m.one" > /dev/null
	sample_message two > "$T/m.two"; deliver_file alice "$T/m.two" > /dev/null
	run "$POPLS" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -n 0 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: two"* ]]
	[[ "$output" != *"leading dot"* ]]
	run "$POPLS" -c "$POP3_CMD" -u alice -p "$T/alice.pw" 3
	[ "$status" -eq "$EX_DATAERR" ]
	"$POPLS" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -d 1
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	run "$POPLS" -c "$POP3_CMD" -u alice -p "$T/alice.pw" 1
	[[ "$output" == *"Subject: two"* ]]
}

@test "popls: USER/PASS without SASL; a wrong password is EX_NOPERM" {
	run "$POPLS" -c "$TOP/tests/helpers/fakeserver.py pop3 $T/fake.log" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	grep -q '^USER alice' "$T/fake.log"
	grep -q "^PASS $ALICE_PW" "$T/fake.log"
	run "$POPLS" -c "$POP3_CMD" -u alice -p "$T/bob.pw"
	[ "$status" -eq "$EX_NOPERM" ]
}

@test "clients: passwords from a variable, from ~/.netrc, never from nowhere" {
	sample_message pw > "$T/m.pw"; deliver_file alice "$T/m.pw" > /dev/null
	POPLS_PASSWORD=$ALICE_PW run "$POPLS" -c "$POP3_CMD" -u alice
	[ "$status" -eq 0 ]
	printf 'machine other login x password y\nmachine localhost login alice password %s\n' \
		"$ALICE_PW" > "$T/.netrc"
	run "$POPLS" -c "$POP3_CMD"		# user and password from ~/.netrc
	[ "$status" -eq 0 ]
	[[ "$output" == "1 "* ]]
	rm "$T/.netrc"
	run setsid -w "$POPLS" -c "$POP3_CMD" -u alice
	[ "$status" -eq "$EX_USAGE" ]
	[[ "$output" == *"no password"* ]]
}

@test "smtpsend: EHLO refused with 502 falls back to HELO (smtpd -H)" {
	sample_message helo > "$T/msg"
	run "$SMTPSEND" -v -c "$SMTP_CMD -H" "alice@$DOMAIN" < "$T/msg"
	[ "$status" -eq 0 ]
	[[ "$output" == *"S: 502"* ]]
	[[ "$output" == *"C: HELO "* ]]
	[[ "$output" != *"SIZE="* ]]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}

@test "smtpsend: sysexits: unknown user EX_NOUSER, too big EX_UNAVAILABLE, usage EX_USAGE" {
	sample_message codes > "$T/msg"
	run "$SMTPSEND" -c "$SMTP_CMD" "nobody@$DOMAIN" < "$T/msg"
	[ "$status" -eq "$EX_NOUSER" ]
	[[ "$output" == *"nobody@$DOMAIN: 550"* ]]
	# one good and one bad recipient: delivered to the good one, still 67
	run "$SMTPSEND" -c "$SMTP_CMD" "nobody@$DOMAIN" "alice@$DOMAIN" < "$T/msg"
	[ "$status" -eq "$EX_NOUSER" ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	head -c 2000 /dev/zero | tr '\0' x >> "$T/msg"
	run "$SMTPSEND" -c "$SMTP_CMD -m 1024" "alice@$DOMAIN" < "$T/msg"
	[ "$status" -eq "$EX_UNAVAILABLE" ]
	[[ "$output" == *"552"* ]]
	run "$SMTPSEND" -c "$SMTP_CMD" < "$T/msg"
	[ "$status" -eq "$EX_USAGE" ]
	run "$SMTPSEND" -c "$TOP/tests/helpers/fakeserver.py smtp-rcpt-450 $T/f.log" a@b < "$T/msg"
	[ "$status" -eq "$EX_TEMPFAIL" ]
	run "$SMTPSEND" -c "$TOP/tests/helpers/fakeserver.py smtp-data-554 $T/f.log" a@b < "$T/msg"
	[ "$status" -eq "$EX_UNAVAILABLE" ]
}

@test "smtpsend -t: recipients from To, Cc and Bcc; Bcc dropped" {
	{
		printf 'From: me@remote.test\nTo: "Alice, A." <alice@%s>, (comment) bob@%s\n' "$DOMAIN" "$DOMAIN"
		printf 'Cc: team: carol@%s;\nBcc: secret@%s,\n  alice+x@%s\nSubject: t\n\nbody\n' \
			"$DOMAIN" "$DOMAIN" "$DOMAIN"
	} > "$T/msg"
	run "$SMTPSEND" -v -t -c "$SMTP_CMD" < "$T/msg"
	[ "$status" -eq "$EX_NOUSER" ]		# secret@ does not exist
	[[ "$output" == *"RCPT TO:<alice@$DOMAIN>"* ]]
	[[ "$output" == *"RCPT TO:<bob@$DOMAIN>"* ]]
	[[ "$output" == *"RCPT TO:<carol@$DOMAIN>"* ]]
	[[ "$output" == *"RCPT TO:<alice+x@$DOMAIN>"* ]]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ "$(count_messages "$(inbox carol)")" = 1 ]
	! grep -qi '^bcc:' "$(inbox bob)" || false
	! grep -q 'alice+x' "$(inbox bob)" || false
	grep -q '^Cc: team:' "$(inbox bob)"
}

@test "smtpsend: built from flags; a message without a last newline gets one" {
	run "$SMTPSEND" -c "$SMTP_CMD" -f me@remote.test -j "Hello there" -b "short body" "alice@$DOMAIN"
	[ "$status" -eq 0 ]
	grep -q '^Subject: Hello there$' "$(inbox alice)"
	grep -q '^To: alice@' "$(inbox alice)"
	grep -q '^short body$' "$(inbox alice)"
	printf 'Subject: n\n\nno newline' | "$SMTPSEND" -c "$SMTP_CMD" "bob@$DOMAIN"
	"$POPLS" -c "$POP3_CMD" -u bob -p "$T/bob.pw" 1 | tail -n 1 | od -c | grep -q 'e  \\n'
}

@test "imapdrain: only unread, only those deleted (UID EXPUNGE), --keep and -M" {
	sample_message seen > "$T/m.seen"; deliver_file alice "$T/m.seen" > /dev/null
	sample_message unread > "$T/m.unread"; deliver_file alice "$T/m.unread" > /dev/null
	# another client reads the first and marks it \Deleted without expunging
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS (\\Seen \\Deleted)\r\nd LOGOUT\r\n' \
		"$ALICE_PW" | imap > /dev/null
	run "$IMAPDRAIN" -k -c "$IMAP_CMD" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: unread"* ]]
	[[ "$output" != *"Subject: seen"* ]]
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	"$IMAPDRAIN" -c "$IMAP_CMD" -u alice -p "$T/alice.pw" > "$T/out"
	grep -q 'Subject: unread' "$T/out"
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	grep -q 'Subject: seen' "$(inbox alice)"
	# a folder other than INBOX
	printf 'a LOGIN alice %s\r\nb CREATE Lists\r\nc SELECT INBOX\r\nd COPY 1 Lists\r\ne LOGOUT\r\n' "$ALICE_PW" | imap >/dev/null
	printf 'a LOGIN alice %s\r\nb SELECT Lists\r\nc STORE 1 -FLAGS (\\Seen \\Deleted)\r\nd LOGOUT\r\n' \
		"$ALICE_PW" | imap >/dev/null
	run "$IMAPDRAIN" -M Lists -c "$IMAP_CMD" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Subject: seen"* ]]
	[ "$(count_messages "$SPOOL/alice/Lists")" = 0 ]
}

@test "imapdrain: a write error on standard output deletes nothing" {
	sample_message a > "$T/m.a"; deliver_file alice "$T/m.a" > /dev/null
	run bash -c "'$IMAPDRAIN' -c '$IMAP_CMD' -u alice -p '$T/alice.pw' > /dev/full"
	[ "$status" -eq "$EX_IOERR" ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	# a pipe whose reader is gone before the first byte
	run python3 -c 'import os, sys
r, w = os.pipe(); os.close(r); os.dup2(w, 1); os.execv(sys.argv[1], sys.argv[1:])' \
		"$IMAPDRAIN" -c "$IMAP_CMD" -u alice -p "$T/alice.pw"
	[ "$status" -eq "$EX_IOERR" ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}

@test "popxfer: a second run sends only new messages; a list of numbers" {
	sample_message one > "$T/m.one"; deliver_file alice "$T/m.one" > /dev/null
	sample_message two > "$T/m.two"; deliver_file alice "$T/m.two" > /dev/null
	"$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" -F "$T/state" \
		"bob@$DOMAIN" 2 2>/dev/null
	[ "$(count_messages "$(inbox bob)")" = 1 ]
	grep -q 'Subject: two' "$(inbox bob)"
	run "$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" -F "$T/state" "bob@$DOMAIN"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1/1 1 "* ]]
	[ "$(count_messages "$(inbox bob)")" = 2 ]
	[ "$(count_messages "$(inbox alice)")" = 2 ]	# no -d: kept
	[ "$(wc -l < "$T/state")" = 2 ]
	run "$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" -F "$T/state" "bob@$DOMAIN"
	[ "$status" -eq 0 ]
	[ "$(count_messages "$(inbox bob)")" = 2 ]
	# -d deletes what was sent before, and the state starts again
	"$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" -F "$T/state" -d "bob@$DOMAIN"
	[ "$(count_messages "$(inbox alice)")" = 0 ]
	[ "$(count_messages "$(inbox bob)")" = 2 ]
	[ ! -s "$T/state" ]
}

@test "popxfer: refused by the SMTP server, nothing is deleted" {
	sample_message one > "$T/m.one"; deliver_file alice "$T/m.one" > /dev/null
	run "$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" -F "$T/state" \
		-d "nobody@$DOMAIN"
	[ "$status" -eq "$EX_NOUSER" ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ ! -s "$T/state" ]
}

@test "clients: host:port and [v6]:port" {
	serve "$POP3D"
	sample_message v6 > "$T/m.v6"; deliver_file alice "$T/m.v6" > /dev/null
	run "$POPLS" -s "127.0.0.1:$PORT" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	run "$POPLS" -s "localhost:$PORT" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	v6port=$(free_port)
	systemd-socket-activate --inetd -a -l "[::1]:$v6port" $POP3_CMD >/dev/null 2>&1 3>&- &
	SERVER_PIDS+=($!)
	for _ in $(seq 50); do "$POPLS" -W 1 -s "[::1]:$v6port" -u alice -p "$T/alice.pw" >/dev/null 2>&1 && break; sleep 0.1; done
	run "$POPLS" -s "[::1]:$v6port" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" == "1 "* ]]
	run "$POPLS" -s "[::1" -u alice -p "$T/alice.pw"
	[ "$status" -eq "$EX_USAGE" ]
	run "$POPLS" -s "no-such-host.invalid" -u alice -p "$T/alice.pw"
	[ "$status" -eq 68 ]				# EX_NOHOST
	run "$POPLS" -s "127.0.0.1:$(free_port)" -u alice -p "$T/alice.pw"
	[ "$status" -eq "$EX_TEMPFAIL" ]
}
