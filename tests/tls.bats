#!/usr/bin/env bats
# TLS on 465, 993, 995 (RFC 8314) through the real stunnel, configured from
# the shipped stunnel/*.conf: openssl s_client, curl, Python's ssl-wrapped
# smtplib, poplib and imaplib, and xinetd with the shipped xinetd.d files.

load lib

setup() {
	setup_spool
	command -v stunnel4 >/dev/null || { echo "stunnel4 is not installed (.ci/run installs it)"; return 1; }
	CERT=$BATS_RUN_TMPDIR/facteur-tls-cert.pem KEY=$BATS_RUN_TMPDIR/facteur-tls-key.pem
	[ -s "$CERT" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$KEY" -out "$CERT" 2>/dev/null
	mkdir "$T/tls.d"
	sed -e "s|^cert = .*|cert = $CERT|" -e "s|^key = .*|key = $KEY|" \
		"$TOP/stunnel/certificate.conf" > "$T/tls.d/certificate.conf"
}
teardown() {
	remove_netns
	teardown_spool
}

# stunnel_conf NAME: the shipped configuration with this test's paths.
stunnel_conf() {
	local extra="-l $LOG -n $HOST -D 0"
	[ "$1" = submissions ] && extra="$extra -d $DOMAIN"
	sed -e "s|^include = .*|include = $T/tls.d|" \
	    -e "s|^exec = @LIBEXEC@/\(.*\)|exec = $TOP/\1/\1|" \
	    -e "s|-s @SPOOL@ -a @CONFDIR@/facteur/users|-s $SPOOL -a $USERS $extra|" \
	    -e "s|^syslog = yes|syslog = no|" "$TOP/stunnel/$1.conf" > "$T/$1.conf"
	grep -q "^exec = $TOP/" "$T/$1.conf"
}

# serve_tls NAME [ADDR]: stunnel in inetd mode under systemd-socket-activate,
# as the shipped facteur-NAME@.service runs it; sets PORT.
serve_tls() {
	local addr=${2:-127.0.0.1}
	stunnel_conf "$1"
	PORT=$(free_port)
	systemd-socket-activate --inetd -a -l "$addr:$PORT" stunnel4 "$T/$1.conf" \
		>/dev/null 2>"$T/activate.err" 3>&- &
	SERVER_PIDS+=($!)
	wait_addr_port "$addr" "$PORT"
}

@test "tls: openssl s_client on each port: the greeting, logins offered, the client address logged" {
	serve_tls imaps
	out=$(printf 'a CAPABILITY\r\nb LOGOUT\r\n' | timeout 10 openssl s_client -quiet -verify_return_error \
		-CAfile "$CERT" -connect "127.0.0.1:$PORT" 2>/dev/null | replies)
	echo "$out" | grep -q '^\* OK \[CAPABILITY IMAP4rev1 .*AUTH=PLAIN.*\] facteur IMAP4rev1 ready'
	! echo "$out" | grep -q LOGINDISABLED || false
	serve_tls pop3s
	out=$(printf 'CAPA\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -CAfile "$CERT" -connect "127.0.0.1:$PORT" 2>/dev/null | replies)
	echo "$out" | grep -qx 'SASL PLAIN'
	serve_tls submissions
	out=$(printf 'EHLO c\r\nMAIL FROM:<alice@test.lan>\r\nQUIT\r\n' | timeout 10 openssl s_client -quiet -CAfile "$CERT" -connect "127.0.0.1:$PORT" 2>/dev/null | replies)
	echo "$out" | grep -qx '250-AUTH PLAIN LOGIN'
	echo "$out" | grep -qx '530 5.7.0 Authentication required'
	# the address comes from stunnel's REMOTE_HOST, not "local"
	grep -q 'connect from \[127.0.0.1\]' "$LOG"
	! grep -q '\[local\]' "$LOG" || false
}

@test "tls: a client off loopback is offered logins over TLS (-S), with its own address in the log" {
	make_netns
	serve_tls imaps "$HOST_ADDR"
	out=$(printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | ip netns exec "$NS" timeout 10 \
		openssl s_client -quiet -CAfile "$CERT" -connect "$HOST_ADDR:$PORT" 2>/dev/null | replies)
	echo "$out" | grep -q '^\* OK \[CAPABILITY IMAP4rev1 .*AUTH=PLAIN'
	! echo "$out" | grep -q LOGINDISABLED || false
	echo "$out" | grep -q '^a OK \[CAPABILITY'
	cat "$LOG"
	grep -q "\[$NS_ADDR\]: login user=alice" "$LOG"
}

@test "tls: curl sends over smtps:// and reads back over pop3s:// and imaps:// (--cacert)" {
	serve_tls submissions; S=$PORT
	serve_tls pop3s; P=$PORT
	serve_tls imaps; I=$PORT
	printf 'Subject: curl\r\n\r\nthrough stunnel\r\n' > "$T/msg"
	curl -sS --cacert "$CERT" "smtps://localhost:$S" -u "alice:$ALICE_PW" \
		--mail-from alice@test.lan --mail-rcpt bob@test.lan -T "$T/msg"
	curl -sS --cacert "$CERT" "pop3s://localhost:$P/1" -u "bob:$BOB_PW" | grep -q 'through stunnel'
	curl -sS --cacert "$CERT" "imaps://localhost:$I/INBOX;UID=1" -u "bob:$BOB_PW" | grep -q 'through stunnel'
	# submission over TLS still checks the sender
	run curl -sS --cacert "$CERT" "smtps://localhost:$S" -u "alice:$ALICE_PW" \
		--mail-from bob@test.lan --mail-rcpt bob@test.lan -T "$T/msg"
	[ "$status" -ne 0 ]
	grep -q 'alice may not send as <bob@test.lan>' "$LOG"
	# a client that does not trust the certificate gets nowhere
	run curl -sS "imaps://localhost:$I/INBOX;UID=1" -u "bob:$BOB_PW"
	[ "$status" -ne 0 ]
}

@test "tls: Python's smtplib.SMTP_SSL, poplib.POP3_SSL and imaplib.IMAP4_SSL" {
	serve_tls submissions; S=$PORT
	serve_tls pop3s; P=$PORT
	serve_tls imaps; I=$PORT
	/usr/bin/python3 - "$CERT" "$S" "$P" "$I" "$ALICE_PW" "$BOB_PW" <<-'PY'
	import imaplib, poplib, smtplib, ssl, sys
	cert, s, p, i, apw, bpw = sys.argv[1:]
	ctx = ssl.create_default_context(cafile=cert)
	with smtplib.SMTP_SSL("localhost", int(s), context=ctx, timeout=10) as c:
	    c.login("alice", apw)
	    c.sendmail("alice@test.lan", ["bob@test.lan"], b"Subject: py\r\n\r\npython over tls\r\n")
	m = poplib.POP3_SSL("localhost", int(p), context=ctx, timeout=10)
	m.user("bob"); m.pass_(bpw)
	assert b"python over tls" in b"\n".join(m.retr(1)[1])
	m.quit()
	c = imaplib.IMAP4_SSL("localhost", int(i), ssl_context=ctx, timeout=10)
	c.login("bob", bpw)
	c.select("INBOX")
	typ, data = c.fetch("1", "(BODY[TEXT])")
	assert typ == "OK" and b"python over tls" in data[0][1], data
	c.logout()
	PY
}

@test "tls: fetchmail over pop3s and imaps, checking the certificate, and mutt sending over smtps" {
	for c in fetchmail mutt; do
		command -v $c >/dev/null || { echo "$c is not installed (.ci/run installs it)"; false; }
	done
	serve_tls submissions; S=$PORT
	serve_tls pop3s; P=$PORT
	serve_tls imaps; I=$PORT
	printf 'set from="alice@%s"\nset smtp_url="smtps://alice@localhost:%s/"\nset smtp_pass="%s"\nset ssl_ca_certificates_file="%s"\nset record=\n' \
		"$DOMAIN" "$S" "$ALICE_PW" "$CERT" > "$T/muttrc"
	printf 'one over smtps\n' | timeout 30 mutt -n -F "$T/muttrc" -s "tls one" "bob@$DOMAIN"
	printf 'two over smtps\n' | timeout 30 mutt -n -F "$T/muttrc" -s "tls two" "bob@$DOMAIN"
	grep -q '\[127.0.0.1\]: authenticated as alice' "$LOG"
	[ "$(count_messages "$(inbox bob)")" = 2 ]
	mkdir -m 700 "$T/fm"
	cat > "$T/fm/rc" <<-RC
	set no bouncemail
	poll localhost service $P protocol POP3 uidl timeout 20
	    user bob password "$BOB_PW" is root here ssl sslcertck sslcertfile "$CERT" keep
	    mda "/bin/sh -c 'cat >> $T/fetched'"
	poll localhost service $I protocol IMAP timeout 20
	    user bob password "$BOB_PW" is root here ssl sslcertck sslcertfile "$CERT" keep
	    mda "/bin/sh -c 'cat >> $T/fetched'"
	RC
	chmod 600 "$T/fm/rc"
	run env FETCHMAILHOME="$T/fm" timeout 60 fetchmail -f "$T/fm/rc" --nodetach --nosyslog -v
	echo "$output"
	[ "$status" -eq 0 ]
	# both messages through each protocol
	[ "$(grep -c '^one over smtps$' "$T/fetched")" = 2 ]
	[ "$(grep -c '^two over smtps$' "$T/fetched")" = 2 ]
	# a certificate fetchmail cannot check stops it before any password is sent
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other -keyout "$T/k2" -out "$T/c2" 2>/dev/null
	sed -i "s|sslcertfile \"$CERT\"|sslcertfile \"$T/c2\"|" "$T/fm/rc"
	: > "$LOG"
	run env FETCHMAILHOME="$T/fm" timeout 60 fetchmail -f "$T/fm/rc" --nodetach --nosyslog
	echo "$output"
	[ "$status" -ne 0 ] && [ "$status" -ne 1 ] || false
	[[ "$output" == *"certificate"* ]]
	! grep -q 'login\|authentication' "$LOG" || false
}

@test "tls: xinetd with the shipped facteur-imaps file runs stunnel and imapd" {
	command -v xinetd >/dev/null || { echo "xinetd is not installed (.ci/run installs it)"; false; }
	stunnel_conf imaps
	PORT=$(free_port)
	sed -e "s|^service imaps|service facteur-test|" \
	    -e "s|@STUNNEL@|$(command -v stunnel4)|" \
	    -e "s|@CONFDIR@/facteur/stunnel/imaps.conf|$T/imaps.conf|" \
	    -e "s|^{|{\n\ttype\t\t= UNLISTED\n\tport\t\t= $PORT|" \
	    -e "s|^\tdisable\t\t= yes|\tdisable\t\t= no|" \
	    "$TOP/xinetd.d/facteur-imaps" > "$T/xinetd.conf"
	! grep -v '^#' "$T/xinetd.conf" | grep -q @ || false	# no placeholder left outside comments
	xinetd -dontfork -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid" -filelog "$T/xinetd.log" 2>"$T/xinetd.err" 3>&- &
	SERVER_PIDS+=($!)
	wait_port "$PORT"
	out=$(printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | timeout 10 openssl s_client -quiet -CAfile "$CERT" -connect "127.0.0.1:$PORT" 2>/dev/null | replies)
	echo "$out" | grep -q '^a OK \[CAPABILITY'
}

@test "tls: HAProxy ending TLS with send-proxy-v2-ssl: logins offered over TLS only, the client's address logged" {
	command -v haproxy >/dev/null || { echo "haproxy is not installed (.ci/run installs it)"; false; }
	make_netns
	serve "$IMAPD" -x 127.0.0.1; I=$PORT
	TLSPORT=$(free_port) PLAINPORT=$(free_port)
	cat "$CERT" "$KEY" > "$T/haproxy.pem"
	cat > "$T/haproxy.cfg" <<-CFG
	defaults
	    mode tcp
	    timeout connect 2s
	    timeout client 10s
	    timeout server 10s
	listen imaps
	    bind $HOST_ADDR:$TLSPORT ssl crt $T/haproxy.pem
	    server s1 127.0.0.1:$I send-proxy-v2-ssl
	listen imap
	    bind $HOST_ADDR:$PLAINPORT
	    server s1 127.0.0.1:$I send-proxy-v2-ssl
	CFG
	haproxy -db -f "$T/haproxy.cfg" > "$T/haproxy.out" 2>&1 3>&- &
	SERVER_PIDS+=($!)
	wait_addr_port "$HOST_ADDR" "$TLSPORT"
	wait_addr_port "$HOST_ADDR" "$PLAINPORT"
	# TLS to the balancer: LOGIN is offered and works
	out=$(printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | ip netns exec "$NS" timeout 10 \
		openssl s_client -quiet -CAfile "$CERT" -connect "$HOST_ADDR:$TLSPORT" 2>/dev/null | replies)
	echo "$out"
	! echo "$out" | grep -q LOGINDISABLED || false
	echo "$out" | grep -q '^a OK \[CAPABILITY'
	grep -q "connect from \[$NS_ADDR\] (TLS at the balancer)" "$LOG"
	grep -q "\[$NS_ADDR\]: login user=alice" "$LOG"
	# the same balancer in clear: the policy holds
	out=$(printf 'a LOGIN alice %s\r\nb LOGOUT\r\n' "$ALICE_PW" | ip netns exec "$NS" timeout 10 \
		socat - "TCP:$HOST_ADDR:$PLAINPORT" | replies)
	echo "$out"
	echo "$out" | grep -q '^\* OK \[CAPABILITY IMAP4rev1 .*LOGINDISABLED'
	echo "$out" | grep -q '^a NO \[PRIVACYREQUIRED\]'
	[ "$(grep -c "connect from \[$NS_ADDR\]$" "$LOG")" = 1 ]
}
