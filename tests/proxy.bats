#!/usr/bin/env bats
# The PROXY protocol (v1 and v2, HAProxy's proxy-protocol.txt) in front of
# the three programs: read only when -x names the balancer, its client
# address replaces the peer, and anything wrong closes the connection
# unanswered with one log line.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

V2SIG='\r\n\r\n\0\r\nQUIT\n'
# v2 PROXY TCP4 203.0.113.9:40000 -> 192.0.2.1:143
v2_tcp4() { printf "$V2SIG"'\x21\x11\x00\x0c\xcb\x00\x71\x09\xc0\x00\x02\x01\x9c\x40\x00\x8f'; }
# v2 PROXY TCP6 2001:db8::7:40000 -> 2001:db8::1:110
v2_tcp6() {
	printf "$V2SIG"'\x21\x21\x00\x24'
	printf '\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01'
	printf '\x9c\x40\x00\x6e'
}

# Nothing on the wire, exit 1, and the log says why.
refused() {
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	grep -q "proxy: \[$1\]: $2: closing" "$LOG"
}

@test "proxy: v1 TCP4 before SMTP: the client's address in the log and in Received:" {
	out=$( { printf 'PROXY TCP4 203.0.113.7 192.0.2.1 40000 25\r\n'
		 printf 'EHLO c.test\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<alice@%s>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n' "$DOMAIN"
	       } | smtp -x local | replies)
	echo "$out" | grep -q '^250 2.0.0 Ok: delivered as'
	grep -q 'connect from \[203.0.113.7\]' "$LOG"
	grep -q '^Received: from c.test (\[203.0.113.7\])' "$(inbox alice)"
	! grep -q '\[local\]' "$LOG" || false
}

@test "proxy: v1 TCP6 before POP3, v2 TCP4 before IMAP, v2 TCP6 before POP3" {
	out=$(printf 'PROXY TCP6 2001:db8::7 2001:db8::1 40000 110\r\nQUIT\r\n' | pop3 -x local | replies)
	[ "$(echo "$out" | head -n 1)" = "+OK facteur POP3 server ready" ]
	grep -q 'connect from \[2001:db8::7\]' "$LOG"
	out=$( (v2_tcp4; printf 'a1 LOGOUT\r\n') | imap -x local | replies)
	echo "$out" | grep -q '^a1 OK LOGOUT'
	grep -q 'imapd.*connect from \[203.0.113.9\]' "$LOG"
	: > "$LOG"
	out=$( (v2_tcp6; printf 'QUIT\r\n') | pop3 -x local | replies)
	echo "$out" | grep -q '^+OK facteur POP3 server signing off'
	grep -q 'connect from \[2001:db8::7\]' "$LOG"
	# an IPv4 client of a dual-stack balancer, in the form inet_ntop writes
	out=$(printf 'PROXY TCP6 ::ffff:203.0.113.8 ::ffff:192.0.2.1 40000 110\r\nQUIT\r\n' | pop3 -x local | replies)
	echo "$out" | grep -q '^+OK facteur POP3 server signing off'
	grep -q 'connect from \[203.0.113.8\]' "$LOG"
}

@test "proxy: a v2 LOCAL header (HAProxy's health check) and v1 UNKNOWN keep the real peer" {
	out=$( (printf "$V2SIG"'\x20\x00\x00\x00'; printf 'QUIT\r\n') | smtp -x local | replies)
	[ "$(echo "$out" | head -n 1)" = "220 $HOST ESMTP facteur" ]
	[ "$(echo "$out" | tail -n 1)" = "221 2.0.0 $HOST closing connection" ]
	# a LOCAL header may still carry an address block: it is skipped
	out=$( (printf "$V2SIG"'\x20\x11\x00\x0c\xcb\x00\x71\x09\xc0\x00\x02\x01\x9c\x40\x00\x8f'
		printf 'a1 LOGOUT\r\n') | imap -x local | replies)
	echo "$out" | grep -q '^a1 OK LOGOUT'
	out=$(printf 'PROXY UNKNOWN ffff::1 ffff::2 65535 65535\r\nQUIT\r\n' | pop3 -x local | replies)
	echo "$out" | grep -q '^+OK facteur POP3 server signing off'
	[ "$(grep -c ': connect from \[local\]' "$LOG")" = 3 ]
	! grep -q 'proxy:' "$LOG" || false
}

