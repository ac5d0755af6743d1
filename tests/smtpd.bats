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
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" python3 "$T/client.py" strace -e trace=write -o "$T/strace" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" > "$T/out"
	[ "$(replies < "$T/out" | cut -c1-4 | tr '\n' ' ')" = "250- 250- 250- 250- 250- 250- 250  250  250  250  354  250  221  " ]
	# smtpd wrote: the greeting, the whole batch, the 250 after ".", the 221
	[ "$(grep -c '^write(1,' "$T/strace")" -eq 4 ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ "$(count_messages "$(inbox bob)")" = 1 ]
}

@test "smtpd: bare LF and bare CR in DATA get 421 and close, mailbox unchanged" {
	for body in 'hello\n.\n' 'hello\r\n\n.\r\n' 'hello\r\n.\n' 'hello\r.\r\n' 'hello\r\r\n.\r\n' 'a\rb\r\n.\r\n'; do
		out=$(printf "HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n$body\r\n.\r\nQUIT\r\n" | smtp | replies || true)
		echo "$out" | tail -n 1 | grep -q '^421 4.5.0 .*bare CR or LF'
		! echo "$out" | grep -q '^221' || false
		[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
	done
}

@test "smtpd: smuggled second transaction is never started" {
	out=$(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nfirst\n.\r\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<bob@test.lan>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n' | smtp | replies || true)
	! echo "$out" | grep -q '^250 2.0.0 Ok: delivered' || false
	[ ! -e "$(inbox bob)" ]
	[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
}

@test "smtpd: a '.' line ended by bare LF or CR inside CRLF data does not end it" {
	# "\r\n.\n" : the dot line ends with a bare LF -> refused, never treated as the end
	out=$(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nx\r\n.\nQUIT\r\n' | smtp | replies || true)
	echo "$out" | grep -q '^421 4.5.0'
	! echo "$out" | grep -q '^250 2.0.0' || false
}

@test "smtpd: command line of 512 octets is accepted, 513 gets 500 and its tail is not run" {
	# 512 with CRLF: "NOOP " + 505 x's + CRLF
	pad=$(head -c 505 /dev/zero | tr '\0' 'x')
	out=$(printf "HELO c\r\nNOOP %s\r\nNOOP %sy\r\nQUIT\r\n" "$pad" "$pad" | smtp | replies)
	[ "$(echo "$out" | sed -n 3p)" = "250 2.0.0 Ok" ]
	[ "$(echo "$out" | sed -n 4p)" = "500 5.5.2 Error: line too long" ]
	[ "$(echo "$out" | sed -n 5p)" = "221 2.0.0 mx.test closing connection" ]
}

@test "smtpd: 600 and 100,000 byte lines get one 500 each; QUIT or RCPT hidden at the end is ignored" {
	a=$(head -c 600 /dev/zero | tr '\0' 'a')
	b=$(head -c 100000 /dev/zero | tr '\0' 'b')
	out=$(printf "HELO c\r\nMAIL FROM:<a@x.test>\r\n%s QUIT\r\n%sRCPT TO:<alice@test.lan>\r\nNOOP\r\nQUIT\r\n" "$a" "$b" | smtp | replies)
	[ "$(echo "$out" | grep -c '^500 5.5.2 Error: line too long')" -eq 2 ]
	[ "$(echo "$out" | sed -n 6p)" = "250 2.0.0 Ok" ]
	! echo "$out" | grep -q '^250 2.1.5' || false
	[ "$(echo "$out" | tail -n 1)" = "221 2.0.0 mx.test closing connection" ]
}

@test "smtpd: -c changes the command line limit" {
	out=$(printf "HELO c\r\nNOOP %s\r\nQUIT\r\n" "$(head -c 100 /dev/zero | tr '\0' x)" | smtp -c 100 | replies)
	[ "$(echo "$out" | sed -n 3p)" = "500 5.5.2 Error: line too long" ]
}

@test "smtpd: NUL and bare CR in a command get 500" {
	out=$(printf 'HELO c\r\nNO\0OP\r\nNO\rOP\r\nNOOP\r\nQUIT\r\n' | smtp | replies)
	[ "$(echo "$out" | sed -n 3p)" = "500 5.5.2 Error: invalid character in command" ]
	[ "$(echo "$out" | sed -n 4p)" = "500 5.5.2 Error: invalid character in command" ]
	[ "$(echo "$out" | sed -n 5p)" = "250 2.0.0 Ok" ]
}

@test "smtpd: message of exactly -m bytes is accepted, one byte more gets 552 after the data" {
	# 1024 bytes: 15 lines of 66 + CRLF = 1020, plus "xx\r\n" = 1024
	line=$(head -c 66 /dev/zero | tr '\0' 'm')
	{ printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n'
	  for i in $(seq 15); do printf '%s\r\n' "$line"; done
	  printf 'xx\r\n.\r\n'
	  printf 'MAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n'
	  for i in $(seq 15); do printf '%s\r\n' "$line"; done
	  printf 'xxx\r\n.\r\nQUIT\r\n'
	} | smtp -m 1024 | replies > "$T/out"
	grep -q '^250 2.0.0 Ok: delivered' "$T/out"
	grep -qx '552 5.3.4 Message size exceeds fixed maximum message size' "$T/out"
	[ "$(tail -n 1 "$T/out")" = "221 2.0.0 mx.test closing connection" ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}

@test "smtpd: SIZE= over the limit is refused at MAIL, SIZE syntax checked" {
	out=$(crlf <<-EOF | smtp -m 1024 | replies
	EHLO c
	MAIL FROM:<a@x.test> SIZE=999999999999
	MAIL FROM:<a@x.test> SIZE=1025
	MAIL FROM:<a@x.test> SIZE=12x
	MAIL FROM:<a@x.test> SIZE=
	MAIL FROM:<a@x.test> FOO=bar
	MAIL FROM:<a@x.test> BODY=BINARYMIME
	MAIL FROM:<a@x.test> SIZE=1024 BODY=7BIT AUTH=<>
	QUIT
	EOF
	)
	[ "$(echo "$out" | grep -c '^552 5.3.4 ')" -eq 2 ]
	echo "$out" | grep -qx '501 5.5.4 Syntax: SIZE=<number>'
	echo "$out" | grep -qx '501 5.5.4 Syntax error in MAIL parameters'
	echo "$out" | grep -qx '555 5.5.4 Unsupported MAIL parameter'
	echo "$out" | grep -qx '501 5.5.4 Syntax: BODY=7BIT or BODY=8BITMIME'
	echo "$out" | grep -qx '250 2.1.0 Ok'
}

@test "smtpd: MAIL parameters after HELO are refused" {
	out=$(printf 'HELO c\r\nMAIL FROM:<a@x.test> SIZE=10\r\nQUIT\r\n' | smtp | replies)
	[ "$(echo "$out" | sed -n 3p)" = "555 5.5.4 MAIL parameters need EHLO" ]
}

@test "smtpd: recipient cap: one over -r gets 452, earlier recipients kept" {
	out=$(crlf <<-EOF | smtp -r 2 | replies
	HELO c
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@test.lan>
	RCPT TO:<bob@test.lan>
	RCPT TO:<carol@test.lan>
	DATA
	x
	.
	QUIT
	EOF
	)
	[ "$(echo "$out" | sed -n 6p)" = "452 4.5.3 Error: too many recipients" ]
	echo "$out" | grep -q '^250 2.0.0 Ok: delivered'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ "$(count_messages "$(inbox bob)")" = 1 ]
	[ ! -e "$(inbox carol)" ]
}

@test "smtpd: 100 recipients by default, the 101st gets 452" {
	{ printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\n'
	  for i in $(seq 101); do printf 'RCPT TO:<alice+%d@test.lan>\r\n' "$i"; done
	  printf 'QUIT\r\n'; } | smtp | replies > "$T/out"
	[ "$(grep -c '^250 2.1.5 Ok' "$T/out")" -eq 100 ]
	[ "$(sed -n 104p "$T/out")" = "452 4.5.3 Error: too many recipients" ]
}

@test "smtpd: MAIL FROM hostile forms are refused or sanitised, never executed" {
	lp=$(head -c 300 /dev/zero | tr '\0' 'l')
	out=$(printf 'EHLO c\r\nMAIL FROM:<;sleep 5;>\r\nMAIL FROM:<a@>\r\nMAIL FROM:a@x.test\r\nMAIL FROM:<a\rb@x.test>\r\nMAIL FROM:<%s@x.test>\r\nMAIL FROM:<a@x.test\r\nMAIL FROM:<caf\xc3\xa9@x.test>\r\nQUIT\r\n' "$lp" | smtp | replies)
	[ "$(echo "$out" | sed -n 9p)" = "501 5.1.7 Bad sender address syntax" ]
	[ "$(echo "$out" | sed -n 10p)" = "501 5.1.7 Bad sender address syntax" ]
	[ "$(echo "$out" | sed -n 11p)" = "501 5.1.7 Bad sender address syntax" ]
	[ "$(echo "$out" | sed -n 12p)" = "500 5.5.2 Error: invalid character in command" ]
	[ "$(echo "$out" | sed -n 13p)" = "501 5.1.7 Sender address too long" ]
	[ "$(echo "$out" | sed -n 14p)" = "501 5.1.7 Bad sender address syntax" ]
	[ "$(echo "$out" | sed -n 15p)" = "553 5.6.7 Non-ASCII address without SMTPUTF8" ]
}

@test "smtpd: source route and quoted local part in MAIL FROM give a one-token From_ line" {
	crlf <<-EOF | smtp >/dev/null
	HELO c
	MAIL FROM:<@relay.test,@other.test:"a b"@x.test>
	RCPT TO:<alice@test.lan>
	DATA
	x
	.
	QUIT
	EOF
	head -n 1 "$(inbox alice)" | grep -q '^From _a_b_@x.test '
	[ "$(sed -n 2p "$(inbox alice)")" = 'Return-Path: <"a b"@x.test>' ]
}

@test "smtpd: recipients: case, +tag, postmaster, unknown user, traversal attempts" {
	out=$(crlf <<-EOF | smtp -p bob | replies
	HELO c
	MAIL FROM:<a@x.test>
	RCPT TO:<ALICE@TEST.LAN>
	RCPT TO:<alice+lists@test.lan>
	RCPT TO:<postmaster>
	RCPT TO:<PostMaster@test.lan>
	RCPT TO:<nobody@test.lan>
	RCPT TO:<../../etc/passwd@test.lan>
	RCPT TO:<u/../v@test.lan>
	RCPT TO:<.hidden@test.lan>
	RCPT TO:<"../alice"@test.lan>
	DATA
	x
	.
	QUIT
	EOF
	)
	[ "$(echo "$out" | sed -n 4,7p | sort -u)" = "250 2.1.5 Ok" ]
	[ "$(echo "$out" | sed -n 8p)" = "550 5.1.1 User unknown" ]
	[ "$(echo "$out" | sed -n 9,12p | cut -c1-3 | sort -u)" = "501
550" ] || [ "$(echo "$out" | sed -n 9,12p | cut -c1-3 | sort -u)" = "550" ]
	echo "$out" | grep -q '^250 2.0.0 Ok: delivered'
	# alice once (three addresses, one mailbox), bob as postmaster
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ "$(count_messages "$(inbox bob)")" = 1 ]
	[ "$(ls "$SPOOL")" = "$(printf 'alice\nbob')" ]
	[ ! -e /etc/passwd@test.lan ]
}

@test "smtpd: postmaster goes to the first user of the auth file by default" {
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<postmaster@test.lan>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' | smtp | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}

@test "smtpd: no relaying through any address form" {
	out=$(crlf <<-EOF | smtp | replies
	HELO c
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@evil.test>
	RCPT TO:<alice%evil.test@test.lan>
	RCPT TO:<evil.test!alice@test.lan>
	RCPT TO:<@test.lan:alice@evil.test>
	RCPT TO:<"alice@evil.test"@test.lan>
	RCPT TO:<alice@[127.0.0.1]>
	RCPT TO:<alice@test.lan.>
	RCPT TO:<alice@TEST.LAN>
	RCPT TO:<alice@sub.test.lan>
	RCPT TO:<alice>
	QUIT
	EOF
	)
	for n in 4 5 6 7 8 9 12; do
		[ "$(echo "$out" | sed -n ${n}p)" = "550 5.7.1 Relaying denied" ]
	done
	[ "$(echo "$out" | sed -n 10p)" = "501 5.1.3 Bad recipient address syntax" ]
	[ "$(echo "$out" | sed -n 11p)" = "250 2.1.5 Ok" ]
	[ "$(echo "$out" | sed -n 13p)" = "501 5.1.3 Bad recipient address syntax" ]
}

@test "smtpd: a source route to a local domain is accepted and ignored" {
	out=$(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<@relay.test:alice@test.lan>\r\nQUIT\r\n' | smtp | replies)
	[ "$(echo "$out" | sed -n 4p)" = "250 2.1.5 Ok" ]
}

@test "smtpd: default local domains are the host name and localhost" {
	out=$("$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n mx.test < <(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@mx.test>\r\nRCPT TO:<bob@localhost>\r\nRCPT TO:<bob@test.lan>\r\nQUIT\r\n') | replies)
	[ "$(echo "$out" | sed -n 4,5p | sort -u)" = "250 2.1.5 Ok" ]
	[ "$(echo "$out" | sed -n 6p)" = "550 5.7.1 Relaying denied" ]
}

@test "smtpd: hostile HELO names keep Received: one well-formed line" {
	crlf <<-EOF | smtp >/dev/null
	HELO <evil>(x)[y];z"q\\w
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@test.lan>
	DATA
	x
	.
	QUIT
	EOF
	line=$(sed -n 3p "$(inbox alice)")
	echo "$line" | grep -Eq '^Received: from _evil__x_\[y\]_z_q_w \(\[local\]\) by mx\.test '
	[ "$(sed -n 4p "$(inbox alice)")" = "x" ]
}

@test "smtpd: HELO and EHLO need an argument; EHLO again resets the transaction" {
	out=$(printf 'HELO\r\nEHLO\r\nEHLO c\r\nMAIL FROM:<a@x.test>\r\nEHLO d\r\nRCPT TO:<alice@test.lan>\r\nQUIT\r\n' | smtp | replies)
	[ "$(echo "$out" | sed -n 2p)" = "501 5.5.4 Syntax: HELO hostname" ]
	[ "$(echo "$out" | sed -n 3p)" = "501 5.5.4 Syntax: EHLO hostname" ]
	echo "$out" | grep -qx '503 5.5.1 Error: need MAIL command'
}

@test "smtpd: 100 Received: headers is a loop (554), 99 is delivered" {
	mk() { printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n'
	       for i in $(seq "$1"); do printf 'Received: from h%d by h\r\n' "$i"; done
	       printf 'received:lower\r\n' | head -c 0
	       printf 'Subject: loop\r\n\r\nReceived: in the body does not count\r\n.\r\nQUIT\r\n'; }
	mk 100 | smtp | replies | grep -qx '554 5.4.6 Too many hops (mail loop?)'
	[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
	mk 99 | smtp | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	mk 3 | smtp -R 3 | replies | grep -qx '554 5.4.6 Too many hops (mail loop?)'
}

@test "smtpd: 20 bad commands close the session with 421" {
	{ printf 'HELO c\r\n'; for i in $(seq 25); do printf 'BOGUS %d\r\n' "$i"; done; printf 'QUIT\r\n'; } | smtp | replies > "$T/out" || true
	# the 20th bad command is answered by the 421
	[ "$(grep -c '^500 ' "$T/out")" -eq 19 ]
	[ "$(tail -n 1 "$T/out")" = "421 4.7.0 mx.test Too many errors, closing connection" ]
	{ printf 'HELO c\r\n'; for i in $(seq 5); do printf 'BOGUS\r\n'; done; } | smtp -b 3 | replies > "$T/out" || true
	[ "$(grep -c '^500 ' "$T/out")" -eq 2 ]
	[ "$(tail -n 1 "$T/out")" = "421 4.7.0 mx.test Too many errors, closing connection" ]
}

@test "smtpd: idle timeout gives 421 4.4.2 and exits; data timeout too" {
	start=$(date +%s)
	(printf 'HELO c\r\n'; sleep 6) | { smtp -t 1 > "$T/out" || true; date +%s > "$T/end"; }
	[ $(( $(cat "$T/end") - start )) -le 3 ]
	[ "$(replies < "$T/out" | tail -n 1)" = "421 4.4.2 mx.test Error: timeout exceeded" ]
	(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\npartial\r\n'; sleep 6) | { smtp -T 1 > "$T/out" || true; date +%s > "$T/end"; }
	[ "$(replies < "$T/out" | tail -n 1)" = "421 4.4.2 mx.test Error: timeout exceeded during DATA" ]
	[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
}

@test "smtpd: client gone in the middle of DATA leaves no partial message and no lock" {
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nSubject: cut\r\n\r\nhalf a mess' | smtp >/dev/null || true
	[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nok\r\n.\r\nQUIT\r\n' | smtp -L 1 | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}

@test "smtpd: a large message goes through a temporary file that is gone afterwards" {
	python3 -c 'import sys; sys.stdout.write("HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n" + "".join("line %06d of a big message\r\n" % i for i in range(40000)) + ".\r\nQUIT\r\n")' | smtp | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	[ "$("$MBOXCHECK" -x 1 "$(inbox alice)" | grep -c '^line 0[0-9]* of a big message')" -eq 40000 ]
	[ -z "$(ls -A "$SPOOL/.tmp")" ]
}

@test "smtpd: mbox missing its trailing newline is repaired before the next message" {
	mkdir -p "$SPOOL/alice"
	printf 'From a@x Mon Jan  5 10:00:00 2026\nSubject: old\n\nno newline at end' > "$SPOOL/alice/INBOX"
	[ "$(id -u)" != 0 ] || chown -R nobody:nogroup "$SPOOL/alice"
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nnew\r\n.\r\nQUIT\r\n' | smtp | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	"$MBOXCHECK" "$(inbox alice)"
	[ "$("$MBOXCHECK" -x 1 "$(inbox alice)" | tr -d '\r')" = "$(printf 'Subject: old\n\nno newline at end\n')" ]
}

@test "smtpd: headers used for bookkeeping by other tools are stored as sent" {
	crlf <<-EOF | smtp >/dev/null
	HELO c
	MAIL FROM:<a@x.test>
	RCPT TO:<alice@test.lan>
	DATA
	Status: RO
	X-Status: AF
	X-UID: 1
	X-IMAP: 1 1
	X-Keywords: \$Junk
	Subject: meta

	body
	.
	QUIT
	EOF
	[ "$(sed -n '4,8p' "$(inbox alice)")" = "$(printf 'Status: RO\nX-Status: AF\nX-UID: 1\nX-IMAP: 1 1\nX-Keywords: $Junk')" ]
}
