#!/usr/bin/env bats
# pop3d: piped transcripts of every command and error.

load lib

setup() {
	setup_spool
	# two messages for alice, delivered by smtpd: sizes are what RETR sends
	printf 'Subject: one\r\n\r\nfirst body\r\n' > "$T/m1"
	printf 'Subject: two\r\n\r\n.leading dot\r\nFrom quoted\r\n.\r\nsecond\r\n' > "$T/m2"
	deliver_file alice "$T/m1" >/dev/null
	deliver_file alice "$T/m2" >/dev/null
}
teardown() { teardown_spool; }

login() { printf 'USER alice\r\nPASS %s\r\n' "$ALICE_PW"; }
# the wire form of message n as stored (what RETR must send, unstuffed)
wire() { "$MBOXCHECK" -x "$1" "$(inbox alice)"; }

@test "pop3d: greeting, CAPA lists exactly what is implemented" {
	out=$(printf 'CAPA\r\nQUIT\r\n' | pop3 | replies)
	[ "$(echo "$out" | head -n 1)" = "+OK facteur POP3 server ready" ]
	[ "$(echo "$out" | sed -n '2,12p')" = "$(printf '+OK Capability list follows\nTOP\nUSER\nUIDL\nRESP-CODES\nAUTH-RESP-CODE\nPIPELINING\nSASL PLAIN\nEXPIRE NEVER\nIMPLEMENTATION facteur\n.')" ]
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off" ]
}

@test "pop3d: the RFC 1939 example session" {
	s1=$(wire 1 | wc -c); s2=$(wire 2 | wc -c)
	out=$( (login; printf 'STAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n') | pop3 | replies)
	[ "$(echo "$out" | sed -n 3p)" = "+OK alice has 2 messages ($((s1 + s2)) octets)" ]
	[ "$(echo "$out" | sed -n 4p)" = "+OK 2 $((s1 + s2))" ]
	[ "$(echo "$out" | sed -n 5,8p)" = "$(printf '+OK scan listing follows\n1 %s\n2 %s\n.' "$s1" "$s2")" ]
	[ "$(echo "$out" | sed -n 9p)" = "+OK $s1 octets" ]
	echo "$out" | grep -qx '+OK message 1 deleted'
	echo "$out" | grep -qx '+OK message 2 deleted'
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off (0 messages left)" ]
	[ "$(count_messages "$(inbox alice)")" = 0 ]
}

@test "pop3d: RETR is byte-exact, CRLF, dot-stuffed, and STAT/LIST sizes match what it sends" {
	(login; printf 'LIST 2\r\nRETR 2\r\nQUIT\r\n') | pop3 > "$T/out"
	size=$(sed -n 4p "$T/out" | tr -d '\r' | cut -d' ' -f3)
	# the multi-line body between "+OK n octets" and the final "."
	python3 - "$T/out" "$size" <<-'PY'
	import sys
	data = open(sys.argv[1], "rb").read()
	start = data.index(b" octets\r\n") + 9
	end = data.index(b"\r\n.\r\n", start) + 2
	body = data[start:end]
	unstuffed = b"\r\n".join(l[1:] if l.startswith(b".") else l for l in body.split(b"\r\n"))
	assert len(unstuffed) == int(sys.argv[2]), (len(unstuffed), sys.argv[2])
	assert b"\r\n..leading dot\r\n" in body and b"\r\n..\r\n" in body
	assert b"\nFrom quoted\r\n" in body and b">From" not in body
	assert b"\n" not in body.replace(b"\r\n", b"")
	PY
	wire 2 | grep -q '^From quoted'
}

@test "pop3d: TOP sends the header, the blank line and n body lines" {
	out=$( (login; printf 'TOP 2 0\r\nTOP 2 2\r\nTOP 2 99999999999\r\nQUIT\r\n') | pop3 | replies)
	[ "$(echo "$out" | sed -n '4,6p')" = "$(printf '+OK top of message follows\nReturn-Path: <sender@remote.test>')" ] || true
	top0=$(echo "$out" | awk '/^\+OK top/{n++} n==1' | sed -n '2,$p' | sed '/^\.$/q')
	echo "$top0" | grep -qx 'Subject: two'
	[ "$(echo "$top0" | tail -n 2)" = "$(printf '\n.')" ]
	top2=$(echo "$out" | awk '/^\+OK top/{n++} n==2' | sed -n '2,$p' | sed '/^\.$/q')
	[ "$(echo "$top2" | tail -n 3)" = "$(printf '..leading dot\nFrom quoted\n.')" ]
	topall=$(echo "$out" | awk '/^\+OK top/{n++} n==3' | sed -n '2,$p' | sed '/^\.$/q')
	[ "$(echo "$topall" | tail -n 3)" = "$(printf '..\nsecond\n.')" ]
}

