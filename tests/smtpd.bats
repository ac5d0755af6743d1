#!/usr/bin/env bats
# smtpd: piped transcripts, checking every reply and the exact mbox bytes.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

@test "smtpd: happy path delivers one message with From_ line, trace headers and blank line" {
	out=$(crlf <<-EOF | smtp | replies
	EHLO client.test
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@test.lan>
	DATA
	Subject: hello

	line one
	line two
	.
	QUIT
	EOF
	)
	[ "$(echo "$out" | cut -c1-3 | tr '\n' ' ')" = "220 250 250 250 250 250 250 250 250 250 354 250 221 " ]
	echo "$out" | grep -q '^250 2.0.0 Ok: delivered as '
	f=$(inbox alice)
	[ "$(count_messages "$f")" = 1 ]
	sed -n 1p "$f" | grep -Eq '^From a@x\.test (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$'
	[ "$(sed -n 2p "$f")" = "Return-Path: <a@x.test>" ]
	sed -n 3p "$f" | grep -Eq '^Received: from client\.test \(\[local\]\) by mx\.test \(facteur\) with ESMTP id [0-9A-F]+\.[0-9A-F]+\.1 for <alice@test\.lan>; [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} \+0000$'
	[ "$(sed -n '4,$p' "$f")" = "$(printf 'Subject: hello\n\nline one\nline two\n')" ]
	# exactly one blank line ends the message
	[ "$(tail -c 10 "$f" | od -An -c | tr -d ' \n')" = 'linetwo\n\n' ]
}

@test "smtpd: dot-unstuffing is exact and only CRLF.CRLF ends the data" {
	crlf <<-EOF | smtp >/dev/null
	HELO c
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@test.lan>
	DATA
	..a
	..
	...
	. x
	.
	QUIT
	EOF
	[ "$(sed -n '4,$p' "$(inbox alice)")" = "$(printf '.a\n.\n..\n x\n')" ]
}

@test "smtpd: mboxrd quoting of From lines, including already quoted ones" {
	crlf <<-EOF | smtp >/dev/null
	HELO c
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@test.lan>
	DATA
	Subject: q

	From x
	>From y
	>>From z
	From
	Fromage
	 From w
	.
	QUIT
	EOF
	[ "$(sed -n '6,$p' "$(inbox alice)")" = "$(printf '>From x\n>>From y\n>>>From z\nFrom\nFromage\n From w\n')" ]
	# and the wire form gives back the originals
	[ "$("$MBOXCHECK" -x 1 "$(inbox alice)" | tr -d '\r' | sed -n '5,$p')" = "$(printf 'From x\n>From y\n>>From z\nFrom\nFromage\n From w')" ]
}

@test "smtpd: 8-bit body and long lines are stored intact" {
	long=$(head -c 300000 /dev/zero | tr '\0' 'x')
	{
		printf 'EHLO c\r\nMAIL FROM:<a@x.test> BODY=8BITMIME\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n'
		printf 'Subject: caf\xc3\xa9\r\n\r\n\xe2\x82\xac \xff\xfe\r\n%s\r\n.\r\nQUIT\r\n' "$long"
	} | smtp | replies | grep -q '^250 2.0.0'
	"$MBOXCHECK" -x 1 "$(inbox alice)" > "$T/got"
	[ "$(awk 'length($0) == 300001' "$T/got" | tr -d '\rx' | wc -c)" -eq 1 ]
	grep -q "$(printf 'caf\xc3\xa9')" "$T/got"
	grep -q "$(printf '\xe2\x82\xac \xff\xfe')" "$T/got"
}

@test "smtpd: null sender gets MAILER-DAEMON in the From_ line and <> in Return-Path" {
	crlf <<-EOF | smtp >/dev/null
	HELO c
	MAIL FROM:<>
	RCPT TO:<alice@test.lan>
	DATA
	x
	.
	QUIT
	EOF
	sed -n 1p "$(inbox alice)" | grep -q '^From MAILER-DAEMON '
	[ "$(sed -n 2p "$(inbox alice)")" = "Return-Path: <>" ]
}

@test "smtpd: EHLO advertises the extensions, SIZE from -m" {
	out=$(printf 'EHLO c\r\nQUIT\r\n' | smtp -m 123456 | replies)
	echo "$out" | grep -qx '250-mx.test Hello c \[local\]'
	for kw in PIPELINING 'SIZE 123456' 8BITMIME ENHANCEDSTATUSCODES 'AUTH PLAIN LOGIN'; do
		echo "$out" | grep -qx "250-$kw"
	done
	echo "$out" | grep -qx '250 HELP'
}

