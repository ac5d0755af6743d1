#!/usr/bin/env bats
# The login rules shared by the three programs (common/login.c): no password
# in clear off loopback unless -C or -S, the failure record across
# connections (-F, -W), and the submission sender check (-A, -e).

load lib

setup() { setup_spool; }
teardown() {
	remove_netns
	teardown_spool
}

plain() { printf '\0%s\0%s' "$1" "$2" | base64 -w0; }
# A piped session whose client, as stunnel or tcpserver report it, is remote.
remote() { REMOTE_HOST=203.0.113.5 "$@"; }

@test "policy: a remote client in clear is offered no login, and each login command says why" {
	out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | remote smtp | replies)
	! echo "$out" | grep -q AUTH || false
	echo "$out" | grep -qx '538 5.7.11 Encryption required for requested authentication mechanism, use port 465'
	out=$(printf 'CAPA\r\nUSER alice\r\nPASS %s\r\nAUTH PLAIN\r\nQUIT\r\n' "$ALICE_PW" | remote pop3 | replies)
	! echo "$out" | grep -qx -e USER -e 'SASL PLAIN' || false
	[ "$(echo "$out" | grep -c '^-ERR \[AUTH\] Plaintext authentication disallowed')" = 3 ]
	out=$(printf 'a CAPABILITY\r\nb LOGIN alice %s\r\nc AUTHENTICATE PLAIN %s\r\nd LOGOUT\r\n' "$ALICE_PW" "$(plain alice "$ALICE_PW")" | remote imap | replies)
	echo "$out" | grep -q '^\* CAPABILITY .*LOGINDISABLED'
	! echo "$out" | grep -q 'AUTH=PLAIN' || false
	echo "$out" | grep -q '^b NO \[PRIVACYREQUIRED\]'
	echo "$out" | grep -q '^c NO \[PRIVACYREQUIRED\]'
	grep -q '\[203.0.113.5\]' "$LOG"
}

@test "policy: -S (TLS) and -C (clear allowed) offer logins to a remote client; loopback always" {
	for flag in -S -C; do
		printf 'EHLO c\r\nQUIT\r\n' | remote smtp $flag | replies | grep -qx '250-AUTH PLAIN LOGIN'
		printf 'CAPA\r\nQUIT\r\n' | remote pop3 $flag | replies | grep -qx 'SASL PLAIN'
		printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | remote imap $flag | replies | grep -q '^a OK'
	done
	printf 'a CAPABILITY\r\nb LOGOUT\r\n' | REMOTE_HOST=127.0.0.1 imap | replies | grep -q 'AUTH=PLAIN'
	printf 'a CAPABILITY\r\nb LOGOUT\r\n' | imap | replies | grep -q 'AUTH=PLAIN'
}

@test "policy: a client on a non-loopback address of a network namespace gets LOGINDISABLED" {
	command -v ip >/dev/null || { echo "iproute2 missing" >&2; return 1; }
	make_netns
	PORT=$(free_port)
	systemd-socket-activate --inetd -a -l "$HOST_ADDR:$PORT" "$IMAPD" -s "$SPOOL" -a "$USERS" \
		-l "$LOG" -n "$HOST" -D 0 >/dev/null 2>"$T/activate.err" 3>&- &
	SERVER_PIDS+=($!)
	wait_addr_port "$HOST_ADDR" "$PORT"
	out=$(printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | ip netns exec "$NS" timeout 5 socat - "TCP:$HOST_ADDR:$PORT" | replies)
	echo "$out" | grep -q '^\* OK \[CAPABILITY .*LOGINDISABLED'
	echo "$out" | grep -q '^a NO \[PRIVACYREQUIRED\]'
	grep -q "\[$NS_ADDR\]" "$LOG"
}

@test "failures: a client that reconnects is refused after -F failures, then let in after -W" {
	for i in 1 2; do
		printf 'a LOGIN alice wrong\r\nb LOGOUT\r\n' | imap -F 2 -W 2 | replies | grep -q '^a NO \[AUTHENTICATIONFAILED\]'
	done
	# the right password no longer helps, in any of the three programs
	printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | imap -F 2 -W 2 | replies | grep -q '^a NO \[UNAVAILABLE\] Too many failed logins'
	printf 'USER alice\r\nPASS %s\r\nQUIT\r\n' "$ALICE_PW" | pop3 -F 2 -W 2 | replies | grep -q '^-ERR \[AUTH\] too many failed logins'
	printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain ALICE "$ALICE_PW")" | smtp -F 2 -W 2 | replies | grep -qx '454 4.7.0 Too many failed logins, try again later'
	# another user is not concerned
	printf 'a LOGIN bob %s\r\nb LOGOUT\r\n' "$BOB_PW" | imap -F 2 -W 2 | replies | grep -q '^a OK'
	grep -q "authentication refused (too many recent failures) for 'alice'" "$LOG"
	sleep 2.1
	printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | imap -F 2 -W 2 | replies | grep -q '^a OK'
	# the record is bounded: one entry per key, fixed size
	[ "$(stat -c %s "$SPOOL/.failures")" -le $((1024 * 96)) ]
}

