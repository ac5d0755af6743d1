#!/usr/bin/env bats
# smtpd: AUTH PLAIN/LOGIN, submission (-A) and legacy (-H) modes, logging.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

b64() { printf '%s' "$1" | base64 -w0; }
plain() { printf '\0%s\0%s' "$1" "$2" | base64 -w0; }

@test "smtpd auth: PLAIN with initial response, then mail is received with ESMTPA" {
	out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nMAIL FROM:<alice@test.lan>\r\nRCPT TO:<bob@test.lan>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | smtp | replies)
	echo "$out" | grep -qx '235 2.7.0 Authentication successful'
	sed -n 3p "$(inbox bob)" | grep -q ' with ESMTPA id '
	grep -q 'authenticated as alice' "$LOG"
}

@test "smtpd auth: PLAIN with continuation, '=' for empty and '*' to cancel" {
	out=$(printf 'EHLO c\r\nAUTH PLAIN\r\n*\r\nAUTH PLAIN\r\n%s\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "334 " ]
	[ "$(echo "$out" | sed -n 10p)" = "501 5.0.0 Authentication cancelled" ]
	[ "$(echo "$out" | sed -n 11p)" = "334 " ]
	[ "$(echo "$out" | sed -n 12p)" = "235 2.7.0 Authentication successful" ]
	out=$(printf 'EHLO c\r\nAUTH PLAIN =\r\nQUIT\r\n' | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "501 5.5.2 Cannot decode AUTH PLAIN response" ]
}

@test "smtpd auth: PLAIN with an authorization identity of another user is refused" {
	resp=$(printf 'bob\0alice\0%s' "$ALICE_PW" | base64 -w0)
	out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$resp" | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "501 5.5.2 Cannot decode AUTH PLAIN response" ]
	resp=$(printf 'alice\0alice\0%s' "$ALICE_PW" | base64 -w0)
	printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$resp" | smtp | replies | grep -qx '235 2.7.0 Authentication successful'
}

@test "smtpd auth: LOGIN, with and without the initial user name" {
	out=$(printf 'EHLO c\r\nAUTH LOGIN\r\n%s\r\n%s\r\nQUIT\r\n' "$(b64 bob)" "$(b64 "$BOB_PW")" | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "334 VXNlcm5hbWU6" ]
	[ "$(echo "$out" | sed -n 10p)" = "334 UGFzc3dvcmQ6" ]
	[ "$(echo "$out" | sed -n 11p)" = "235 2.7.0 Authentication successful" ]
	out=$(printf 'EHLO c\r\nAUTH LOGIN %s\r\n%s\r\nQUIT\r\n' "$(b64 bob)" "$(b64 "$BOB_PW")" | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "334 UGFzc3dvcmQ6" ]
	[ "$(echo "$out" | sed -n 10p)" = "235 2.7.0 Authentication successful" ]
	out=$(printf 'EHLO c\r\nAUTH LOGIN\r\n*\r\nQUIT\r\n' | smtp | replies)
	[ "$(echo "$out" | sed -n 10p)" = "501 5.0.0 Authentication cancelled" ]
}

@test "smtpd auth: wrong password and unknown user get the same reply" {
	a=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain alice wrong)" | smtp | replies | sed -n 9p)
	b=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain nosuchuser wrong)" | smtp | replies | sed -n 9p)
	[ "$a" = "535 5.7.8 Authentication credentials invalid" ]
	[ "$a" = "$b" ]
}

@test "smtpd auth: wrong password and unknown user take the same time" {
	# -F 0: no failed-login record: it would cut the series short, and its
	# writes would time the file system, not the password check
	known() { printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain alice wrong)" | smtp -F 0; }
	unknown() { printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain nosuchuser wrong)" | smtp -F 0; }
	none() { printf 'EHLO c\r\nNOOP\r\nQUIT\r\n' | smtp -F 0; }
	same_login_time known unknown none
}

@test "smtpd auth: failures are delayed, growing, and the third one closes with 421" {
	start=$(date +%s%N)
	out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nAUTH PLAIN %s\r\nNOOP\r\n' \
		"$(plain alice a)" "$(plain alice b)" "$(plain alice c)" | smtp -D 200 | replies || true)
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$(echo "$out" | grep -c '^535 5.7.8')" -eq 2 ]
	[ "$(echo "$out" | tail -n 1)" = "421 4.7.0 mx.test Too many authentication failures" ]
	# 200 + 400 + 600 ms
	[ "$ms" -ge 1200 ]
	! grep -q "$ALICE_PW" "$LOG" || false
}

