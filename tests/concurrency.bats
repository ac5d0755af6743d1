#!/usr/bin/env bats
# Several sessions on one mailbox at once (tests/concurrency/): the expunge
# race and a stress run in the manner of imaptest's.  `make torture` runs
# them longer (CONCURRENCY_SECONDS).  Then what one session sees of
# another's changes, as transcripts.

load lib

setup() {
	setup_spool
	for i in 1 2 3; do
		printf 'From: s%d@remote.test\r\nSubject: message %d\r\n\r\nbody %d\r\n' "$i" "$i" "$i" > "$T/m$i"
		deliver_file alice "$T/m$i" >/dev/null
	done
}
teardown() { teardown_spool; }

session() {
	{ printf 'L LOGIN alice %s\r\n' "$ALICE_PW"; printf '%s\r\n' "$@"; printf 'Z LOGOUT\r\n'; } | imap | replies
}

# watch LINES... : session A selects INBOX; then session B runs $OTHER;
# then A runs LINES.  A's replies are in $T/out.
watch() {
	mkfifo "$T/in"
	imap < "$T/in" > "$T/out" &
	local pid=$!
	exec 7> "$T/in"
	printf 'L LOGIN alice %s\r\na SELECT INBOX\r\n' "$ALICE_PW" >&7
	for i in $(seq 100); do grep -q '^a OK' "$T/out" 2>/dev/null && break; sleep 0.05; done
	session "${OTHER[@]}" > /dev/null
	printf '%s\r\n' "$@" 'Z LOGOUT' >&7
	exec 7>&-
	wait "$pid"
	out=$(replies < "$T/out")
}

@test "concurrency: STORE on a message another session expunged stores the others and answers OK (RFC 2180 4.2, as Dovecot)" {
	OTHER=('x SELECT INBOX' 'y STORE 1 +FLAGS (\Deleted)' 'z EXPUNGE')
	watch 'b STORE 1:3 +FLAGS (\Flagged)' 'c NOOP' 'd FETCH 1:* (FLAGS)'
	echo "$out" | grep -qx 'b OK STORE completed'
	# no EXPUNGE during STORE; the two left are stored; then NOOP tells
	[ "$(echo "$out" | sed -n '/^a OK/,/^b OK/p' | grep -c 'EXPUNGE')" -eq 0 ]
	echo "$out" | sed -n '/^a OK/,/^b OK/p' | grep -qx '\* 2 FETCH (FLAGS (\\Flagged \\Recent))'
	echo "$out" | sed -n '/^a OK/,/^b OK/p' | grep -qx '\* 3 FETCH (FLAGS (\\Flagged \\Recent))'
	[ "$(echo "$out" | sed -n '/^b OK/,/^c OK/p' | grep 'EXPUNGE')" = '* 1 EXPUNGE' ]
	[ "$(echo "$out" | sed -n '/^c OK/,/^d OK/p' | grep -c 'FLAGS (\\Flagged')" -eq 2 ]
}

@test "concurrency: a keyword another session added is announced by FLAGS and PERMANENTFLAGS before a FETCH shows it" {
	OTHER=('x SELECT INBOX' 'y STORE 2 +FLAGS ($Label1)')
	watch 'b FETCH 2 (FLAGS)'
	seen=$(echo "$out" | sed -n '/^a OK/,/^b OK/p')
	echo "$seen" | grep -qx '\* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)'
	echo "$seen" | grep -q '^\* OK \[PERMANENTFLAGS (.*$Label1 \\\*)\]'
	echo "$seen" | grep -qx '\* 2 FETCH (FLAGS ($Label1 \\Recent))'
	[ "$(echo "$seen" | grep -n '^\* FLAGS' | cut -d: -f1)" -lt "$(echo "$seen" | grep -n 'FETCH' | head -1 | cut -d: -f1)" ]
}

@test "concurrency: EXPUNGE removes exactly the \\Deleted message while smtpd, pop3d and another imapd work on the mailbox" {
	run timeout 300 python3 "$BATS_TEST_DIRNAME/concurrency/expunge_race.py" "$BATS_TEST_DIRNAME/.." "${CONCURRENCY_SECONDS:-12}"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^[0-9]+ rounds, [0-9]+ delivered, [0-9]+ expunged, 0 errors$'
	# it raced: hundreds of rounds
	echo "$output" | grep -Eq '^[0-9]{3,} rounds'
}

@test "concurrency: 8 imapd sessions APPEND, FETCH, STORE and EXPUNGE on one INBOX: every reply OK, content fixed per UID, UIDVALIDITY stable" {
	run timeout 300 python3 "$BATS_TEST_DIRNAME/concurrency/stress.py" "$BATS_TEST_DIRNAME/.." "${CONCURRENCY_SECONDS:-8}" 8
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^[0-9]+ commands, [0-9]+ appended, [0-9]+ expunged, 0 errors$'
	echo "$output" | grep -Eq '^[0-9]{4,} commands, [0-9]{2,} appended, [0-9]{2,} expunged'
}
