#!/usr/bin/env bats
# popxfer's promise under kill -9: runs killed at random moments, again and
# again for CLIENTS_KILL_SECONDS (default 15), then one run to the end.
# Every message must arrive (lost = 0), and a message is sent again only
# when a run died between the SMTP server's 250 and the state file's
# fsync: at most one per kill.  The figures go to the TAP output.

load lib
load helpers/clients

setup() { setup_clients; }
teardown() { teardown_spool; }

BATCH=100

# seed FIRST: messages k<FIRST>..k<FIRST+BATCH-1> to alice, one session.
seed() {
	local i
	{
		printf 'EHLO client.test\r\n'
		for i in $(seq "$1" $(($1 + BATCH - 1))); do
			printf 'MAIL FROM:<s@remote.test>\r\nRCPT TO:<alice@%s>\r\nDATA\r\n' "$DOMAIN"
			printf 'Message-ID: <k%d@test>\r\nSubject: k%d\r\n\r\n' "$i" "$i"
			for _ in $(seq $((RANDOM % 40))); do
				printf '%070d\r\n' "$i"
			done
			printf '.\r\n'
		done
		printf 'QUIT\r\n'
	} | smtp > /dev/null
}

xfer() {
	"$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" \
		-F "$T/state" -d "bob@$DOMAIN" 2>/dev/null
}

@test "popxfer: kill -9 at random moments loses nothing, sends again at most one per kill" {
	local secs=${CLIENTS_KILL_SECONDS:-15} seeded=0 runs=0 kills=0 end pid rc
	end=$(( $(date +%s) + secs ))
	seed 1; seeded=$BATCH
	while [ "$(date +%s)" -lt "$end" ]; do
		if [ "$(count_messages "$(inbox alice)")" = 0 ]; then
			seed $((seeded + 1)); seeded=$((seeded + BATCH))
		fi
		(exec "$POPXFER" -c "$POP3_CMD" -u alice -p "$T/alice.pw" -C "$SMTP_CMD" \
			-F "$T/state" -d "bob@$DOMAIN" 2>/dev/null) &
		pid=$!		# popxfer itself, not a shell around it
		sleep "0.$(printf '%03d' $((RANDOM % 300)))"
		kill -9 "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		[ "$rc" -eq 137 ] && kills=$((kills + 1))
		runs=$((runs + 1))
		sleep 0.05	# the servers see the end of their input and go
	done
	# one run to the end (a server of the killed run may hold the lock)
	for _ in 1 2 3 4 5; do xfer && break; sleep 1; done
	[ "$(count_messages "$(inbox alice)")" = 0 ]

	grep -o '^Message-ID: <k[0-9]*@test>' "$(inbox bob)" | sort | uniq -c > "$T/counts"
	got=$(wc -l < "$T/counts")
	lost=$((seeded - got))
	dup=$(awk '{ d += $1 - 1 } END { print d + 0 }' "$T/counts")
	most=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$T/counts")
	echo "# popxfer kill -9: $runs runs, $kills kills, $seeded messages, lost $lost, duplicated $dup" >&3
	[ "$kills" -gt 0 ]
	[ "$lost" -eq 0 ]
	[ "$dup" -le "$kills" ]
	[ "$most" -le 2 ]
}