@test "smtpd auth: -f sets the number of failures" {
	out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nNOOP\r\n' "$(plain alice x)" | smtp -f 1 | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "421 4.7.0 mx.test Too many authentication failures" ]
}

@test "smtpd auth: order and mechanism errors" {
	out=$(crlf <<-EOF | smtp | replies
	AUTH PLAIN
	EHLO c
	AUTH
	AUTH CRAM-MD5
	MAIL FROM:<a@x.test>
	AUTH PLAIN $(plain alice "$ALICE_PW")
	RSET
	AUTH PLAIN $(plain alice "$ALICE_PW")
	AUTH PLAIN $(plain alice "$ALICE_PW")
	QUIT
	EOF
	)
	[ "$(echo "$out" | sed -n 2p)" = "503 5.5.1 Error: send HELO/EHLO first" ]
	[ "$(echo "$out" | sed -n 10p)" = "501 5.5.4 Syntax: AUTH mechanism" ]
	[ "$(echo "$out" | sed -n 11p)" = "504 5.5.4 Unrecognized authentication mechanism" ]
	[ "$(echo "$out" | sed -n 13p)" = "503 5.5.1 Error: AUTH not allowed during a mail transaction" ]
	[ "$(echo "$out" | sed -n 15p)" = "235 2.7.0 Authentication successful" ]
	[ "$(echo "$out" | sed -n 16p)" = "503 5.5.1 Error: already authenticated" ]
}

@test "smtpd auth: an over-long AUTH response line is refused" {
	long=$(head -c 3000 /dev/zero | tr '\0' 'A')
	out=$(printf 'EHLO c\r\nAUTH PLAIN\r\n%s\r\nNOOP\r\nQUIT\r\n' "$long" | smtp | replies)
	[ "$(echo "$out" | sed -n 10p)" = "500 5.5.6 Authentication exchange line is too long" ]
	[ "$(echo "$out" | sed -n 11p)" = "250 2.0.0 Ok" ]
}

