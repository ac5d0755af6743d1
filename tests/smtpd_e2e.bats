#!/usr/bin/env bats
# smtpd end to end: over TCP through systemd-socket-activate (one process per
# connection, as in production) and through xinetd, with real clients.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

# The message every client sends: 8-bit text, a dot line, a From line.
write_message() {
	printf 'From: Alice <alice@test.lan>\r\nTo: Bob <bob@test.lan>\r\nSubject: e2e %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncaf\xc3\xa9 \xe2\x82\xac\r\n.\r\n..two dots\r\nFrom the start of a line\r\n>From quoted\r\nlast line\r\n' "$1" > "$2"
}

# The stored message, as a client will get it back, minus our two trace headers.
stored() { "$MBOXCHECK" -x "$2" "$(inbox "$1")" | tail -n +3; }

@test "e2e: Python smtplib with EHLO and AUTH PLAIN delivers byte-exact" {
	serve "$SMTPD" -d "$DOMAIN"
	write_message smtplib "$T/msg"
	python3 - "$PORT" "$T/msg" "$ALICE_PW" <<-'PY'
	import smtplib, sys
	port, path, pw = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	s = smtplib.SMTP("127.0.0.1", port, timeout=10)
	code, caps = s.ehlo("client.test")
	assert code == 250 and s.has_extn("pipelining") and s.has_extn("8bitmime"), caps
	assert s.has_extn("size") and s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
	s.login("alice", pw)
	refused = s.sendmail("alice@test.lan", ["bob@test.lan"], open(path, "rb").read())
	assert refused == {}, refused
	s.quit()
	PY
	stored bob 1 | cmp - "$T/msg"
	sed -n 3p "$(inbox bob)" | grep -q '^Received: from client.test (\[127.0.0.1\]) by mx.test (facteur) with ESMTPA id '
}

@test "e2e: smtplib falls back to HELO when -H answers EHLO with 502, and delivers" {
	serve "$SMTPD" -d "$DOMAIN" -H
	write_message legacy "$T/msg"
	python3 - "$PORT" "$T/msg" <<-'PY'
	import smtplib, sys
	s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
	assert s.ehlo()[0] == 502
	s.ehlo_resp = None
	s.sendmail("a@x.test", ["alice@test.lan"], open(sys.argv[2], "rb").read())
	assert s.helo_resp is not None and s.does_esmtp == False
	s.quit()
	PY
	stored alice 1 | cmp - "$T/msg"
	sed -n 3p "$(inbox alice)" | grep -q ' with SMTP id '
}

@test "e2e: smtplib sees every protocol error as the right exception" {
	serve "$SMTPD" -d "$DOMAIN" -m 2048
	python3 - "$PORT" <<-'PY'
	import smtplib, sys
	s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
	s.ehlo("c")
	try:
	    s.login("alice", "wrong")
	    raise SystemExit("login should fail")
	except smtplib.SMTPAuthenticationError as e:
	    assert e.smtp_code == 535
	try:
	    s.sendmail("a@x.test", ["nobody@test.lan"], b"x\r\n")
	    raise SystemExit("unknown user should fail")
	except smtplib.SMTPRecipientsRefused as e:
	    assert e.recipients["nobody@test.lan"][0] == 550
	try:
	    s.sendmail("a@x.test", ["alice@elsewhere.test"], b"x\r\n")
	    raise SystemExit("relay should fail")
	except smtplib.SMTPRecipientsRefused as e:
	    assert e.recipients["alice@elsewhere.test"][:2] == (550, b"5.7.1 Relaying denied")
	try:
	    s.sendmail("a@x.test", ["alice@test.lan"], b"x" * 3000 + b"\r\n")
	    raise SystemExit("too big should fail")
	except smtplib.SMTPSenderRefused as e:       # SIZE= announced, refused at MAIL
	    assert e.smtp_code == 552
	s.quit()
	PY
	[ ! -e "$(inbox alice)" ]
}

@test "e2e: curl delivers over smtp:// with a CRLF file, and with --crlf" {
	serve "$SMTPD" -d "$DOMAIN"
	write_message curl "$T/msg"
	curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/client.test" --mail-from sender@remote.test \
		--mail-rcpt alice@test.lan -T "$T/msg"
	stored alice 1 | cmp - "$T/msg"
	tr -d '\r' < "$T/msg" > "$T/msg.lf"
	curl -sS --max-time 10 --crlf "smtp://127.0.0.1:$PORT/client.test" --mail-from sender@remote.test \
		--mail-rcpt alice@test.lan -T "$T/msg.lf"
	stored alice 2 | cmp - "$T/msg"
}

