#!/usr/bin/env bats
# smtpd under faults: locks held by others, replaced files, write failures,
# unwritable and linked mailboxes, kill -9.  Nothing is ever lost or half
# written, and 250 is only said once the message is on disk.

load lib

setup() { setup_spool; }
teardown() { teardown_spool; }

LOCKHOLD=$BATS_TEST_DIRNAME/helpers/lockhold.py

msg() { printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<%s@test.lan>\r\nDATA\r\nSubject: %s\r\n\r\nbody\r\n.\r\nQUIT\r\n' "$1" "$2"; }

# A mailbox with one message, owned by the service user.
seed() {
	msg "$1" seed | smtp >/dev/null
	[ "$(count_messages "$(inbox "$1")")" = 1 ]
}

@test "faults: a lock held longer than -L gives 451, and delivery works once released" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	python3 "$LOCKHOLD" "$(inbox alice)" 4 > "$T/held" &
	holder=$!
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	start=$(date +%s)
	out=$(msg alice busy | smtp -L 1 | replies)
	[ $(( $(date +%s) - start )) -le 3 ]
	echo "$out" | grep -qx '451 4.2.0 Mailbox busy, try again later'
	cmp "$T/before" "$(inbox alice)"
	wait "$holder"
	msg alice later | smtp -L 1 | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 2 ]
}

@test "faults: delivery waits for a short lock and then succeeds" {
	seed alice
	python3 "$LOCKHOLD" "$(inbox alice)" 1 > "$T/held" &
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	msg alice waited | smtp -L 10 | replies | grep -q '^250 2.0.0'
	wait
	[ "$(count_messages "$(inbox alice)")" = 2 ]
}

@test "faults: a file renamed over the mbox while smtpd waits gets the message" {
	seed alice
	printf 'From x@y Mon Jan  5 10:00:00 2026\nSubject: replacement\n\nnew file\n\n' > "$T/new"
	[ "$(id -u)" != 0 ] || chown nobody:nogroup "$T/new"
	mv "$T/new" "$SPOOL/alice/.replacement"
	python3 "$LOCKHOLD" "$(inbox alice)" 1 "$SPOOL/alice/.replacement" > "$T/held" &
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	msg alice raced | smtp -L 10 | replies | grep -q '^250 2.0.0'
	wait
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	grep -q '^Subject: replacement' "$(inbox alice)"
	grep -q '^Subject: raced' "$(inbox alice)"
	! grep -q '^Subject: seed' "$(inbox alice)" || false
}

@test "faults: a write failure (RLIMIT_FSIZE) gives 452 and the mailbox stays byte-identical" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	size=$(stat -c %s "$(inbox alice)")
	# a fresh log, so that the log's own writes stay under the limit
	out=$(msg alice toolarge | prlimit --fsize=$((size + 100)) "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$T/log2" -n "$HOST" -d "$DOMAIN" | replies)
	echo "$out" | grep -qx '452 4.3.1 Insufficient system storage'
	cmp "$T/before" "$(inbox alice)"
	[ ! -e "$SPOOL/alice/.INBOX.pending" ]
	grep -q 'delivery failed: File too large' "$T/log2"
}

@test "faults: write failures at many offsets never change the mailbox" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	size=$(stat -c %s "$(inbox alice)")
	# every limit between the old size and the end of the new message
	for extra in 1 2 5 20 40 60 100 150 200 $((size - 20)) $((size - 2)); do
		out=$(msg alice "offset $extra" | prlimit --fsize=$((size + extra)) "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" | replies)
		echo "$out" | grep -q '^452 4.3.1'
		cmp "$T/before" "$(inbox alice)"
	done
}

