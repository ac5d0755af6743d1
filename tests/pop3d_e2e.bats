#!/usr/bin/env bats
# pop3d end to end: curl and Python's poplib over TCP through
# systemd-socket-activate, concurrency with smtpd, and faults in UPDATE.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

# A message with every awkward thing: 8-bit text, dot lines, From lines.
write_tricky() {
	printf 'From: a@x.test\r\nSubject: tricky %s\r\n\r\ncaf\xc3\xa9\r\n.\r\n..\r\n.x\r\nFrom here\r\n>From there\r\nend\r\n' "$1" > "$2"
}

@test "pop3 e2e: poplib reads back byte-exact what smtplib sent, then deletes it" {
	serve "$SMTPD" -d "$DOMAIN"; SPORT=$PORT
	serve "$POP3D"; PPORT=$PORT
	write_tricky poplib "$T/msg"
	python3 - "$SPORT" "$PPORT" "$T/msg" "$ALICE_PW" <<-'PY'
	import poplib, smtplib, sys
	sport, pport, path, pw = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
	sent = open(path, "rb").read()
	s = smtplib.SMTP("127.0.0.1", sport, timeout=10)
	s.sendmail("a@x.test", ["alice@test.lan"], sent)
	s.quit()
	p = poplib.POP3("127.0.0.1", pport, timeout=10)
	caps = p.capa()
	assert "UIDL" in caps and "TOP" in caps and caps["SASL"] == ["PLAIN"], caps
	p.user("alice"); p.pass_(pw)
	count, octets = p.stat()
	assert count == 1
	resp, lines, size = p.retr(1)
	got = b"\r\n".join(lines) + b"\r\n"
	# poplib undoes dot-stuffing; the two trace headers come first
	body = got.split(b"\r\n", 2)[2]
	assert body == sent, (body, sent)
	assert int(p.list(1).split()[2]) == len(got) == octets
	uid = p.uidl(1).split()[2]
	assert p.uidl()[1][0].split()[1] == uid
	p.dele(1)
	p.quit()
	p = poplib.POP3("127.0.0.1", pport, timeout=10)
	p.user("alice"); p.pass_(pw)
	assert p.stat() == (0, 0)
	p.quit()
	PY
}