@test "pop3d: UIDL is stable across sessions and unique" {
	a=$( (login; printf 'UIDL\r\nQUIT\r\n') | pop3 | replies | sed -n '5,6p')
	b=$( (login; printf 'UIDL\r\nUIDL 2\r\nQUIT\r\n') | pop3 | replies)
	[ "$a" = "$(echo "$b" | sed -n '5,6p')" ]
	[ "$(echo "$a" | cut -d' ' -f2 | sort -u | wc -l)" -eq 2 ]
	echo "$a" | cut -d' ' -f2 | grep -Eqx '[0-9]+\.[0-9]+'
	[ "$(echo "$b" | sed -n 8p)" = "+OK $(echo "$a" | sed -n 2p)" ]
}

@test "pop3d: UIDL survives deletion of other messages; a new message gets a new UID" {
	before=$( (login; printf 'UIDL\r\nQUIT\r\n') | pop3 | replies | sed -n '5,6p' | cut -d' ' -f2)
	(login; printf 'DELE 1\r\nQUIT\r\n') | pop3 >/dev/null
	deliver_file alice "$T/m1" >/dev/null
	after=$( (login; printf 'UIDL\r\nQUIT\r\n') | pop3 | replies | sed -n '5,6p' | cut -d' ' -f2)
	[ "$(echo "$after" | head -n 1)" = "$(echo "$before" | tail -n 1)" ]
	new=$(echo "$after" | tail -n 1)
	! echo "$before" | grep -qx "$new" || false
	[ "${new#*.}" -gt "$(echo "$before" | tail -n 1 | cut -d. -f2)" ]
}

@test "pop3d: DELE then RSET deletes nothing; deleted messages are invisible" {
	out=$( (login; printf 'DELE 1\r\nSTAT\r\nLIST\r\nLIST 1\r\nRETR 1\r\nTOP 1 1\r\nDELE 1\r\nUIDL 1\r\nRSET\r\nSTAT\r\nQUIT\r\n') | pop3 | replies)
	s2=$(wire 2 | wc -c)
	echo "$out" | grep -qx "+OK 1 $s2"
	[ "$(echo "$out" | grep -c '^-ERR message 1 already deleted')" -eq 5 ]
	echo "$out" | grep -qx '+OK maildrop has 2 messages'
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off (2 messages left)" ]
	[ "$(count_messages "$(inbox alice)")" = 2 ]
}

@test "pop3d: a connection that drops or times out without QUIT deletes nothing" {
	(login; printf 'DELE 1\r\nDELE 2\r\n') | pop3 >/dev/null || true
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	(login; printf 'DELE 1\r\n'; sleep 3) | pop3 -t 1 | replies > "$T/out" || true
	[ "$(tail -n 1 "$T/out")" = "-ERR autologout: idle for too long" ]
	[ "$(count_messages "$(inbox alice)")" = 2 ]
}

@test "pop3d: message numbers are checked strictly" {
	out=$( (login; printf 'RETR 0\r\nRETR 999\r\nRETR -1\r\nRETR 1x\r\nRETR 4294967297\r\nRETR\r\nRETR +1\r\nRETR 1 2\r\nLIST 1 2\r\nTOP 1 -1\r\nTOP 1\r\nTOP x 1\r\nDELE 3\r\nNOOP\r\nQUIT\r\n') | pop3 | replies)
	[ "$(echo "$out" | sed -n 4p)" = "-ERR no such message, only 2 in maildrop" ]
	[ "$(echo "$out" | sed -n 5p)" = "-ERR no such message, only 2 in maildrop" ]
	[ "$(echo "$out" | sed -n 6p)" = "-ERR invalid message number" ]
	[ "$(echo "$out" | sed -n 7p)" = "-ERR invalid message number" ]
	[ "$(echo "$out" | sed -n 8p)" = "-ERR no such message, only 2 in maildrop" ]
	[ "$(echo "$out" | sed -n 9p)" = "-ERR message number required" ]
	[ "$(echo "$out" | sed -n 10p)" = "-ERR invalid message number" ]
	[ "$(echo "$out" | sed -n 11p)" = "-ERR usage: RETR msg" ]
	[ "$(echo "$out" | sed -n 12p)" = "-ERR too many arguments" ]
	[ "$(echo "$out" | sed -n 13p)" = "-ERR invalid line count" ]
	[ "$(echo "$out" | sed -n 14p)" = "-ERR usage: TOP msg n" ]
	[ "$(echo "$out" | sed -n 15p)" = "-ERR invalid message number" ]
	[ "$(echo "$out" | sed -n 16p)" = "-ERR no such message, only 2 in maildrop" ]
	[ "$(echo "$out" | sed -n 17p)" = "+OK" ]
	[ "$(count_messages "$(inbox alice)")" = 2 ]
}

