#!/usr/bin/env bats
# Hostile input across the three programs: the TESTCASES.md cases not
# covered by the per-program suites, and the security checks of issue 5.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

@test "hostile: an early talker (commands before the greeting) is served in order" {
	serve "$SMTPD" -d "$DOMAIN"
	python3 - "$PORT" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"EHLO early\r\nNOOP\r\nQUIT\r\n")     # before reading the 220
	data = b""
	while True:
	    chunk = s.recv(4096)
	    if not chunk: break
	    data += chunk
	lines = data.decode().split("\r\n")
	assert lines[0].startswith("220 "), lines
	assert lines[-3] == "250 2.0.0 Ok" and lines[-2].startswith("221 "), lines
	PY
}

@test "hostile: a 1 MB data line without a line end keeps memory bounded and is stored" {
	{ printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n'
	  head -c 1048576 /dev/zero | tr '\0' y; printf '\r\n.\r\nQUIT\r\n'; } > "$T/session"
	"$TOP/tests/helpers/maxrss" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" \
		< "$T/session" > "$T/out" 2> "$T/rss"
	grep -q '^250 2.0.0 Ok: delivered' "$T/out"
	rss=$(sed -n 's/^maxrss //p' "$T/rss")
	echo "peak RSS $rss KiB"
	[ "$rss" -lt 8192 ]
	[ "$("$MBOXCHECK" -x 1 "$(inbox alice)" | tail -n 1 | tr -d '\r\n' | wc -c)" -eq 1048576 ]
}

@test "hostile: headers other tools use for bookkeeping change neither flags nor UIDs" {
	printf 'Status: RO\r\nX-Status: AFD\r\nX-UID: 99\r\nX-IMAP: 12345 99\r\nX-Keywords: $Junk Forwarded\r\nSubject: meta\r\n\r\nbody\r\n' > "$T/m"
	deliver_file alice "$T/m" >/dev/null
	out=$(printf 'a LOGIN alice %s\r\nb EXAMINE INBOX\r\nc FETCH 1 (UID FLAGS)\r\nd LOGOUT\r\n' "$ALICE_PW" | imap | replies)
	echo "$out" | grep -qx '\* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)'
	echo "$out" | grep -qx '\* 1 FETCH (UID 1 FLAGS (\\Recent))'
	! echo "$out" | grep -q 'UIDVALIDITY 12345' || false
}

@test "hostile: user names with paths never reach outside the spool" {
	for u in ../alice ../../etc/passwd 'alice/../bob' .alice 'al ice' "$(printf 'al\tice')"; do
		out=$(printf 'USER %s\r\nPASS %s\r\nQUIT\r\n' "$u" "$ALICE_PW" | pop3 | replies)
		echo "$out" | grep -qx -- '-ERR \[AUTH\] authentication failed' || echo "$out" | grep -qx -- '-ERR usage: USER name'
		out=$(printf 'a LOGIN "%s" %s\r\nb LOGOUT\r\n' "$u" "$ALICE_PW" | imap | replies)
		! echo "$out" | grep -q '^a OK' || false
	done
	[ "$(ls "$SPOOL")" = "" ]
	[ ! -e "$T/etc" ] && [ ! -e "$SPOOL/../alice" ] || false
}

@test "hostile: a disabled user can log in to nothing, but receives mail" {
	echo "dave:!$(users_hash alice)" >> "$USERS"
	printf 'USER dave\r\nPASS %s\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies | grep -qx -- '-ERR \[AUTH\] authentication failed'
	printf 'a LOGIN dave %s\r\nb LOGOUT\r\n' "$ALICE_PW" | imap | replies | grep -qx 'a NO \[AUTHENTICATIONFAILED\] Authentication failed'
	printf 'Subject: hi dave\r\n\r\nx\r\n' > "$T/m"
	deliver_file dave "$T/m" | replies | grep -q '^250 2.0.0'
}

@test "hostile: unknown user and wrong password take the same time in POP3 and IMAP" {
	# -F 0: no failed-login record: it would cut the series short, and its
	# writes would time the file system, not the password check
	p_known() { printf 'USER alice\r\nPASS wrong\r\nQUIT\r\n' | pop3 -F 0; }
	p_unknown() { printf 'USER nosuch\r\nPASS wrong\r\nQUIT\r\n' | pop3 -F 0; }
	p_none() { printf 'USER alice\r\nQUIT\r\n' | pop3 -F 0; }
	i_known() { printf 'a LOGIN alice wrong\r\nb LOGOUT\r\n' | imap -F 0; }
	i_unknown() { printf 'a LOGIN nosuch wrong\r\nb LOGOUT\r\n' | imap -F 0; }
	i_none() { printf 'a NOOP\r\nb LOGOUT\r\n' | imap -F 0; }
	same_login_time p_known p_unknown p_none
	same_login_time i_known i_unknown i_none
}

@test "hostile: NUL, 8-bit and escapes in IMAP strings and atoms are BAD, never a crash" {
	out=$(printf 'a LOGIN "al\0ice" x\r\nb LOGIN al\0ice x\r\nc LOGIN "\xff" x\r\nd NOOP\r\n' | imap | replies || true)
	[ "$(echo "$out" | sed -n 2p)" = "a BAD [CLIENTBUG] Invalid arguments to LOGIN" ]
	[ "$(echo "$out" | sed -n 3p | cut -c1-5)" = "b BAD" ]
	echo "$out" | grep -q '^\* BYE Too many bad commands' || echo "$out" | grep -qx 'd OK NOOP completed'
}