@test "pop3 e2e: curl LIST, RETR, -X UIDL and -X TOP" {
	write_tricky curl "$T/msg"
	deliver_file alice "$T/msg" >/dev/null
	deliver_file alice "$T/msg" >/dev/null
	serve "$POP3D"
	url="pop3://127.0.0.1:$PORT"
	list=$(curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/" | tr -d '\r')
	[ "$(echo "$list" | wc -l)" -eq 2 ]
	[ "$(echo "$list" | cut -d' ' -f1 | tr '\n' ' ')" = "1 2 " ]
	curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/2" > "$T/got"
	"$MBOXCHECK" -x 2 "$(inbox alice)" | cmp - "$T/got"
	[ "$(wc -c < "$T/got")" -eq "$(echo "$list" | sed -n 2p | cut -d' ' -f2)" ]
	uidl=$(curl -sS --max-time 10 -u "alice:$ALICE_PW" -X UIDL "$url/" | tr -d '\r')
	[ "$(echo "$uidl" | wc -l)" -eq 2 ]
	echo "$uidl" | grep -Eq '^1 [0-9]+\.[0-9]+$'
	top=$(curl -sS --max-time 10 -u "alice:$ALICE_PW" -X 'TOP 1 2' "$url/" | tr -d '\r')
	echo "$top" | grep -qx 'Subject: tricky curl'
	[ "$(echo "$top" | tail -n 2)" = "$(printf 'café\n.')" ]
	# AUTH PLAIN via SASL
	curl -sS --max-time 10 -u "bob:$BOB_PW" --login-options 'AUTH=PLAIN' "$url/" > /dev/null
}

@test "pop3 e2e: a 10 MiB attachment comes back byte-exact" {
	python3 - "$T/big" <<-'PY'
	import base64, os, random, sys
	random.seed(7)
	blob = bytes(random.getrandbits(8) for _ in range(10 * 1024 * 1024 // 4 * 3))
	b64 = base64.encodebytes(blob).replace(b"\n", b"\r\n")
	msg = (b"Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n"
	       b"--XX\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
	       b"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	       + b64 + b"--XX--\r\n")
	open(sys.argv[1], "wb").write(msg)
	PY
	serve "$SMTPD" -d "$DOMAIN"; SPORT=$PORT
	serve "$POP3D"; PPORT=$PORT
	python3 - "$SPORT" "$PPORT" "$T/big" "$ALICE_PW" <<-'PY'
	import poplib, smtplib, sys
	sent = open(sys.argv[3], "rb").read()
	s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
	s.sendmail("a@x.test", ["alice@test.lan"], sent)
	s.quit()
	p = poplib.POP3("127.0.0.1", int(sys.argv[2]), timeout=60)
	p._max_line = 1 << 20
	p.user("alice"); p.pass_(sys.argv[4])
	resp, lines, size = p.retr(1)
	got = b"\r\n".join(lines) + b"\r\n"
	assert got.split(b"\r\n", 2)[2] == sent
	assert int(p.list(1).split()[2]) == len(got)
	p.quit()
	PY
}

@test "pop3 e2e: 20 smtpd sessions deliver while POP3 sessions delete: nothing lost, nothing twice" {
	serve "$SMTPD" -d "$DOMAIN" -L 60; SPORT=$PORT
	serve "$POP3D" -L 60; PPORT=$PORT
	python3 - "$SPORT" "$PPORT" "$ALICE_PW" "$(inbox alice)" "$MBOXCHECK" <<-'PY'
	import poplib, smtplib, sys, threading, time, re, subprocess
	sport, pport, pw, path, check = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
	accepted, deleted, errors, gone = set(), set(), [], [0]
	lock = threading.Lock()
	done = threading.Event()
	def deliver(n):
	    try:
	        s = smtplib.SMTP("127.0.0.1", sport, timeout=120)
	        for i in range(15):
	            tag = "m%02d-%02d" % (n, i)
	            s.sendmail("a@x.test", ["alice@test.lan"], ("Subject: %s\r\n\r\nbody %s\r\n" % (tag, tag)).encode())
	            with lock: accepted.add(tag)
	        s.quit()
	    except Exception as e:
	        errors.append("smtp %r" % e)
	def reader():
	    while not done.is_set():
	        try:
	            p = poplib.POP3("127.0.0.1", pport, timeout=60)
	            p.user("alice"); p.pass_(pw)
	            mine = []
	            for n in range(1, p.stat()[0] + 1):
	                # sessions run side by side: the other one's QUIT may
	                # have removed this message since our login
	                try:
	                    head = b"\n".join(p.top(n, 0)[1])
	                except poplib.error_proto as e:
	                    assert b"[SYS/TEMP]" in e.args[0], e
	                    with lock: gone[0] += 1
	                    continue
	                tag = re.search(rb"Subject: (m\d+-\d+)", head).group(1).decode()
	                if int(tag[-1]) % 2 == 0:
	                    p.dele(n); mine.append(tag)
	            p.quit()
	            with lock: deleted.update(mine)
	        except Exception as e:
	            errors.append("pop %r" % e)
	            return
	smtp = [threading.Thread(target=deliver, args=(n,)) for n in range(20)]
	pops = [threading.Thread(target=reader) for _ in range(2)]
	for t in smtp + pops: t.start()
	for t in smtp: t.join()
	time.sleep(0.5)
	done.set()
	for t in pops: t.join()
	assert not errors, errors[:3]
	assert len(accepted) == 300
	out = subprocess.run([check, "-l", path], capture_output=True, text=True, check=True).stdout
	n = int(out.split()[0])
	left = []
	for k in range(1, n + 1):
	    m = subprocess.run([check, "-x", str(k), path], capture_output=True, check=True).stdout
	    left.append(re.search(rb"Subject: (m\d+-\d+)", m).group(1).decode())
	assert len(left) == len(set(left)), "duplicate"
	assert set(left) == accepted - deleted, (len(left), len(accepted), len(deleted))
	assert deleted, "the readers deleted nothing"
	print("accepted", len(accepted), "deleted", len(deleted), "gone", gone[0])
	PY
	"$MBOXCHECK" -i "$(inbox alice)" >/dev/null || "$MBOXCHECK" "$(inbox alice)"
}

@test "pop3 e2e: kill -9 during the QUIT rewrite leaves the mailbox wholly old or wholly new" {
	for i in 1 2 3 4 5 6; do
		printf 'Subject: k%d\r\n\r\nbody %d\r\n' "$i" "$i" > "$T/m$i"
		deliver_file alice "$T/m$i" >/dev/null
	done
	cp "$(inbox alice)" "$T/old"
	uidl_before=$( (printf 'USER alice\r\nPASS %s\r\nUIDL\r\nQUIT\r\n' "$ALICE_PW") | pop3 | replies | sed -n '5,10p')
	# stop inside the rewrite and kill: before the new file's fsync (the old
	# mailbox stays), then after the mbox rename but before the index's
	# (the new mailbox with the old index: the next session must cope)
	for when in fsync renameat:when=2; do
		printf 'USER alice\r\nPASS %s\r\nDELE 2\r\nDELE 4\r\nQUIT\r\n' "$ALICE_PW" > "$T/session"
		traced -f -o /dev/null -e inject=$when:delay_enter=3000000 \
			"$POP3D" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" < "$T/session" > "$T/out" &
		tracer=$!
		for k in $(seq 100); do [ -e "$SPOOL/alice/.INBOX.new" ] && break; sleep 0.05; done
		sleep 0.3
		pkill -9 -f "^$POP3D -s $SPOOL" || true
		wait "$tracer" || true
		n=$(count_messages "$(inbox alice)")
		case $when in
		fsync) [ "$n" = 6 ]; cmp "$T/old" "$(inbox alice)" ;;
		*) [ "$n" = 4 ]; ! grep -q '^Subject: k[24]' "$(inbox alice)" ;;
		esac
		"$MBOXCHECK" "$(inbox alice)"
		# the next session sees a consistent mailbox with the same UIDLs
		after=$( (printf 'USER alice\r\nPASS %s\r\nUIDL\r\nQUIT\r\n' "$ALICE_PW") | pop3 | replies)
		for u in $(echo "$after" | sed -n '/^+OK unique-id/,/^\.$/p' | sed '1d;$d' | cut -d' ' -f2); do
			echo "$uidl_before" | cut -d' ' -f2 | grep -qx "$u"
		done
	done
}

@test "pop3 e2e: a write failure during the rewrite gives -ERR, deletes nothing, loses nothing" {
	for i in 1 2 3; do
		printf 'Subject: w%d\r\n\r\n%s\r\n' "$i" "$(head -c 300 /dev/zero | tr '\0' w)" > "$T/m$i"
		deliver_file alice "$T/m$i" >/dev/null
	done
	cp "$(inbox alice)" "$T/old"
	out=$(printf 'USER alice\r\nPASS %s\r\nDELE 1\r\nQUIT\r\n' "$ALICE_PW" |
		prlimit --fsize=400 "$POP3D" -s "$SPOOL" -a "$USERS" -l "$T/log2" -n "$HOST" | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "-ERR [SYS/TEMP] some deleted messages not removed, try again" ]
	cmp "$T/old" "$(inbox alice)"
	[ ! -e "$SPOOL/alice/.INBOX.new" ]
	out=$(printf 'USER alice\r\nPASS %s\r\nSTAT\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies)
	echo "$out" | sed -n 4p | grep -q '^+OK 3 '
}

@test "pop3 e2e: client gone in the middle of a large RETR: clean exit, nothing deleted, lock free" {
	python3 -c 'import sys; sys.stdout.write("Subject: large\r\n\r\n" + "".join("line %07d\r\n" % i for i in range(400000)))' > "$T/large"
	deliver_file alice "$T/large" >/dev/null
	serve "$POP3D"
	python3 - "$PORT" "$ALICE_PW" <<-'PY'
	import socket, sys, time
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"USER alice\r\nPASS " + sys.argv[2].encode() + b"\r\nDELE 1\r\nRETR 1\r\n")
	s.recv(100)
	s.close()   # gone without reading the rest, and without QUIT
	PY
	sleep 0.5
	! pgrep -f "^$POP3D -s $SPOOL" >/dev/null || false
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	out=$(printf 'USER alice\r\nPASS %s\r\nSTAT\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies)
	echo "$out" | sed -n 4p | grep -q '^+OK 1 '
}

@test "pop3 e2e: sessions side by side delete overlapping sets, some drop without QUIT: each message removed once, none lost" {
	for i in $(seq 40); do
		printf 'Subject: s%02d\r\n\r\nbody %d\r\n' "$i" "$i" > "$T/m"
		deliver_file alice "$T/m" >/dev/null
	done
	serve "$POP3D" -L 60; PPORT=$PORT
	python3 - "$PPORT" "$ALICE_PW" "$(inbox alice)" "$MBOXCHECK" <<-'PY'
	import poplib, random, re, socket, subprocess, sys, threading, time
	pport, pw, path, check = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
	committed, errors, lock = set(), [], threading.Lock()
	def session(seed):
	    rnd = random.Random(seed)
	    try:
	        p = poplib.POP3("127.0.0.1", pport, timeout=30)
	        p.user("alice"); p.pass_(pw)
	        n = p.stat()[0]
	        mine = set()
	        for k in rnd.sample(range(1, n + 1), min(n, 6)):
	            try:
	                head = b"\n".join(p.top(k, 0)[1])
	            except poplib.error_proto as e:
	                assert b"[SYS/TEMP]" in e.args[0], e    # another QUIT took it
	                continue
	            p.dele(k)
	            mine.add(re.search(rb"Subject: (s\d+)", head).group(1).decode())
	        if rnd.random() < 0.3:       # the connection drops: nothing applied
	            p.sock.shutdown(socket.SHUT_RDWR); p.sock.close()
	            return
	        assert p.quit().startswith(b"+OK"), "QUIT"
	        with lock: committed.update(mine)
	    except Exception as e:
	        errors.append(repr(e))
	end = time.time() + 3
	seed = 0
	while time.time() < end:
	    ts = [threading.Thread(target=session, args=(seed + i,)) for i in range(4)]
	    seed += 4
	    for t in ts: t.start()
	    for t in ts: t.join()
	assert not errors, errors[:3]
	n = int(subprocess.run([check, "-l", path], capture_output=True, text=True, check=True).stdout.split()[0])
	left = [re.search(rb"Subject: (s\d+)", subprocess.run([check, "-x", str(k), path],
	        capture_output=True, check=True).stdout).group(1).decode() for k in range(1, n + 1)]
	assert len(left) == len(set(left)), "a message twice"
	everything = {"s%02d" % i for i in range(1, 41)}
	assert set(left) == everything - committed, (sorted(left), sorted(committed))
	assert committed, "no session deleted anything"
	print("sessions", seed, "deleted", len(committed), "left", len(left))
	PY
	"$MBOXCHECK" -i "$(inbox alice)" >/dev/null
}