@test "smtpd auth: a disabled user (hash starting with !) can never log in" {
	echo "dave:!$(users_hash alice)" >> "$USERS"
	out=$(printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(printf '\0dave\0%s' "$ALICE_PW" | base64 -w0)" | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "535 5.7.8 Authentication credentials invalid" ]
}

@test "smtpd -A: MAIL needs AUTH first (530), then works" {
	out=$(printf 'EHLO c\r\nMAIL FROM:<a@x.test>\r\nAUTH PLAIN %s\r\nMAIL FROM:<alice@test.lan>\r\nRCPT TO:<bob@test.lan>\r\nDATA\r\nsubmitted\r\n.\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | smtp -A | replies)
	[ "$(echo "$out" | sed -n 9p)" = "530 5.7.0 Authentication required" ]
	[ "$(echo "$out" | sed -n 10p)" = "235 2.7.0 Authentication successful" ]
	[ "$(echo "$out" | sed -n 11p)" = "250 2.1.0 Ok" ]
	[ "$(count_messages "$(inbox bob)")" = 1 ]
}

@test "smtpd -H: EHLO gets 502, HELO then works and mail flows" {
	out=$(printf 'EHLO [127.0.0.1]\r\nHELO [127.0.0.1]\r\nMAIL FROM:<alice@test.lan>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nlegacy\r\n.\r\nQUIT\r\n' | smtp -H | replies)
	[ "$(echo "$out" | sed -n 1p)" = "220 mx.test SMTP facteur" ]
	[ "$(echo "$out" | sed -n 2p)" = "502 5.5.1 Command not implemented" ]
	[ "$(echo "$out" | sed -n 3p)" = "250 mx.test" ]
	echo "$out" | grep -q '^250 2.0.0 Ok: delivered'
	sed -n 3p "$(inbox alice)" | grep -q '^Received: from \[127\.0\.0\.1\] .* with SMTP id '
}

@test "smtpd: Thunderbird's sequence: address-literal EHLO, AUTH PLAIN, two messages, no RSET" {
	crlf <<-EOF | smtp | replies > "$T/out"
	EHLO [127.0.0.1]
	AUTH PLAIN $(plain alice "$ALICE_PW")
	MAIL FROM:<alice@test.lan> BODY=8BITMIME SIZE=579
	RCPT TO:<bob@test.lan>
	DATA
	Subject: first
	Content-Type: text/plain; charset=UTF-8

	$(printf 'caf\xc3\xa9')
	..leading dot
	.
	MAIL FROM:<alice@test.lan> BODY=8BITMIME SIZE=100
	RCPT TO:<bob@test.lan>
	DATA
	Subject: second

	two
	.
	QUIT
	EOF
	[ "$(grep -c '^250 2.0.0 Ok: delivered' "$T/out")" -eq 2 ]
	[ "$(count_messages "$(inbox bob)")" = 2 ]
	"$MBOXCHECK" -x 1 "$(inbox bob)" | tr -d '\r' | grep -qx '.leading dot'
	"$MBOXCHECK" -x 1 "$(inbox bob)" | grep -q "$(printf 'caf\xc3\xa9')"
}

@test "smtpd -v: the transcript is logged with AUTH data masked" {
	printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(plain alice "$ALICE_PW")" | smtp -v >/dev/null
	printf 'EHLO c\r\nAUTH LOGIN\r\n%s\r\n%s\r\nQUIT\r\n' "$(b64 bob)" "$(b64 "$BOB_PW")" | smtp -v >/dev/null
	grep -q '< EHLO c' "$LOG"
	grep -q '> 250-PIPELINING' "$LOG"
	grep -q '< AUTH PLAIN \*\*\*\*' "$LOG"
	grep -q 'authenticated as alice' "$LOG"
	grep -q 'authenticated as bob' "$LOG"
	[ "$(grep -c '< \*\*\*\*$' "$LOG")" = 2 ]
	! grep -q "$(plain alice "$ALICE_PW")" "$LOG" || false
	! grep -q "$(b64 "$BOB_PW")" "$LOG" || false
	! grep -q "$BOB_PW" "$LOG" || false
}

@test "smtpd: client bytes are escaped in the log, one line per event" {
	printf 'EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<x\033[31m%%n%%s@evil.test>\r\nQUIT\r\n' | smtp >/dev/null
	grep -F 'rejected RCPT TO:<x\x1b[31m%n%s@evil.test>' "$LOG"
	! grep -q "$(printf '\033')" "$LOG" || false
	printf 'EHLO c\r\nAUTH PLAIN %s\r\nQUIT\r\n' "$(printf '\0ev\nil\0x' | base64 -w0)" | smtp >/dev/null
	grep -qF "authentication failed for 'ev\x0ail'" "$LOG"
}

@test "smtpd: a missing auth file, spool or unwritable log refuses with 421 at greeting" {
	run sh -c "printf 'QUIT\r\n' | $SMTPD -s $SPOOL -a $T/nonexistent -l $LOG -n $HOST"
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | tr -d '\r')" = "421 4.3.0 mx.test Service not available (auth file unavailable)" ]
	grep -q "auth file $T/nonexistent: No such file or directory" "$LOG"
	run sh -c "printf 'QUIT\r\n' | $SMTPD -s $T/nospool -a $USERS -l $LOG -n $HOST"
	[ "$(echo "$output" | tr -d '\r')" = "421 4.3.0 mx.test Service not available (spool unavailable)" ]
	run sh -c "printf 'QUIT\r\n' | $SMTPD -s $SPOOL -a $USERS -l $T/no/such/dir/log -n $HOST"
	[ "$(echo "$output" | tr -d '\r')" = "421 4.3.0 mx.test Service not available (log unavailable)" ]
}

@test "smtpd: malformed auth file lines are logged by number and skipped" {
	printf 'no colon here\nBAD:upper\n:empty\nok-user:%s\n' "$(users_hash alice)" >> "$USERS"
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<ok-user@test.lan>\r\nQUIT\r\n' | smtp | replies | grep -qx '250 2.1.5 Ok'
	grep -q 'auth file line 5: malformed, skipped' "$LOG"
	grep -q 'auth file line 6: malformed, skipped' "$LOG"
	grep -q 'auth file line 7: malformed, skipped' "$LOG"
	! grep -q 'upper' "$LOG" || false
}

@test "smtpd: usage errors on bad flags" {
	run "$SMTPD" -m abc
	[ "$status" -eq 64 ]
	[[ "$output" == *"-m: 'abc' is not a number"* ]]
	run "$SMTPD" -Z
	[ "$status" -eq 64 ]
	run "$SMTPD" -n 'bad host'
	[ "$status" -eq 64 ]
}

@test "smtpd: started as root it works as the spool's owner, and refuses a root-owned spool" {
	[ "$(id -u)" = 0 ] || { echo "needs root to test"; false; }
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' | smtp | replies | grep -q '^250 2.0.0'
	[ "$(stat -c %U "$(inbox alice)")" = nobody ]
	chown root:root "$SPOOL"
	run sh -c "printf 'QUIT\r\n' | $SMTPD -s $SPOOL -a $USERS -l $LOG -n $HOST"
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | tr -d '\r')" = "421 4.3.0 mx.test Service not available (spool owned by root)" ]
	grep -q 'spool directory is owned by root' "$LOG"
}