@test "hostile: client bytes are escaped in the POP3 and IMAP logs" {
	printf 'USER x\033[31m%%n\r\nPASS y\r\nQUIT\r\n' | pop3 >/dev/null
	printf 'a LOGIN "x\\"%%s" y\r\nb LOGOUT\r\n' | imap >/dev/null
	grep -qF "authentication failed for 'x\x1b[31m%n'" "$LOG"
	grep -qF "authentication failed for 'x\"%s'" "$LOG"
	! grep -q "$(printf '\033')" "$LOG" || false
}

@test "hostile: peer from a pipe is 'local'; a bad TCPREMOTEIP is ignored; a sane TCPREMOTEHOST is used" {
	printf 'Subject: env\r\n\r\nx\r\n' > "$T/m"
	env -u TCPREMOTEIP -u REMOTE_ADDR bash -c "$(declare -f deliver_file smtp); SMTPD=$SMTPD SPOOL=$SPOOL USERS=$USERS LOG=$LOG HOST=$HOST DOMAIN=$DOMAIN WRAP=(); deliver_file alice $T/m" >/dev/null
	sed -n 3p "$(inbox alice)" | grep -q '(\[local\])'
	TCPREMOTEIP='1.2.3.4; rm -rf /' TCPREMOTEHOST="$(printf 'evil\r\nhost')" deliver_file alice "$T/m" >/dev/null
	sed -n '/^From /{n;n;p}' "$(inbox alice)" | tail -n 1 | grep -q '(\[local\])'
	TCPREMOTEIP=192.0.2.7 TCPREMOTEHOST=client.example deliver_file alice "$T/m" >/dev/null
	grep -q '^Received: from client.test (client.example \[192.0.2.7\]) by mx.test' "$(inbox alice)"
	huge=$(head -c 5000 /dev/zero | tr '\0' h)
	TCPREMOTEIP=192.0.2.8 TCPREMOTEHOST="$huge" deliver_file alice "$T/m" >/dev/null
	grep -q '^Received: from client.test (\[192.0.2.8\]) by mx.test' "$(inbox alice)"
	grep -q 'connect from client.example \[192.0.2.7\]' "$LOG"
}

@test "hostile: pop3d and imapd refuse a root-owned spool when started as root" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	chown root:root "$SPOOL"
	run sh -c "printf 'QUIT\r\n' | $POP3D -s $SPOOL -a $USERS -l $LOG"
	[ "$(echo "$output" | tr -d '\r')" = "-ERR [SYS/PERM] service not available (spool owned by root)" ]
	run sh -c "printf 'a LOGOUT\r\n' | $IMAPD -s $SPOOL -a $USERS -l $LOG"
	[ "$(echo "$output" | tr -d '\r')" = "* BYE [UNAVAILABLE] Service not available (spool owned by root)" ]
}

@test "hostile: imapd: a mailbox locked by another program gives NO, then works once released" {
	printf 'Subject: x\r\n\r\nx\r\n' > "$T/m"
	deliver_file alice "$T/m" >/dev/null
	python3 "$BATS_TEST_DIRNAME/helpers/lockhold.py" "$(inbox alice)" 3 > "$T/held" &
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc LOGOUT\r\n' "$ALICE_PW" | imap -L 1 | replies)
	echo "$out" | grep -qx 'b NO \[UNAVAILABLE\] Mailbox busy or unreadable, try again later'
	wait
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc LOGOUT\r\n' "$ALICE_PW" | imap -L 1 | replies)
	echo "$out" | grep -q '^b OK \[READ-WRITE\]'
}

@test "hostile: a garbage auth file: good lines still work, bad ones are only logged" {
	{ head -c 3000 /dev/urandom; printf '\nalice:%s\n' "$(users_hash alice)"; head -c 2000 /dev/urandom | tr -d '\n'; } > "$T/users.bad"
	out=$(printf 'USER alice\r\nPASS %s\r\nQUIT\r\n' "$ALICE_PW" | "$POP3D" -s "$SPOOL" -a "$T/users.bad" -l "$LOG" -D 0 | replies)
	echo "$out" | sed -n 3p | grep -q '^+OK alice has 0 messages'
	grep -q 'auth file line [0-9]*: malformed, skipped' "$LOG"
}

@test "hostile: a mailbox deleted and created again never reuses its UIDVALIDITY" {
	out=$(printf 'a LOGIN alice %s\r\nb CREATE Re\r\nc APPEND Re {8}\r\nSubject:\r\nd STATUS Re (UIDVALIDITY UIDNEXT)\r\ne DELETE Re\r\nf CREATE Re\r\ng STATUS Re (UIDVALIDITY UIDNEXT)\r\nh LOGOUT\r\n' "$ALICE_PW" | imap | replies)
	v1=$(echo "$out" | sed -n 's/^\* STATUS Re (UIDVALIDITY \([0-9]*\) UIDNEXT 2)$/\1/p')
	v2=$(echo "$out" | sed -n 's/^\* STATUS Re (UIDVALIDITY \([0-9]*\) UIDNEXT 1)$/\1/p')
	[ -n "$v1" ] && [ -n "$v2" ] || false
	[ "$v2" -gt "$v1" ]
}