@test "e2e: curl with a bare-LF file is refused with 421, nothing stored" {
	serve "$SMTPD" -d "$DOMAIN"
	printf 'Subject: lf\n\nbare\n' > "$T/msg.lf"
	run curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/client.test" --mail-from a@x.test \
		--mail-rcpt alice@test.lan -T "$T/msg.lf"
	[ "$status" -ne 0 ]
	[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
}

@test "e2e: curl falls back to HELO against -H and delivers" {
	serve "$SMTPD" -d "$DOMAIN" -H
	write_message curlhelo "$T/msg"
	curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/client.test" --mail-from a@x.test \
		--mail-rcpt alice@test.lan -T "$T/msg"
	stored alice 1 | cmp - "$T/msg"
}

@test "e2e: curl with AUTH on the submission setup (-A)" {
	serve "$SMTPD" -d "$DOMAIN" -A
	write_message submission "$T/msg"
	run curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/c" --mail-from alice@test.lan --mail-rcpt bob@test.lan -T "$T/msg"
	[ "$status" -ne 0 ]
	curl -sS --max-time 10 "smtp://127.0.0.1:$PORT/c" --user "alice:$ALICE_PW" \
		--mail-from alice@test.lan --mail-rcpt bob@test.lan -T "$T/msg"
	stored bob 1 | cmp - "$T/msg"
}

@test "e2e: swaks delivers, with and without pipelining" {
	command -v swaks >/dev/null || { echo "swaks is not installed (.ci/run installs it)"; false; }
	serve "$SMTPD" -d "$DOMAIN"
	swaks --server 127.0.0.1 --port "$PORT" --from a@x.test --to alice@test.lan \
		--header 'Subject: swaks one' --body 'hello from swaks' --pipeline -S 1 >/dev/null
	swaks --server 127.0.0.1 --port "$PORT" --from a@x.test --to alice@test.lan \
		--header 'Subject: swaks two' --body 'hello again' --auth PLAIN \
		--auth-user alice --auth-password "$ALICE_PW" -S 1 >/dev/null
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	grep -q '^Subject: swaks one' "$(inbox alice)"
	grep -q '^Subject: swaks two' "$(inbox alice)"
}

@test "e2e: IPv6 loopback peer is recorded in Received" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null \
		|| { echo "no IPv6 loopback here"; false; }
	PORT=$(free_port)
	systemd-socket-activate --inetd -a -l "[::1]:$PORT" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" >/dev/null 2>&1 3>&- &
	SERVER_PIDS+=($!)
	sleep 0.3
	python3 - "$PORT" <<-'PY'
	import smtplib, sys
	s = smtplib.SMTP("::1", int(sys.argv[1]), timeout=10)
	s.sendmail("a@x.test", ["alice@test.lan"], b"Subject: v6\r\n\r\nx\r\n")
	s.quit()
	PY
	sed -n 3p "$(inbox alice)" | grep -q '(\[::1\])'
}

@test "e2e: under xinetd in the foreground, with a config made from xinetd.d/" {
	command -v xinetd >/dev/null || { echo "xinetd is not installed (.ci/run installs it)"; false; }
	PORT=$(free_port)
	sed -e "s|^service smtp|service facteur-test|" \
	    -e "s|@LIBEXEC@/smtpd|$SMTPD|" \
	    -e "s|-s @SPOOL@ -a @CONFDIR@/facteur/users|-s $SPOOL -a $USERS -l $LOG -n $HOST -d $DOMAIN|" \
	    -e "s|^{|{\n\ttype\t\t= UNLISTED\n\tport\t\t= $PORT|" \
	    -e "s|^\tdisable\t\t= yes|\tdisable\t\t= no|" \
	    "$TOP/xinetd.d/facteur-smtp" > "$T/xinetd.conf"
	grep -q "server_args	= -s $SPOOL" "$T/xinetd.conf"
	xinetd -dontfork -f "$T/xinetd.conf" -pidfile "$T/xinetd.pid" -filelog "$T/xinetd.log" 2>"$T/xinetd.err" 3>&- &
	SERVER_PIDS+=($!)
	wait_port "$PORT"
	write_message xinetd "$T/msg"
	python3 - "$PORT" "$T/msg" <<-'PY'
	import smtplib, sys
	s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)
	s.sendmail("a@x.test", ["alice@test.lan"], open(sys.argv[2], "rb").read())
	s.quit()
	PY
	stored alice 1 | cmp - "$T/msg"
}

@test "e2e: 50 parallel sessions x 20 messages to one mailbox give exactly 1000 intact messages" {
	serve "$SMTPD" -d "$DOMAIN" -L 60
	python3 - "$PORT" <<-'PY'
	import smtplib, sys, threading, hashlib
	port = int(sys.argv[1])
	errors = []
	def session(n):
	    try:
	        s = smtplib.SMTP("127.0.0.1", port, timeout=120)
	        for i in range(20):
	            body = ("line %d of message %d.%d\r\n" % (k, n, i) for k in range(50 + (n * 7 + i) % 200))
	            body = "".join(body)
	            digest = hashlib.sha256(body.encode()).hexdigest()
	            msg = "Subject: load %d.%d\r\nX-Digest: %s\r\n\r\n%s" % (n, i, digest, body)
	            s.sendmail("a@x.test", ["alice@test.lan"], msg.encode())
	        s.quit()
	    except Exception as e:
	        errors.append(repr(e))
	threads = [threading.Thread(target=session, args=(n,)) for n in range(50)]
	for t in threads: t.start()
	for t in threads: t.join()
	assert not errors, errors[:3]
	PY
	[ "$(count_messages "$(inbox alice)")" = 1000 ]
	"$MBOXCHECK" "$(inbox alice)"
	# every message exactly once and intact
	python3 - "$(inbox alice)" "$MBOXCHECK" <<-'PY'
	import subprocess, sys, hashlib, re
	path, check = sys.argv[1], sys.argv[2]
	seen = set()
	for n in range(1, 1001):
	    m = subprocess.run([check, "-x", str(n), path], capture_output=True, check=True).stdout
	    head, body = m.split(b"\r\n\r\n", 1)
	    subj = re.search(rb"Subject: load (\d+\.\d+)", head).group(1)
	    digest = re.search(rb"X-Digest: ([0-9a-f]+)", head).group(1).decode()
	    assert hashlib.sha256(body).hexdigest() == digest, subj
	    assert subj not in seen, subj
	    seen.add(subj)
	assert len(seen) == 1000
	PY
}
