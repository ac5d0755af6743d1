#!/usr/bin/env bats
# A NUL byte in message data (RFC 5322 2.3) is refused, never stored.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

@test "nul: SMTP DATA with a NUL byte gets 554 5.6.0 and nothing is delivered; the session goes on" {
	out=$( { printf 'EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n'
		 printf 'Subject: n\r\n\r\nbefore\0after\r\n.\r\n'
		 printf 'MAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nclean\r\n.\r\nQUIT\r\n'; } | smtp | replies)
	echo "$out" | grep -qx '554 5.6.0 Message contains a NUL byte (RFC 5322 2.3), not delivered'
	echo "$out" | grep -q '^250 2.0.0 Ok: delivered'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	! grep -q after "$(inbox alice)" || false
	grep -q 'NUL byte in DATA' "$LOG"
}

@test "nul: IMAP APPEND with a NUL byte, small or spilled to disk, gets BAD and stores nothing" {
	printf 'EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nfirst\r\n.\r\nQUIT\r\n' | smtp >/dev/null
	small=$(printf 'Subject: n\r\n\r\nab\0cd\r\n' | wc -c)
	big=$((200 * 1024))
	out=$( { printf 'a LOGIN alice %s\r\n' "$ALICE_PW"
		 printf 'b APPEND INBOX {%d+}\r\n' "$small"; printf 'Subject: n\r\n\r\nab\0cd\r\n'; printf '\r\n'
		 printf 'c APPEND INBOX {%d+}\r\n' "$big"; head -c $((big - 3)) /dev/zero | tr '\0' x; printf '\0\r\n'; printf '\r\n'
		 printf 'd STATUS INBOX (MESSAGES)\r\ne LOGOUT\r\n'; } | imap | replies)
	echo "$out" | grep -q '^b BAD \[CLIENTBUG\] Message contains a NUL byte'
	echo "$out" | grep -q '^c BAD \[CLIENTBUG\] Message contains a NUL byte'
	echo "$out" | grep -q '^\* STATUS INBOX (MESSAGES 1)'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}
