#!/usr/bin/env bats
# The torture run (tests/torture/torture.py): every program at once on one
# spool, processes killed at random, then the invariants.  `make torture`
# runs it longer (TORTURE_SECONDS, 60 by default).

@test "torture: 50 SMTP, 10 POP3 and 10 IMAP sessions with kill -9: no invariant violated" {
	run timeout 600 python3 "$BATS_TEST_DIRNAME/torture/torture.py" "$BATS_TEST_DIRNAME/.." "${TORTURE_SECONDS:-15}"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q ', 0 invariant violations$'
	# it did work: messages went through and processes were killed
	echo "$output" | grep -Eq ', [1-9][0-9]* messages accepted'
	echo "$output" | grep -Eq ', [1-9][0-9]* processes killed'
}
