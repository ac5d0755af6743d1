#!/usr/bin/env bats
# Several sessions on one mailbox at once (tests/concurrency/): the expunge
# race and a stress run in the manner of imaptest's.  `make torture` runs
# them longer (CONCURRENCY_SECONDS).

@test "concurrency: EXPUNGE removes exactly the \\Deleted message while smtpd, pop3d and another imapd work on the mailbox" {
	run timeout 300 python3 "$BATS_TEST_DIRNAME/concurrency/expunge_race.py" "$BATS_TEST_DIRNAME/.." "${CONCURRENCY_SECONDS:-12}"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -Eq '^[0-9]+ rounds, [0-9]+ delivered, [0-9]+ expunged, 0 errors$'
	# it raced: hundreds of rounds
	echo "$output" | grep -Eq '^[0-9]{3,} rounds'
}
