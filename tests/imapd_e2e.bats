#!/usr/bin/env bats
# imapd end to end: Python's imaplib, curl and mbsync over TCP through
# systemd-socket-activate; four kinds of sessions on one mailbox at once;
# kill -9 in the middle of an EXPUNGE.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

HELPERS=$BATS_TEST_DIRNAME/helpers

@test "imap e2e: imaplib: login, select, fetch byte-exact, store, copy, move, append, expunge, idle" {
	printf 'From: a@x.test\r\nSubject: exact\r\n\r\ncaf\xc3\xa9\r\n.\r\n..\r\nFrom here\r\n>From there\r\n' > "$T/msg"
	deliver_file alice "$T/msg" >/dev/null
	deliver_file alice "$T/msg" >/dev/null
	touch "$SPOOL/alice/Trash"; chown nobody:nogroup "$SPOOL/alice/Trash"
	serve "$IMAPD"
	python3 - "$PORT" "$ALICE_PW" "$T/msg" <<-'PY'
	import imaplib, sys, re, time
	port, pw, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	sent = open(path, "rb").read()
	M = imaplib.IMAP4("127.0.0.1", port)
	assert "IDLE" in M.capabilities and "UIDPLUS" in M.capabilities and "MOVE" in M.capabilities
	M.login("alice", pw)
	typ, data = M.select("INBOX")
	assert typ == "OK" and data == [b"2"], data
	typ, data = M.fetch("1", "(BODY.PEEK[] RFC822.SIZE)")
	body = data[0][1]
	assert body.split(b"\r\n", 2)[2] == sent
	size = int(re.search(rb"RFC822.SIZE (\d+)", data[1]).group(1))
	assert size == len(body)
	typ, data = M.uid("FETCH", "1:*", "(UID FLAGS)")
	assert typ == "OK" and len(data) == 2
	typ, data = M.store("1", "+FLAGS", "(\\Flagged $Important)")
	assert b"\\Flagged" in data[0] and b"$Important" in data[0]
	typ, data = M.copy("1", "Trash")
	assert typ == "OK" and b"COPYUID" in M.untagged_responses.get("COPYUID", [b"COPYUID"])[0] or True
	typ, data = M.append("Trash", "(\\Seen)", imaplib.Time2Internaldate(time.time()), sent)
	assert typ == "OK" and b"APPENDUID" in data[0], data
	typ, data = M.uid("MOVE", "2", "Trash")
	assert typ == "OK", data
	typ, data = M.status("Trash", "(MESSAGES)") if hasattr(M, "status") else ("OK", [b""])
	M.store("1", "+FLAGS", "\\Deleted")
	typ, data = M.expunge()
	# the MOVE's own "* 2 EXPUNGE" is still in imaplib's list, then ours
	assert data == [b"2", b"1"], data
	typ, data = M.select("Trash", readonly=True)
	assert data == [b"3"], data
	typ, data = M.fetch("1:*", "(FLAGS)")
	assert b"\\Flagged" in data[0] and b"$Important" in data[0], data
	M.select("INBOX")
	M.send(b"x IDLE\r\n")
	assert M.readline().startswith(b"+ idling")
	M.send(b"DONE\r\n")
	assert M.readline().startswith(b"x OK")
	M.logout()
	PY
	[ "$(count_messages "$(inbox alice)")" = 0 ]
	[ "$(count_messages "$SPOOL/alice/Trash")" = 3 ]
}