@test "faults: with two recipients, a failure at the second leaves both unchanged" {
	seed alice
	seed bob
	cp "$(inbox alice)" "$T/alice.before"
	cp "$(inbox bob)" "$T/bob.before"
	chmod 444 "$(inbox bob)"
	out=$(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nRCPT TO:<bob@test.lan>\r\nDATA\r\nboth or none\r\n.\r\nQUIT\r\n' | smtp | replies)
	echo "$out" | grep -qx '451 4.3.0 Error: local error in processing'
	cmp "$T/alice.before" "$(inbox alice)"
	cmp "$T/bob.before" "$(inbox bob)"
}

@test "faults: a symlinked or hard-linked mbox is refused and its target untouched" {
	mkdir -p "$SPOOL/alice"
	printf 'precious\n' > "$T/target"
	ln -s "$T/target" "$SPOOL/alice/INBOX"
	[ "$(id -u)" != 0 ] || chown -h nobody:nogroup "$SPOOL/alice" "$SPOOL/alice/INBOX"
	msg alice viasymlink | smtp | replies | grep -qx '451 4.3.0 Error: local error in processing'
	[ "$(cat "$T/target")" = precious ]
	rm "$SPOOL/alice/INBOX"
	seed bob
	ln "$(inbox bob)" "$SPOOL/alice/INBOX"
	msg alice viahardlink | smtp | replies | grep -qx '451 4.3.0 Error: local error in processing'
	[ "$(count_messages "$(inbox bob)")" = 1 ]
}

@test "faults: a symlinked user directory is refused" {
	mkdir "$T/elsewhere"
	[ "$(id -u)" != 0 ] || chown nobody:nogroup "$T/elsewhere"
	ln -s "$T/elsewhere" "$SPOOL/alice"
	msg alice viadirlink | smtp | replies | grep -qx '451 4.3.0 Error: local error in processing'
	[ -z "$(ls -A "$T/elsewhere")" ]
}

@test "faults: kill -9 during DATA leaves nothing behind" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	mkfifo "$T/in"
	smtp < "$T/in" > "$T/out" &
	pid=$!
	exec 7> "$T/in"
	printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\nSubject: killed\r\n\r\n' >&7
	head -c 200000 /dev/zero | tr '\0' 'k' >&7
	sleep 0.3
	kill -9 "$pid"
	exec 7>&-
	wait "$pid" || true
	cmp "$T/before" "$(inbox alice)"
	msg alice after | smtp -L 2 | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 2 ]
}

@test "faults: kill -9 in the middle of the append leaves no partial message" {
	seed alice
	cp "$(inbox alice)" "$T/before"
	# Slow the append down so that SIGKILL lands inside it: each write to the
	# mbox waits 0.5 s, and the kill comes after the first one.
	python3 -c 'import sys; sys.stdout.write("HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nDATA\r\n" + "x" * 70 + "\r\n" + "".join("line %d\r\n" % i for i in range(30000)) + ".\r\nQUIT\r\n")' > "$T/session"
	traced -f -o /dev/null -e inject=write:delay_enter=500000:when=3+ \
		"$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" < "$T/session" > "$T/out" &
	tracer=$!
	before=$(stat -c %s "$T/before")
	# kill as soon as part of the message is in the file
	for i in $(seq 200); do
		[ -e "$SPOOL/alice/.INBOX.pending" ] && [ "$(stat -c %s "$(inbox alice)")" -gt "$before" ] && break
		sleep 0.05
	done
	pkill -9 -f "^$SMTPD -s $SPOOL" || true
	wait "$tracer" || true
	[ -e "$SPOOL/alice/.INBOX.pending" ]
	[ "$(stat -c %s "$(inbox alice)")" -gt "$before" ]
	! grep -q '^250 2.0.0' "$T/out" || false
	# the file may hold part of the message until the next lock holder cleans up
	msg alice next | smtp | replies | grep -q '^250 2.0.0'
	[ "$(count_messages "$(inbox alice)")" = 2 ]
	"$MBOXCHECK" "$(inbox alice)"
	! grep -q '^line 0$' "$(inbox alice)" || false
	[ ! -e "$SPOOL/alice/.INBOX.pending" ]
	[ "$(head -c "$(stat -c %s "$T/before")" "$(inbox alice)" | cmp - "$T/before" && echo same)" = same ]
}

@test "faults: 250 comes only after fsync of every recipient" {
	traced -f -s 256 -o "$T/trace" -e trace=fdatasync,fsync,write \
		"$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" \
		< <(printf 'HELO c\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<alice@test.lan>\r\nRCPT TO:<bob@test.lan>\r\nDATA\r\nsync me\r\n.\r\nQUIT\r\n') > "$T/out"
	syncs=$(grep -n 'fdatasync(' "$T/trace" | cut -d: -f1 | tr '\n' ' ')
	reply=$(grep -n 'write(1, .*250 2.0.0 Ok: delivered' "$T/trace" | cut -d: -f1)
	[ -n "$reply" ]
	[ "$(echo $syncs | wc -w)" -ge 2 ]
	for l in $syncs; do [ "$l" -lt "$reply" ]; done
}