@test "proxy: the trusted list: addresses and CIDR blocks, IPv4 and IPv6, mapped IPv4" {
	hdr='PROXY TCP4 203.0.113.7 192.0.2.1 40000 25\r\nQUIT\r\n'
	for pair in 10.1.2.3=10.1.2.3 10.1.2.3=10.0.0.0/8 10.1.2.3=192.0.2.1,10.1.0.0/16 \
		    2001:db8::5=2001:db8::/32 ::ffff:10.1.2.3=10.1.2.0/24 10.1.2.3=0.0.0.0/0; do
		peer=${pair%%=*} list=${pair#*=}
		run env TCPREMOTEIP="$peer" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -x "$list" < <(printf "$hdr")
		echo "$peer in $list: $output"
		[ "$status" -eq 0 ]
		echo "$output" | grep -q '^221 '
	done
	for pair in 10.1.2.3=10.1.2.4 10.1.2.3=10.1.3.0/24 10.1.2.3=2001:db8::/32 2001:db8::5=2001:db9::/32; do
		run env TCPREMOTEIP="${pair%%=*}" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -x "${pair#*=}" < <(printf "$hdr")
		[ "$status" -eq 1 ]
		[ -z "$output" ]
		grep -q "proxy: \[${pair%%=*}\] is not a trusted proxy: closing" "$LOG"
	done
	# a pipe is trusted only when the list says "local"
	run "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -x 127.0.0.1 < <(printf "$hdr")
	[ "$status" -eq 1 ] && [ -z "$output" ] || false
	grep -q 'proxy: \[local\] is not a trusted proxy: closing' "$LOG"
}

@test "proxy: malformed headers are refused unanswered" {
	for hdr in 'EHLO c.test\r\n' 'PROXY TCP4 203.0.113.07 192.0.2.1 1 2\r\n' \
		   'PROXY TCP4 203.0.113.7 192.0.2.1 040000 25\r\n' 'PROXY TCP4 203.0.113.7 192.0.2.1 65536 25\r\n' \
		   'PROXY TCP4 203.0.113.7  192.0.2.1 1 2\r\n' 'PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n' \
		   'PROXY TCP6 203.0.113.7 2001:db8::1 1 2\r\n' 'PROXY TCP4 203.0.113.7 192.0.2.1 1 2\n' \
		   'PROXY TCP4 203.0.113.7 192.0.2.1 1 2\rX\n' 'PROXY UDP4 203.0.113.7 192.0.2.1 1 2\r\n' \
		   'proxy TCP4 203.0.113.7 192.0.2.1 1 2\r\n' 'PROXY TCP4 203.0.113.7 192.0.2.1 1 2 3\r\n'; do
		: > "$LOG"
		run smtp -x local < <(printf "$hdr"'QUIT\r\n')
		echo "$hdr: $output"
		refused local 'malformed header'
	done
	# v2: version 1 in the version nibble, command 2, family 4, an address
	# block shorter than its family's
	for bad in '\x11\x11\x00\x0c' '\x22\x11\x00\x0c' '\x21\x41\x00\x0c' '\x21\x21\x00\x0c'; do
		: > "$LOG"
		run pop3 -x local < <(printf "$V2SIG$bad"; printf '%012d' 0; printf 'QUIT\r\n')
		refused local 'malformed header'
	done
}

@test "proxy: a v1 line of 107 bytes is the longest; one byte more is refused" {
	# "PROXY UNKNOWN " + 91 bytes + CRLF = 107, the spec's worst case
	long=$(printf 'x%.0s' $(seq 91))
	out=$(printf 'PROXY UNKNOWN %s\r\nQUIT\r\n' "$long" | pop3 -x local | replies)
	echo "$out" | grep -q '^+OK facteur POP3 server signing off'
	run pop3 -x local < <(printf 'PROXY UNKNOWN %sx\r\nQUIT\r\n' "$long")
	refused local 'header line over 107 bytes'
}

@test "proxy: no header within -X seconds, or none at all, closes the connection" {
	start=$(date +%s)
	run imap -x local -X 1 < <(sleep 4)
	refused local 'no header in time'
	[ $(( $(date +%s) - start )) -lt 4 ]
	# a header cut short by the end of the connection
	run imap -x local < <(printf 'PROXY TCP4 203.0.113.7 192.0.2')
	refused local 'closed before the header'
	run imap -x local < <(v2_tcp4 | head -c 20)
	refused local 'closed before the header'
}

@test "proxy: without -x a PROXY line is only a bad command; -x and -X are checked" {
	out=$(printf 'PROXY TCP4 203.0.113.7 192.0.2.1 40000 25\r\nQUIT\r\n' | smtp | replies)
	echo "$out" | grep -q '^500 5.5.2 Error: command not recognized'
	! grep -q 203.0.113.7 "$LOG" || false
	for list in '' 10.0.0.0/33 ::/129 10.0.0.1, ,10.0.0.1 host.example 10.0.0.0/ 10.0.0.0/8x; do
		run "$SMTPD" -x "$list"
		[ "$status" -eq 64 ]
		echo "$output" | grep -q "smtpd: -x: '$list' is not a list"
	done
	run "$POP3D" -x "$(printf '10.0.0.%d,' $(seq 1 64))10.0.1.1"
	[ "$status" -eq 64 ]
	run "$IMAPD" -x local -X 0
	[ "$status" -eq 64 ]
}

@test "proxy: over TCP the connection's own address is what -x checks" {
	serve "$SMTPD" -d "$DOMAIN" -x 127.0.0.0/8
	out=$(python3 - "$PORT" <<-'PY'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
		s.sendall(b"PROXY TCP4 198.51.100.20 127.0.0.1 5555 25\r\nQUIT\r\n")
		print(s.makefile("rb").read().decode())
	PY
	)
	echo "$out" | grep -q '^221 2.0.0'
	grep -q 'connect from \[198.51.100.20\]' "$LOG"
	serve "$POP3D" -x ::1,10.0.0.0/8
	out=$(python3 - "$PORT" <<-'PY'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
		s.sendall(b"PROXY TCP4 198.51.100.20 127.0.0.1 5555 110\r\nQUIT\r\n")
		try:
		    print(repr(s.recv(100)))
		except ConnectionResetError:
		    print("b''")
	PY
	)
	[ "$out" = "b''" ]
	grep -q 'proxy: \[127.0.0.1\] is not a trusted proxy: closing' "$LOG"
}

# v2 PROXY TCP4 203.0.113.9:40000 -> 192.0.2.1:110, then the TLVs in $1
# (their length added to the block's).
v2_tlvs() {
	local tlvs=$1 n
	n=$(printf "$tlvs" | wc -c)
	printf "$V2SIG"'\x21\x11'
	printf "\\x$(printf %02x $(( (12 + n) >> 8 )))\\x$(printf %02x $(( (12 + n) & 255 )))"
	printf '\xcb\x00\x71\x09\xc0\x00\x02\x01\x9c\x40\x00\x6e'
	printf "$tlvs"
}
SSL_TLV='\x20\x00\x05\x01\x00\x00\x00\x00'	# PP2_TYPE_SSL, client SSL, verified

@test "proxy: TLS ended at the balancer (v2 SSL TLV, send-proxy-v2-ssl) counts as TLS for the login policy" {
	capa() { (v2_tlvs "$1"; printf 'CAPA\r\nQUIT\r\n') | pop3 -x local | replies; }
	# off loopback without TLS: no USER, no SASL
	out=$(capa '')
	echo "$out" | grep -qx TOP
	! echo "$out" | grep -qx USER || false
	# the same client over TLS to the balancer
	out=$(capa "$SSL_TLV")
	echo "$out"
	echo "$out" | grep -qx USER
	grep -q 'connect from \[203.0.113.9\] (TLS at the balancer)' "$LOG"
	# other TLVs around it are skipped (NOOP, ALPN, a sub-TLV inside SSL)
	out=$(capa '\x04\x00\x02\x00\x00\x01\x00\x04imap\x20\x00\x0c\x01\x00\x00\x00\x00\x21\x00\x04TLS1')
	echo "$out" | grep -qx USER
	# an SSL TLV whose client field lacks the SSL bit is not TLS
	out=$(capa '\x20\x00\x05\x00\x00\x00\x00\x00')
	! echo "$out" | grep -qx USER || false
	# and a login over it succeeds
	out=$( (v2_tlvs "$SSL_TLV"; printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW") | imap -x local | replies)
	echo "$out" | grep -q '^a OK '
}

@test "proxy: TLVs that do not tile the v2 block exactly are refused" {
	for tlvs in '\x20' '\x20\x00' '\x20\x00\x06\x01\x00\x00\x00\x00' '\x04\x00\x00\x20\x00\x05\x01'; do
		: > "$LOG"
		run pop3 -x local < <(v2_tlvs "$tlvs"; printf 'QUIT\r\n')
		echo "$tlvs: $output"
		refused local 'malformed header'
	done
}