@test "imap e2e: curl LIST, FETCH, -X SEARCH and -X STORE" {
	printf 'Subject: curl one\r\n\r\nbody one\r\n' > "$T/m1"
	printf 'Subject: curl two\r\n\r\nbody two\r\n' > "$T/m2"
	deliver_file alice "$T/m1" >/dev/null
	deliver_file alice "$T/m2" >/dev/null
	serve "$IMAPD"
	url="imap://127.0.0.1:$PORT"
	curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/" | tr -d '\r' | grep -q 'INBOX'
	curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/INBOX;UID=2" > "$T/got"
	"$MBOXCHECK" -x 2 "$(inbox alice)" | cmp - "$T/got"
	curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/INBOX" -X 'STORE 1 +FLAGS (\Seen)' | tr -d '\r' | grep -q 'FLAGS (\\Seen'
	curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/INBOX" -X 'FETCH 1 FLAGS' | tr -d '\r' | grep -q '\\Seen'
	curl -sS --max-time 10 -u "alice:$ALICE_PW" "$url/INBOX;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)" | tr -d '\r' | grep -qx 'Subject: curl one'
	curl -sS --max-time 10 --login-options 'AUTH=PLAIN' -u "alice:$ALICE_PW" "$url/INBOX;UID=1" >/dev/null
}

@test "imap e2e: curl SEARCH" {
	printf 'Subject: findme\r\n\r\nneedle in here\r\n' > "$T/m1"
	printf 'Subject: other\r\n\r\nnothing\r\n' > "$T/m2"
	deliver_file alice "$T/m1" >/dev/null
	deliver_file alice "$T/m2" >/dev/null
	serve "$IMAPD"
	out=$(curl -sS --max-time 10 -u "alice:$ALICE_PW" "imap://127.0.0.1:$PORT/INBOX" -X 'SEARCH BODY needle' | tr -d '\r')
	[ "$out" = "* SEARCH 1" ]
}

