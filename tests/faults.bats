#!/usr/bin/env bats
# Faults across the three programs: a failing fsync or rename (a preloaded
# shim fails the Nth call), a full file system (a small tmpfs), a client
# that goes away mid-transfer.  No OK is ever sent for data that is not
# durably written, and nothing stored is lost or half-written.

load lib

setup() { setup_spool; }
teardown() {
	[ -n "${MNT:-}" ] && umount "$MNT" 2>/dev/null
	teardown_spool
}

SHIM=$BATS_TEST_DIRNAME/helpers/failshim.so

# with_failure CALL N PROGRAM ARGS...: run with the Nth CALL failing
with_failure() {
	local call=$1 nth=$2
	shift 2
	# ASan wants to be first among the preloaded libraries; the shim is fine after it
	FAIL_CALL=$call FAIL_NTH=$nth ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
		LD_PRELOAD="$SHIM" "$@"
}

msg() { printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\n'; for r in "$@"; do printf 'RCPT TO:<%s@test.lan>\r\n' "$r"; done; printf 'DATA\r\nSubject: f\r\n\r\nbody\r\n.\r\nQUIT\r\n'; }

seed() {
	for u in "$@"; do msg "$u" | smtp >/dev/null; done
}

@test "faults: smtpd: a failing fdatasync gives 451 and the mailbox back as it was" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	out=$(msg alice | with_failure fdatasync 1 "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" | replies)
	echo "$out" | grep -qx '451 4.3.0 Error: local error in processing'
	! echo "$out" | grep -q '^250 2.0.0' || false
	cmp "$T/before" "$(inbox alice)"
	[ ! -e "$SPOOL/alice/.INBOX.pending" ]
}

@test "faults: smtpd: fdatasync failing for the second recipient undoes the first too" {
	seed alice bob
	cp "$(inbox alice)" "$T/a"; cp "$(inbox bob)" "$T/b"
	out=$(msg alice bob | with_failure fdatasync 2 "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" | replies)
	echo "$out" | grep -qx '451 4.3.0 Error: local error in processing'
	cmp "$T/a" "$(inbox alice)"
	cmp "$T/b" "$(inbox bob)"
}