@test "failures: an address is held over TCP whatever the user names it tries; -F 0 turns it off" {
	serve "$POP3D" -F 3 -W 60
	for u in u1 u2 u3; do
		printf 'USER %s\r\nPASS x\r\nQUIT\r\n' "$u" | socat - "TCP:127.0.0.1:$PORT" | replies | grep -q '^-ERR \[AUTH\] authentication failed'
	done
	printf 'USER alice\r\nPASS %s\r\nQUIT\r\n' "$ALICE_PW" | socat - "TCP:127.0.0.1:$PORT" | replies | grep -q 'too many failed logins'
	printf 'USER alice\r\nPASS %s\r\nQUIT\r\n' "$ALICE_PW" | pop3 -F 0 | replies | grep -q '^+OK alice has'
}

@test "failures: concurrent writers from the three programs lose no count" {
	for i in $(seq 1 12); do
		printf 'a LOGIN carol bad\r\nb LOGOUT\r\n' | imap -F 1000 >/dev/null &
		printf 'USER carol\r\nPASS bad\r\nQUIT\r\n' | pop3 -F 1000 >/dev/null &
		printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain carol bad)" | smtp -F 1000 >/dev/null &
	done
	wait
	printf 'a LOGIN carol carol-secret\r\nb LOGOUT\r\n' | imap -F 37 | replies | grep -q '^a OK'
	printf 'a LOGIN carol carol-secret\r\nb LOGOUT\r\n' | imap -F 36 | replies | grep -q '^a NO \[UNAVAILABLE\]'
}

@test "submission: MAIL FROM must be the user's address (or one -e gives), else 553 5.7.1" {
	printf '# senders\nalice: Boss@Test.LAN\nbob: %0600d\n' 0 > "$T/senders"
	auth="AUTH PLAIN $(plain alice "$ALICE_PW")"
	for from in '<bob@test.lan>' '<alice@elsewhere.test>' '<>' '<0000@test.lan>'; do
		printf 'EHLO c\r\n%s\r\nMAIL FROM:%s\r\nQUIT\r\n' "$auth" "$from" | smtp -A -e "$T/senders" | replies |
			grep -qx '553 5.7.1 Sender address rejected: not owned by user alice'
	done
	for from in '<alice@test.lan>' '<ALICE+lists@test.lan>' '<boss@test.lan>'; do
		printf 'EHLO c\r\n%s\r\nMAIL FROM:%s\r\nQUIT\r\n' "$auth" "$from" | smtp -A -e "$T/senders" | replies |
			grep -qx '250 2.1.0 Ok'
	done
	grep -q 'alice may not send as <bob@test.lan>' "$LOG"
	# without -A any sender goes, as before
	printf 'EHLO c\r\nMAIL FROM:<bob@test.lan>\r\nQUIT\r\n' | smtp | replies | grep -qx '250 2.1.0 Ok'
}

@test "submission: a -e line of SENDERS_LINE_MAX (512) bytes counts, one byte over does not" {
	pad() { printf "alice:%$(($1 - 20))s boss@test.lan\n" ''; }	# $1 bytes before the newline
	mail() { printf 'EHLO c\r\nAUTH PLAIN %s\r\nMAIL FROM:<boss@test.lan>\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | smtp -A -e "$T/senders" | replies; }
	pad 512 > "$T/senders"
	[ "$(head -1 "$T/senders" | tr -d '\n' | wc -c)" = 512 ]
	mail | grep -qx '250 2.1.0 Ok'
	pad 513 > "$T/senders"
	mail | grep -qx '553 5.7.1 Sender address rejected: not owned by user alice'
}

@test "submission: a -e file of SENDERS_FILE_MAX (1 MiB) is read, one byte over is ignored and logged" {
	fill() { { printf 'alice: boss@test.lan\n'; head -c $(($1 - 21 - 1)) /dev/zero | tr '\0' '#'; echo; } > "$T/senders"; }
	mail() { printf 'EHLO c\r\nAUTH PLAIN %s\r\nMAIL FROM:<boss@test.lan>\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | smtp -A -e "$T/senders" | replies; }
	fill 1048576
	[ "$(stat -c %s "$T/senders")" = 1048576 ]
	mail | grep -qx '250 2.1.0 Ok'
	fill 1048577
	mail | grep -qx '553 5.7.1 Sender address rejected: not owned by user alice'
	grep -q "senders file $T/senders: unreadable or over 1048576 bytes" "$LOG"
}