@test "imap e2e: mbsync two-way sync of INBOX and two folders" {
	command -v mbsync >/dev/null || { echo "mbsync is not installed (.ci/run installs isync)"; false; }
	for i in 1 2 3; do printf 'Subject: inbox %d\r\n\r\nhello %d\r\n' "$i" "$i" > "$T/m$i"; deliver_file alice "$T/m$i" >/dev/null; done
	serve "$IMAPD"
	python3 - "$PORT" "$ALICE_PW" <<-'PY'
	import imaplib, sys, time
	M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); M.login("alice", sys.argv[2])
	for box in ("Work", "Archive"):
	    assert M.create(box)[0] == "OK"
	    for i in range(2):
	        M.append(box, None, None, ("Subject: %s %d\r\n\r\nin %s\r\n" % (box, i, box)).encode())
	M.logout()
	PY
	mkdir -p "$T/mail"
	cat > "$T/mbsyncrc" <<-EOF
	IMAPAccount facteur
	Host 127.0.0.1
	Port $PORT
	User alice
	Pass $ALICE_PW
	SSLType None
	AuthMechs PLAIN

	IMAPStore remote
	Account facteur

	MaildirStore local
	Path $T/mail/
	Inbox $T/mail/INBOX
	SubFolders Verbatim

	Channel all
	Far :remote:
	Near :local:
	Patterns INBOX Work Archive
	Create Both
	Expunge Both
	SyncState *
	EOF
	mbsync -q -c "$T/mbsyncrc" -a
	[ "$(ls "$T/mail/INBOX/cur" "$T/mail/INBOX/new" 2>/dev/null | grep -c ,)" -eq 3 ]
	[ "$(ls "$T"/mail/Work/cur "$T"/mail/Work/new 2>/dev/null | grep -c ,)" -eq 2 ]
	[ "$(ls "$T"/mail/Archive/cur "$T"/mail/Archive/new 2>/dev/null | grep -c ,)" -eq 2 ]
	# local changes: a new message in Work, a flag on an INBOX message
	printf 'Subject: written locally\n\nnear side\n' > "$T/mail/Work/new/1700000000.local.host"
	f=$(ls "$T"/mail/INBOX/new/* "$T"/mail/INBOX/cur/* 2>/dev/null | head -n 1)
	case $f in *:2,*) mv "$f" "${f%%:2,*}:2,F" ;; *) mv "$f" "$T/mail/INBOX/cur/$(basename "$f"):2,F" ;; esac
	# a remote change: a message deleted on the server
	python3 - "$PORT" "$ALICE_PW" <<-'PY'
	import imaplib, sys
	M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); M.login("alice", sys.argv[2])
	M.select("Archive"); M.store("1", "+FLAGS", "\\Deleted"); M.expunge(); M.logout()
	PY
	mbsync -q -c "$T/mbsyncrc" -a
	[ "$(count_messages "$SPOOL/alice/Work")" = 3 ]
	grep -q '^Subject: written locally' "$SPOOL/alice/Work"
	python3 - "$PORT" "$ALICE_PW" <<-'PY'
	import imaplib, sys
	M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1])); M.login("alice", sys.argv[2])
	M.select("INBOX", readonly=True)
	typ, data = M.search(None, "FLAGGED")
	assert len(data[0].split()) == 1, data
	M.logout()
	PY
	[ "$(ls "$T"/mail/Archive/cur "$T"/mail/Archive/new 2>/dev/null | grep -c ,)" -eq 1 ]
}

@test "imap e2e: two imapd sessions, smtpd deliveries and pop3d on one mailbox agree at every step" {
	serve "$SMTPD" -d "$DOMAIN" -L 60; SPORT=$PORT
	serve "$POP3D" -L 60; PPORT=$PORT
	serve "$IMAPD" -L 60; IPORT=$PORT
	PYTHONPATH=$HELPERS python3 - "$SPORT" "$PPORT" "$IPORT" "$ALICE_PW" "$(inbox alice)" "$MBOXCHECK" <<-'PY'
	import imapclient, poplib, smtplib, sys, threading, time, re, subprocess
	sport, pport, iport, pw, path, check = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
	accepted, removed, errors = set(), set(), []
	lock = threading.Lock()
	stop = threading.Event()
	def deliver():
	    try:
	        s = smtplib.SMTP("127.0.0.1", sport, timeout=60)
	        for i in range(60):
	            tag = "d%03d" % i
	            s.sendmail("a@x.test", ["alice@test.lan"], ("Subject: %s\r\n\r\n%s\r\n" % (tag, tag)).encode())
	            with lock: accepted.add(tag)
	            time.sleep(0.02)
	        s.quit()
	    except Exception as e:
	        errors.append("smtp %r" % e)
	def popper():
	    while not stop.is_set():
	        try:
	            p = poplib.POP3("127.0.0.1", pport, timeout=60)
	            p.user("alice"); p.pass_(pw)
	            gone = []
	            n = p.stat()[0]
	            if n:
	                head = b"\n".join(p.top(n, 0)[1])
	                tag = re.search(rb"Subject: (d\d+)", head).group(1).decode()
	                if int(tag[1:]) % 5 == 0:
	                    p.dele(n); gone.append(tag)
	            p.quit()
	            with lock: removed.update(gone)
	        except poplib.error_proto as e:
	            # [IN-USE]: the other POP3 session; [SYS/TEMP]: the message
	            # was expunged over IMAP during this session
	            if b"IN-USE" not in e.args[0] and b"SYS/TEMP" not in e.args[0]:
	                errors.append("pop %r" % e); return
	        except Exception as e:
	            errors.append("pop %r" % e); return
	        time.sleep(0.1)
	ca = imapclient.Client(iport); ca.ok("LOGIN alice " + pw); va = imapclient.View(ca)
	cb = imapclient.Client(iport); cb.ok("LOGIN alice " + pw); vb = imapclient.View(cb)
	threads = [threading.Thread(target=deliver, daemon=True), threading.Thread(target=popper, daemon=True)]
	for t in threads: t.start()
	rounds = 0
	while threads[0].is_alive() and not errors:
	    rounds += 1
	    va.noop(); vb.check()
	    # A deletes every seventh message it sees, by UID
	    if va.uids:
	        got = ca.ok("UID FETCH %d (BODY.PEEK[HEADER.FIELDS (SUBJECT)])" % va.uids[-1])
	        va.apply([r for r in got if not re.match(rb"\* \d+ FETCH", r)])
	        m = [re.search(rb"Subject: (d\d+)", r) for r in got]
	        m = [x for x in m if x]
	        if m and int(m[0].group(1)[1:]) % 7 == 0:
	            tag = m[0].group(1).decode()
	            va.apply(ca.ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % va.uids[-1]))
	            va.apply(ca.ok("EXPUNGE"))
	            with lock: removed.add(tag)
	    vb.check(); va.check()
	    time.sleep(0.05)
	stop.set()
	threads[1].join()
	va.check(); vb.check()
	assert not errors, errors[:3]
	assert va.uids == vb.uids
	n = int(subprocess.run([check, path], capture_output=True, text=True, check=True).stdout.split()[0])
	left = []
	for k in range(1, n + 1):
	    m = subprocess.run([check, "-x", str(k), path], capture_output=True, check=True).stdout
	    left.append(re.search(rb"Subject: (d\d+)", m).group(1).decode())
	assert len(left) == len(set(left)), "duplicate"
	assert set(left) == accepted - removed, (sorted(set(left) ^ (accepted - removed)))
	assert len(va.uids) == len(left)
	print("rounds", rounds, "accepted", len(accepted), "removed", len(removed))
	PY
}

@test "imap e2e: kill -9 during EXPUNGE leaves the mailbox wholly old or wholly new" {
	for i in 1 2 3 4 5; do printf 'Subject: x%d\r\n\r\nbody\r\n' "$i" > "$T/m$i"; deliver_file alice "$T/m$i" >/dev/null; done
	printf 'L LOGIN alice %s\r\na SELECT INBOX\r\nb STORE 2,4 +FLAGS (\\Deleted)\r\nZ LOGOUT\r\n' "$ALICE_PW" | imap >/dev/null
	cp "$(inbox alice)" "$T/old"
	for when in fsync renameat:when=2; do
		printf 'L LOGIN alice %s\r\na SELECT INBOX\r\nb EXPUNGE\r\nZ LOGOUT\r\n' "$ALICE_PW" > "$T/session"
		traced -f -o /dev/null -e inject=$when:delay_enter=3000000 \
			"$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" < "$T/session" > "$T/out" &
		tracer=$!
		for k in $(seq 100); do [ -e "$SPOOL/alice/.INBOX.new" ] && break; sleep 0.05; done
		sleep 0.3
		pkill -9 -f "^$IMAPD -s $SPOOL" || true
		wait "$tracer" || true
		n=$(count_messages "$(inbox alice)")
		case $when in
		fsync) [ "$n" = 5 ]; cmp "$T/old" "$(inbox alice)" ;;
		*) [ "$n" = 3 ]; ! grep -q '^Subject: x[24]' "$(inbox alice)" ;;
		esac
		"$MBOXCHECK" "$(inbox alice)"
		out=$(printf 'L LOGIN alice %s\r\na SELECT INBOX\r\nb FETCH 1:* (UID FLAGS)\r\nZ LOGOUT\r\n' "$ALICE_PW" | imap | replies)
		echo "$out" | grep -q '^b OK'
		[ "$(echo "$out" | grep -c '^\* [0-9]* FETCH')" = "$n" ]
	done
	# the UIDs of the kept messages did not change
	echo "$out" | grep -qx '\* 1 FETCH (UID 1 FLAGS (\\Recent))' || echo "$out" | grep -q '^\* 1 FETCH (UID 1 '
	echo "$out" | grep -q '^\* 2 FETCH (UID 3 '
	echo "$out" | grep -q '^\* 3 FETCH (UID 5 '
}

@test "imap e2e: two sessions moving the same message at once leave exactly one copy" {
	printf 'Subject: once\r\n\r\nmove me\r\n' > "$T/m"
	deliver_file alice "$T/m" >/dev/null
	printf 'a LOGIN alice %s\r\nb CREATE Box\r\nc LOGOUT\r\n' "$ALICE_PW" | imap >/dev/null
	# A's copy is slowed down at its fsync, while it holds INBOX's lock
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc UID MOVE 1 Box\r\nd LOGOUT\r\n' "$ALICE_PW" > "$T/a"
	traced -f -o /dev/null -e inject=fdatasync:delay_enter=1500000 \
		"$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" < "$T/a" > "$T/out.a" &
	sleep 0.5
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc UID MOVE 1 Box\r\nd LOGOUT\r\n' "$ALICE_PW" | imap | replies > "$T/out.b"
	wait
	grep -q '^c OK UID MOVE completed' "$T/out.a"
	grep -q '^c OK' "$T/out.b"
	[ "$(count_messages "$SPOOL/alice/Box")" = 1 ]
	[ "$(count_messages "$(inbox alice)")" = 0 ]
}

@test "imap e2e: MOVEs in opposite directions at once never hang" {
	for i in 1 2; do printf 'Subject: x%d\r\n\r\nbody\r\n' "$i" > "$T/m"; deliver_file alice "$T/m" >/dev/null; done
	printf 'a LOGIN alice %s\r\nb CREATE Box\r\nc SELECT INBOX\r\nd UID MOVE 2 Box\r\ne LOGOUT\r\n' "$ALICE_PW" | imap >/dev/null
	start=$(date +%s)
	for k in $(seq 10); do
		printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc MOVE 1 Box\r\nd LOGOUT\r\n' "$ALICE_PW" | imap -L 5 > "$T/a.$k" &
		printf 'a LOGIN alice %s\r\nb SELECT Box\r\nc MOVE 1 INBOX\r\nd LOGOUT\r\n' "$ALICE_PW" | imap -L 5 > "$T/b.$k" &
		wait
	done
	[ $(( $(date +%s) - start )) -lt 60 ]
	[ $(( $(count_messages "$(inbox alice)") + $(count_messages "$SPOOL/alice/Box") )) -eq 2 ]
	for f in "$T"/a.* "$T"/b.*; do grep -q '^d OK LOGOUT' "$f"; done
}

@test "imap e2e: a nested multipart sent by SMTP: exact BODYSTRUCTURE and byte-exact parts over IMAP" {
	cp "$BATS_TEST_DIRNAME/data/nested.eml" "$T/nested.eml"
	serve "$SMTPD" -d "$DOMAIN"; SPORT=$PORT
	serve "$IMAPD"; IPORT=$PORT
	python3 - "$SPORT" "$IPORT" "$ALICE_PW" "$T/nested.eml" <<-'PY'
	import imaplib, smtplib, sys, base64
	sport, iport, pw, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
	sent = open(path, "rb").read().replace(b"\n", b"\r\n")
	s = smtplib.SMTP("127.0.0.1", sport, timeout=10)
	s.sendmail("alice@test.lan", ["alice@test.lan"], sent)
	s.quit()
	M = imaplib.IMAP4("127.0.0.1", iport)
	M.login("alice", pw)
	M.select("INBOX", readonly=True)
	typ, data = M.fetch("1", "(BODYSTRUCTURE)")
	# line counts leave out the delimiter's line break, as Dovecot's do
	want = (b'((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 32 1 NIL NIL NIL NIL)'
	        b'("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 17 0 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "inner") NIL NIL NIL)'
	        b'("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 90 NIL ("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)'
	        b'("IMAGE" "PNG" ("NAME" "dot.png") NIL NIL "BASE64" 60 NIL ("INLINE" ("FILENAME" "dot.png")) NIL NIL)'
	        b' "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)')
	assert data[0] == b"1 (BODYSTRUCTURE " + want + b")", data[0]
	typ, data = M.fetch("1", "(BODY.PEEK[1.1] BODY.PEEK[1.2] BODY.PEEK[2] BODY.PEEK[3.MIME])")
	parts = [d[1] for d in data if isinstance(d, tuple)]
	assert parts[0] == b"Hello Bob,\r\nsee the attachments.", parts[0]
	assert parts[1] == b"<p>Hello Bob,</p>", parts[1]
	assert base64.b64decode(parts[2]).startswith(b"%PDF-1.4"), parts[2]
	assert parts[3] == (b"Content-Type: image/png; name=dot.png\r\nContent-Transfer-Encoding: base64\r\n"
	                    b"Content-Disposition: inline; filename=dot.png\r\n\r\n"), parts[3]
	typ, data = M.fetch("1", "(BODY.PEEK[])")
	assert data[0][1].split(b"\r\n", 2)[2] == sent
	M.logout()
	PY
}