@test "smtpd: HELO, NOOP, RSET, VRFY, HELP, QUIT and not-implemented commands" {
	out=$(crlf <<-EOF | smtp | replies
	HELO c
	NOOP
	VRFY alice
	VRFY
	HELP
	EXPN staff
	STARTTLS
	RSET
	RSET x
	FROB
	QUIT
	EOF
	)
	[ "$(echo "$out" | sed -n 2p)" = "250 mx.test" ]
	[ "$(echo "$out" | sed -n 3p)" = "250 2.0.0 Ok" ]
	echo "$out" | sed -n 4p | grep -q '^252 2.5.2 '
	[ "$(echo "$out" | sed -n 5p)" = "501 5.5.4 Syntax: VRFY address" ]
	echo "$out" | sed -n 6p | grep -q '^214-2.0.0 '
	echo "$out" | sed -n 7p | grep -q '^214 2.0.0 '
	[ "$(echo "$out" | sed -n 8p)" = "502 5.5.1 Command not implemented" ]
	[ "$(echo "$out" | sed -n 9p)" = "502 5.5.1 Command not implemented" ]
	[ "$(echo "$out" | sed -n 10p)" = "250 2.0.0 Ok" ]
	[ "$(echo "$out" | sed -n 11p)" = "501 5.5.4 Syntax: RSET" ]
	[ "$(echo "$out" | sed -n 12p)" = "500 5.5.2 Error: command not recognized" ]
	[ "$(echo "$out" | sed -n 13p)" = "221 2.0.0 mx.test closing connection" ]
}

@test "smtpd: QUIT exits 0, end of input without QUIT exits non-zero" {
	run sh -c "printf 'HELO c\r\nQUIT\r\n' | $SMTPD -s $SPOOL -a $USERS -l $LOG -n $HOST"
	[ "$status" -eq 0 ]
	run sh -c "printf 'HELO c\r\n' | $SMTPD -s $SPOOL -a $USERS -l $LOG -n $HOST"
	[ "$status" -ne 0 ]
}

@test "smtpd: order errors get 503 and RSET starts over" {
	out=$(crlf <<-EOF | smtp | replies
	MAIL FROM:<a@x.test>
	HELO c
	RCPT TO:<alice@test.lan>
	DATA
	MAIL FROM:<a@x.test>
	DATA
	MAIL FROM:<b@x.test>
	RSET
	MAIL FROM:<b@x.test>
	QUIT
	EOF
	)
	[ "$(echo "$out" | sed -n 2p)" = "503 5.5.1 Error: send HELO/EHLO first" ]
	[ "$(echo "$out" | sed -n 4p)" = "503 5.5.1 Error: need MAIL command" ]
	[ "$(echo "$out" | sed -n 5p)" = "503 5.5.1 Error: need MAIL command" ]
	[ "$(echo "$out" | sed -n 6p)" = "250 2.1.0 Ok" ]
	[ "$(echo "$out" | sed -n 7p)" = "503 5.5.1 Error: need RCPT command" ]
	[ "$(echo "$out" | sed -n 8p)" = "503 5.5.1 Error: nested MAIL command" ]
	[ "$(echo "$out" | sed -n 9p)" = "250 2.0.0 Ok" ]
	[ "$(echo "$out" | sed -n 10p)" = "250 2.1.0 Ok" ]
}

@test "smtpd: pipelined batch gets every reply once, in order, in one write" {
	# A client that waits where RFC 2920 says it must: after DATA, after ".".
	cat > "$T/client.py" <<-'PY'
	import subprocess, sys
	p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
	def until(code):
	    got = b""
	    while True:
	        line = p.stdout.readline()
	        got += line
	        if not line or line.startswith(code + b" "):
	            return got
	until(b"220")
	p.stdin.write(b"EHLO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nRCPT TO:<bob@test.lan>\r\nDATA\r\n"); p.stdin.flush()
	batch = until(b"354")
	p.stdin.write(b"Subject: p\r\n\r\nbody\r\n.\r\n"); p.stdin.flush()
	done = until(b"250")
	p.stdin.write(b"QUIT\r\n"); p.stdin.flush()
	bye = until(b"221")
	sys.stdout.write((batch + done + bye).decode())
	PY
	python3 "$T/client.py" strace -e trace=write -o "$T/strace" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" > "$T/out"
	[ "$(replies < "$T/out" | cut -c1-4 | tr '\n' ' ')" = "250- 250- 250- 250- 250- 250- 250  250  250  250  354  250  221  " ]
	# smtpd wrote: the greeting, the whole batch, the 250 after ".", the 221
	[ "$(grep -c '^write(1,' "$T/strace")" -eq 4 ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ "$(count_messages "$(inbox bob)")" = 1 ]
}