@test "faults: pop3d: a failing fsync or rename in UPDATE deletes nothing and loses nothing" {
	seed alice alice alice
	cp "$(inbox alice)" "$T/before"
	for f in "fsync 1" "renameat 1"; do
		set -- $f
		out=$(printf 'USER alice\r\nPASS %s\r\nDELE 1\r\nQUIT\r\n' "$ALICE_PW" |
			with_failure "$1" "$2" "$POP3D" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" | replies || true)
		[ "$(echo "$out" | tail -n 1)" = "-ERR [SYS/TEMP] some deleted messages not removed, try again" ]
		cmp "$T/before" "$(inbox alice)"
		[ ! -e "$SPOOL/alice/.INBOX.new" ]
	done
}

@test "faults: pop3d: when only the index cannot be renamed, the deletions stand and UIDLs survive" {
	seed alice alice alice
	uidl=$(printf 'USER alice\r\nPASS %s\r\nUIDL\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies | sed -n '6,7p' | cut -d' ' -f2)
	out=$(printf 'USER alice\r\nPASS %s\r\nDELE 1\r\nQUIT\r\n' "$ALICE_PW" |
		with_failure renameat 2 "$POP3D" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" | replies)
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off (2 messages left)" ]
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	after=$(printf 'USER alice\r\nPASS %s\r\nUIDL\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies | sed -n '5,6p' | cut -d' ' -f2)
	[ "$after" = "$uidl" ]
}

@test "faults: imapd: APPEND with a failing fdatasync is NO and stores nothing" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	out=$(printf 'a LOGIN alice %s\r\nb APPEND INBOX {12}\r\nSubject: x\r\n\r\nc LOGOUT\r\n' "$ALICE_PW" |
		with_failure fdatasync 1 "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" | replies)
	echo "$out" | grep -qx 'b NO \[UNAVAILABLE\] Cannot save the message, try again later'
	cmp "$T/before" "$(inbox alice)"
}

@test "faults: imapd: COPY with a failing fdatasync is NO and the target is unchanged" {
	seed alice alice
	printf 'a LOGIN alice %s\r\nb CREATE Keep\r\nc LOGOUT\r\n' "$ALICE_PW" | imap >/dev/null
	[ -e "$SPOOL/alice/Keep" ]
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc COPY 1:2 Keep\r\nd LOGOUT\r\n' "$ALICE_PW" |
		with_failure fdatasync 1 "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" | replies)
	echo "$out" | grep -q '^c NO \[UNAVAILABLE\]'
	[ "$(stat -c %s "$SPOOL/alice/Keep")" -eq 0 ]
}

@test "faults: imapd: EXPUNGE with a failing rename is NO and removes nothing" {
	seed alice alice
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS (\\Deleted)\r\nd LOGOUT\r\n' "$ALICE_PW" | imap >/dev/null
	cp "$(inbox alice)" "$T/before"
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc EXPUNGE\r\nd FETCH 1:* UID\r\ne LOGOUT\r\n' "$ALICE_PW" |
		with_failure renameat 1 "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" | replies)
	echo "$out" | grep -qx 'c NO \[UNAVAILABLE\] Expunge failed, nothing removed; try again'
	! echo "$out" | grep -q '^\* [0-9]* EXPUNGE' || false
	[ "$(echo "$out" | grep -c '^\* [0-9] FETCH (UID')" -eq 2 ]
	cmp "$T/before" "$(inbox alice)"
}

# A spool on a tmpfs of `size`, owned by the service user.
small_spool() {
	MNT=$T/mnt
	mkdir "$MNT"
	if ! mount -t tmpfs -o "size=$1,mode=755" tmpfs "$MNT" 2>/dev/null; then
		MNT=
		skip "this machine does not allow mounting a tmpfs"
	fi
	SPOOL=$MNT
	[ "$(id -u)" != 0 ] || chown nobody:nogroup "$SPOOL"
}

@test "faults: a full file system: deliveries get 452 until it is full, every stored message intact" {
	small_spool 256k
	big=$(head -c 30000 /dev/zero | tr '\0' 'z' | fold -w 76)
	ok=0 full=0
	for i in $(seq 1 20); do
		out=$( { printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nSubject: fill %d\r\n\r\n' "$i"; echo "$big" | sed 's/$/\r/'; printf '.\r\nQUIT\r\n'; } | smtp | replies)
		if echo "$out" | grep -q '^250 2.0.0'; then ok=$((ok + 1)); fi
		if echo "$out" | grep -q '^452 4.3.1'; then full=$((full + 1)); fi
	done
	[ "$ok" -gt 0 ] && [ "$full" -gt 0 ] || false
	[ "$(count_messages "$(inbox alice)")" = "$ok" ]
	"$MBOXCHECK" "$(inbox alice)"
	[ ! -e "$SPOOL/alice/.INBOX.pending" ]
	# an IMAP APPEND on the full disk is refused and changes nothing
	cp "$(inbox alice)" "$T/before"
	out=$( { printf 'a LOGIN alice %s\r\nb APPEND INBOX {%d}\r\n' "$ALICE_PW" "$(( ${#big} + 2 ))"; echo "$big"; printf '\r\nc LOGOUT\r\n'; } | imap | replies)
	echo "$out" | grep -q '^b NO \[OVERQUOTA\]'
	cmp "$T/before" "$(inbox alice)"
}

@test "faults: a full file system: POP3 QUIT cannot rewrite, so it deletes nothing" {
	small_spool 200k
	big=$(head -c 60000 /dev/zero | tr '\0' 'q' | fold -w 76)
	for i in 1 2; do
		{ printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nSubject: q%d\r\n\r\n' "$i"; echo "$big" | sed 's/$/\r/'; printf '.\r\nQUIT\r\n'; } | smtp | replies | grep -q '^250 2.0.0'
	done
	# fill what is left
	head -c 300000 /dev/zero > "$MNT/filler" 2>/dev/null || true
	cp "$(inbox alice)" "$T/before"
	out=$(printf 'USER alice\r\nPASS %s\r\nDELE 1\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies || true)
	[ "$(echo "$out" | tail -n 1)" = "-ERR [SYS/TEMP] some deleted messages not removed, try again" ]
	cmp "$T/before" "$(inbox alice)"
	rm "$MNT/filler"
	out=$(printf 'USER alice\r\nPASS %s\r\nDELE 1\r\nQUIT\r\n' "$ALICE_PW" | pop3 | replies)
	[ "$(echo "$out" | tail -n 1)" = "+OK facteur POP3 server signing off (1 messages left)" ]
}

@test "faults: client gone in the middle of a large FETCH: clean exit, nothing changed, lock free" {
	python3 -c 'import sys; sys.stdout.write("Subject: large\r\n\r\n" + "".join("line %07d\r\n" % i for i in range(400000)))' > "$T/large"
	deliver_file alice "$T/large" >/dev/null
	cp "$(inbox alice)" "$T/before"
	serve "$IMAPD"
	python3 - "$PORT" "$ALICE_PW" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"a LOGIN alice " + sys.argv[2].encode() + b"\r\nb EXAMINE INBOX\r\nc FETCH 1 BODY.PEEK[]\r\n")
	s.recv(200)
	s.close()
	PY
	sleep 0.5
	! pgrep -f "^$IMAPD -s $SPOOL" >/dev/null || false
	cmp "$T/before" "$(inbox alice)"
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc STORE 1 +FLAGS (\\Seen)\r\nd LOGOUT\r\n' "$ALICE_PW" | imap -L 2 | replies | grep -qx 'c OK STORE completed'
}

@test "faults: client gone in the middle of a large DATA over TCP: nothing stored, no lock" {
	serve "$SMTPD" -d "$DOMAIN"
	python3 - "$PORT" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.recv(100)
	s.sendall(b"HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n")
	s.sendall(b"x" * 200000)
	s.close()
	PY
	sleep 0.5
	! pgrep -f "^$SMTPD -s $SPOOL" >/dev/null || false
	[ ! -e "$(inbox alice)" ] || [ "$(count_messages "$(inbox alice)")" = 0 ]
	msg alice | smtp -L 2 | replies | grep -q '^250 2.0.0'
}