@test "pop3d: commands in the wrong state and unknown commands" {
	out=$(printf 'STAT\r\nRETR 1\r\nPASS x\r\nFOO\r\nUSER alice\r\nPASS %s\r\nUSER bob\r\nPASS x\r\nAUTH PLAIN\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies)
	[ "$(echo "$out" | sed -n 2p)" = "-ERR not logged in" ]
	[ "$(echo "$out" | sed -n 3p)" = "-ERR not logged in" ]
	[ "$(echo "$out" | sed -n 4p)" = "-ERR USER first" ]
	[ "$(echo "$out" | sed -n 5p)" = "-ERR unknown command" ]
	[ "$(echo "$out" | sed -n 8p)" = "-ERR already logged in" ]
	[ "$(echo "$out" | sed -n 9p)" = "-ERR already logged in" ]
	[ "$(echo "$out" | sed -n 10p)" = "-ERR already logged in" ]
}

@test "pop3d: lower-case commands work" {
	out=$(printf 'user alice\r\npass %s\r\nstat\r\nquit\r\n' "$ALICE_PW" | pop3 | replies)
	echo "$out" | sed -n 4p | grep -q '^+OK 2 '
}

@test "pop3d: AUTH PLAIN with initial response, with continuation, and cancelled" {
	r=$(printf '\0alice\0%s' "$ALICE_PW" | base64 -w0)
	out=$(printf 'AUTH PLAIN %s\r\nSTAT\r\nQUIT\r\n' "$r" | pop3 | replies)
	[ "$(echo "$out" | sed -n 2p)" = "+OK alice has 2 messages ($(( $(wire 1 | wc -c) + $(wire 2 | wc -c) )) octets)" ]
	out=$(printf 'AUTH PLAIN\r\n%s\r\nQUIT\r\n' "$r" | pop3 | replies)
	[ "$(echo "$out" | sed -n 2p)" = "+ " ]
	echo "$out" | sed -n 3p | grep -q '^+OK alice has 2 messages'
	out=$(printf 'AUTH PLAIN\r\n*\r\nAUTH\r\nAUTH CRAM-MD5\r\nAUTH PLAIN !!!\r\nQUIT\r\n' | pop3 | replies)
	[ "$(echo "$out" | sed -n 3p)" = "-ERR authentication cancelled" ]
	[ "$(echo "$out" | sed -n 4,6p)" = "$(printf '+OK mechanisms follow\nPLAIN\n.')" ]
	[ "$(echo "$out" | sed -n 7p)" = "-ERR unsupported authentication mechanism" ]
	[ "$(echo "$out" | sed -n 8p)" = "-ERR invalid AUTH PLAIN response" ]
}

@test "pop3d: unknown user and wrong password get the same [AUTH] reply; 3 failures close" {
	a=$(printf 'USER alice\r\nPASS wrong\r\nQUIT\r\n' | pop3 | replies | sed -n 3p)
	b=$(printf 'USER nosuch\r\nPASS wrong\r\nQUIT\r\n' | pop3 | replies | sed -n 3p)
	[ "$a" = "-ERR [AUTH] authentication failed" ]
	[ "$a" = "$b" ]
	out=$(printf 'USER alice\r\nPASS a\r\nUSER alice\r\nPASS b\r\nUSER alice\r\nPASS c\r\nUSER alice\r\n' | pop3 | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "-ERR [AUTH] too many authentication failures" ]
	[ "$(echo "$out" | grep -c 'authentication failed')" -eq 2 ]
}

@test "pop3d: failed logins are delayed, growing" {
	start=$(date +%s%N)
	printf 'USER alice\r\nPASS a\r\nUSER alice\r\nPASS b\r\nQUIT\r\n' | pop3 -D 300 >/dev/null
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$ms" -ge 900 ]
}

@test "pop3d: a connection dropped without QUIT locks nobody out: the next login at once gets +OK" {
	octets=$(( $(wire 1 | wc -c) + $(wire 2 | wc -c) ))
	mkfifo "$T/in"
	pop3 < "$T/in" > "$T/first" &
	first=$!
	exec 7> "$T/in"
	login >&7
	printf 'DELE 1\r\n' >&7
	for i in $(seq 50); do grep -q 'message 1 deleted' "$T/first" 2>/dev/null && break; sleep 0.05; done
	# The client is gone without a word; its pop3d still waits for input.
	out=$( (login; printf 'STAT\r\nDELE 2\r\nQUIT\r\n') | pop3 | replies)
	[ "$(echo "$out" | sed -n 3p)" = "+OK alice has 2 messages ($octets octets)" ]
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off (1 messages left)" ]
	# The dropped session ends without QUIT: its DELE 1 is not applied.
	exec 7>&-
	wait "$first" || true
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	wire 1 | grep -qx $'Subject: one\r'
	grep -q 'lost connection from .* user=alice' "$LOG"
}

@test "pop3d: two sessions side by side delete overlapping messages: each goes once, none lost" {
	for i in 3 4 5 6; do
		printf 'Subject: m%d\r\n\r\nbody\r\n' "$i" > "$T/m$i"
		deliver_file alice "$T/m$i" >/dev/null
	done
	mkfifo "$T/a" "$T/b"
	pop3 < "$T/a" > "$T/outa" & pa=$!
	pop3 < "$T/b" > "$T/outb" & pb=$!
	exec 7> "$T/a" 8> "$T/b"
	login >&7
	login >&8
	for i in $(seq 50); do grep -q 'has 6 messages' "$T/outa" && grep -q 'has 6 messages' "$T/outb" && break; sleep 0.05; done
	printf 'Subject: m7\r\n\r\nduring\r\n' > "$T/m7"
	deliver_file alice "$T/m7" | replies | grep -q '^250 2.0.0'
	printf 'DELE 1\r\nDELE 2\r\nDELE 3\r\nDELE 4\r\n' >&7
	printf 'DELE 3\r\nDELE 4\r\nDELE 5\r\nDELE 6\r\nQUIT\r\n' >&8
	exec 8>&-
	wait "$pb"
	replies < "$T/outb" | grep -qx '+OK facteur POP3 server signing off (3 messages left)'
	# A's snapshot still numbers the messages of its login; 5 is gone now.
	printf 'RETR 5\r\nQUIT\r\n' >&7
	exec 7>&-
	wait "$pa"
	replies < "$T/outa" | grep -qx -- '-ERR \[SYS/TEMP\] message no longer in the maildrop'
	replies < "$T/outa" | grep -qx '+OK facteur POP3 server signing off (1 messages left)'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	wire 1 | grep -qx $'Subject: m7\r'
	"$MBOXCHECK" -i "$(inbox alice)" >/dev/null
}

@test "pop3d: mail delivered during a session is kept and shows up in the next one" {
	mkfifo "$T/in"
	pop3 < "$T/in" > "$T/first" &
	first=$!
	exec 7> "$T/in"
	login >&7
	printf 'DELE 1\r\n' >&7
	for i in $(seq 50); do grep -q 'message 1 deleted' "$T/first" 2>/dev/null && break; sleep 0.05; done
	printf 'Subject: during\r\n\r\nnew\r\n' > "$T/m3"
	deliver_file alice "$T/m3" | replies | grep -q '^250 2.0.0'
	printf 'STAT\r\nQUIT\r\n' >&7
	exec 7>&-
	wait "$first"
	replies < "$T/first" | grep -q "^+OK 1 $(wire 2 | wc -c)\$" || replies < "$T/first" | grep -q '^+OK 1 '
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	grep -q '^Subject: two' "$(inbox alice)"
	grep -q '^Subject: during' "$(inbox alice)"
	! grep -q '^Subject: one' "$(inbox alice)" || false
	out=$( (login; printf 'STAT\r\nQUIT\r\n') | pop3 | replies)
	echo "$out" | sed -n 4p | grep -q '^+OK 2 '
}

@test "pop3d: a user with no mailbox yet has an empty maildrop" {
	out=$(printf 'USER bob\r\nPASS %s\r\nSTAT\r\nLIST\r\nQUIT\r\n' "$BOB_PW" | pop3 | replies)
	[ "$(echo "$out" | sed -n 3p)" = "+OK bob has 0 messages (0 octets)" ]
	[ "$(echo "$out" | sed -n 4p)" = "+OK 0 0" ]
	[ "$(echo "$out" | sed -n 5,6p)" = "$(printf '+OK scan listing follows\n.')" ]
}

@test "pop3d: command line of 255 octets accepted, 256 refused and its tail not run" {
	pad=$(head -c 249 /dev/zero | tr '\0' x)   # "USER " + 249 + CRLF = 256
	out=$(printf 'NOOP %s\r\nUSER %s\r\nQUIT\r\n' "$(head -c 248 /dev/zero | tr '\0' x)" "$pad" | pop3 | replies)
	[ "$(echo "$out" | sed -n 2p)" = "-ERR not logged in" ]
	[ "$(echo "$out" | sed -n 3p)" = "-ERR line too long" ]
	big=$(head -c 100000 /dev/zero | tr '\0' y)
	out=$(printf 'USER alice\r\n%s QUIT\r\nNOOP\r\nQUIT\r\n' "$big" | pop3 | replies)
	[ "$(echo "$out" | sed -n 3p)" = "-ERR line too long" ]
	[ "$(echo "$out" | sed -n 4p)" = "-ERR not logged in" ]
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off" ]
}

@test "pop3d: 20 bad commands close the session" {
	{ for i in $(seq 25); do printf 'BAD\r\n'; done; } | pop3 | replies > "$T/out" || true
	[ "$(grep -c '^-ERR unknown command' "$T/out")" -eq 19 ]
	[ "$(tail -n 1 "$T/out")" = "-ERR too many bad commands, closing connection" ]
}

@test "pop3d: NUL and bare CR in a command are refused" {
	out=$(printf 'US\0ER alice\r\nUS\rER alice\r\nQUIT\r\n' | pop3 | replies)
	[ "$(echo "$out" | sed -n 2,3p | sort -u)" = "-ERR invalid character in command" ]
}

@test "pop3d: -v logs the session with the password masked" {
	(login; printf 'QUIT\r\n') | pop3 -v >/dev/null
	grep -q '< USER alice' "$LOG"
	grep -q '< PASS ' "$LOG"
	! grep -q "$ALICE_PW" "$LOG" || false
	r=$(printf '\0alice\0%s' "$ALICE_PW" | base64 -w0)
	printf 'AUTH PLAIN\r\n%s\r\nQUIT\r\n' "$r" | pop3 -v >/dev/null
	! grep -q "$r" "$LOG" || false
}

@test "pop3d: missing auth file or spool refuses at greeting" {
	run sh -c "printf 'QUIT\r\n' | $POP3D -s $SPOOL -a $T/none -l $LOG"
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | tr -d '\r')" = "-ERR [SYS/PERM] service not available (auth file unavailable)" ]
	run sh -c "printf 'QUIT\r\n' | $POP3D -s $T/none -a $USERS -l $LOG"
	[ "$(echo "$output" | tr -d '\r')" = "-ERR [SYS/PERM] service not available (spool unavailable)" ]
}

@test "pop3d: an unreadable mailbox gives [SYS/TEMP]" {
	chmod 000 "$(inbox alice)"
	out=$( (login; printf 'STAT\r\n') | pop3 | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "-ERR [SYS/TEMP] maildrop busy or unreadable, try again later" ]
}

@test "pop3d: a mailbox locked longer than -L gives [SYS/TEMP], never a hang" {
	python3 "$BATS_TEST_DIRNAME/helpers/lockhold.py" "$(inbox alice)" 4 > "$T/held" &
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	start=$(date +%s)
	out=$( (login; printf 'STAT\r\n') | pop3 -L 1 | replies || true)
	[ $(( $(date +%s) - start )) -le 3 ]
	[ "$(echo "$out" | tail -n 1)" = "-ERR [SYS/TEMP] maildrop busy or unreadable, try again later" ]
	wait
}
