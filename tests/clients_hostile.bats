#!/usr/bin/env bats
# The clients against a scripted hostile server (tests/helpers/fakeserver.py):
# over-long lines (one byte over each bound, and exactly at it), replies
# that never end, a literal longer or shorter than announced, a connection
# cut in the middle of a message.  Each ends with a clear error and status,
# never a crash or a hang, and popxfer and imapdrain delete nothing they did
# not deliver or print.

load lib
load helpers/clients

setup() { setup_clients; }
teardown() { teardown_spool; }

fake() { echo "$FAKE $1 $T/fake.log"; }

@test "hostile: a reply line one byte over -l is refused; one at -l is read" {
	FAKE_LEN=101 run "$POPLS" -l 100 -c "$(fake pop3-longline)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	[[ "$output" == *"POP3 server sent more than the limit (-l 100"* ]]
	FAKE_LEN=100 run "$POPLS" -l 100 -c "$(fake pop3-longline)" -u a -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	FAKE_LEN=65 run "$SMTPSEND" -l 64 -c "$(fake smtp-longline)" a@b <<< "x"
	[ "$status" -eq "$EX_PROTOCOL" ]
	FAKE_LEN=64 run "$SMTPSEND" -l 64 -c "$(fake smtp-longline)" a@b <<< "x"
	[ "$status" -eq 0 ]
	FAKE_LEN=201 run "$IMAPDRAIN" -l 200 -c "$(fake imap-longline)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	! grep -q STORE "$T/fake.log" || false
}

@test "hostile: multi-line replies that never end stop at -R lines" {
	run timeout 20 "$SMTPSEND" -R 1000 -c "$(fake smtp-endless)" a@b <<< "x"
	[ "$status" -eq "$EX_PROTOCOL" ]
	[[ "$output" == *"more than 1000 lines"* ]]
	run timeout 20 "$POPLS" -R 1000 -c "$(fake pop3-endless)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	run timeout 20 "$IMAPDRAIN" -R 1000 -c "$(fake imap-endless)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	! grep -q STORE "$T/fake.log" || false
}

@test "hostile: a message that never ends stops at -m bytes, nothing deleted" {
	run timeout 20 "$POPXFER" -m 100000 -c "$(fake pop3-endless-retr)" -u a -p "$T/alice.pw" \
		-C "$SMTP_CMD" -F "$T/state" -d "bob@$DOMAIN"
	[ "$status" -eq "$EX_PROTOCOL" ]
	! grep -q DELE "$T/fake.log" || false
	[ "$(count_messages "$(inbox bob)")" = 0 ]
	[ ! -s "$T/state" ]
}

@test "hostile: POP3 connection cut mid-message: popxfer sends and deletes nothing" {
	run timeout 20 "$POPXFER" -c "$(fake pop3-cut)" -u a -p "$T/alice.pw" \
		-C "$SMTP_CMD" -F "$T/state" -d "bob@$DOMAIN"
	[ "$status" -eq "$EX_TEMPFAIL" ]
	[[ "$output" == *"closed the connection"* ]]
	grep -q '^RETR 1' "$T/fake.log"
	! grep -q DELE "$T/fake.log" || false
	[ "$(count_messages "$(inbox bob)")" = 0 ]
	[ ! -s "$T/state" ]
}

@test "hostile: IMAP literal longer than announced: error, nothing deleted" {
	run timeout 20 "$IMAPDRAIN" -c "$(fake imap-literal)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	grep -q 'UID FETCH 7' "$T/fake.log"
	! grep -q -e STORE -e EXPUNGE "$T/fake.log" || false
}

@test "hostile: IMAP literal shorter than announced: timeout, nothing deleted" {
	run timeout 20 "$IMAPDRAIN" -w 1 -c "$(fake imap-short)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_TEMPFAIL" ]
	[[ "$output" == *"within 1 seconds"* ]]
	! grep -q -e STORE -e EXPUNGE "$T/fake.log" || false
}

@test "hostile: IMAP connection cut mid-literal: nothing printed, nothing deleted" {
	run timeout 20 "$IMAPDRAIN" -c "$(fake imap-cut)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_TEMPFAIL" ]
	[[ "$output" != *"From "* ]]
	! grep -q -e STORE -e EXPUNGE "$T/fake.log" || false
}

@test "hostile: a literal over -m is refused before it is read" {
	run timeout 20 "$IMAPDRAIN" -m 10 -c "$(fake imap)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	! grep -q STORE "$T/fake.log" || false
	# the same server within bounds: printed, then deleted by UID
	run timeout 20 "$IMAPDRAIN" -c "$(fake imap)" -u a -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" == *"body line"* ]]
	grep -q 'UID STORE 7 +FLAGS.SILENT (\\Deleted)' "$T/fake.log"
	grep -q 'UID EXPUNGE 7' "$T/fake.log"
	! grep -q ' EXPUNGE$' "$T/fake.log" || false
}

@test "hostile: SMTP server that never answers: timeout -w" {
	run timeout 20 "$SMTPSEND" -w 1 -c "sleep 10" a@b <<< "x"
	[ "$status" -eq "$EX_TEMPFAIL" ]
	[[ "$output" == *"no reply from SMTP server within 1 seconds"* ]]
}

@test "hostile: without UIDPLUS, no EXPUNGE while others' messages are marked \\Deleted" {
	run timeout 20 "$IMAPDRAIN" -c "$(fake imap-nouidplus)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_TEMPFAIL" ]
	[[ "$output" == *"body line"* ]]
	[[ "$output" == *"not expunged"* ]]
	grep -q 'UID STORE 7 ' "$T/fake.log"
	grep -q 'UID SEARCH DELETED' "$T/fake.log"
	! grep -q 'EXPUNGE' "$T/fake.log" || false
}

@test "imapdrain: capabilities asked for when the greeting has none; AUTHENTICATE waits for + without SASL-IR" {
	run timeout 20 "$IMAPDRAIN" -v -c "$(fake imap-nocaps)" -u a -p "$T/alice.pw"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"body line"* ]]
	# CAPABILITY, then the command alone, then the response as its own line
	[ "$(sed -n '1s/^a1 //p;2s/^a2 //p' "$T/fake.log" | tr -d '\r')" = "$(printf 'CAPABILITY\nAUTHENTICATE PLAIN')" ]
	[ "$(sed -n 3p "$T/fake.log" | tr -d '\r' | base64 -d | tr '\0' :)" = ":a:$(cat "$T/alice.pw")" ]
	! grep -q '^a[0-9]* LOGIN' "$T/fake.log" || false
	# the transcript shows the exchange, never the secret
	[[ "$output" == *"+ "* ]]
	[[ "$output" != *"$(sed -n 3p "$T/fake.log" | tr -d '\r')"* ]]
}

@test "hostile: a response of IMAP_RESP_LITERALS_MAX (16) literals is read; one more is refused, nothing deleted" {
	FAKE_LITS=16 run timeout 20 "$IMAPDRAIN" -c "$(fake imap-literals)" -u a -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" == *"body line"* ]]
	grep -q 'UID STORE 7' "$T/fake.log"
	rm "$T/fake.log"
	FAKE_LITS=17 run timeout 20 "$IMAPDRAIN" -c "$(fake imap-literals)" -u a -p "$T/alice.pw"
	[ "$status" -eq "$EX_PROTOCOL" ]
	[[ "$output" == *"more than 16 literals in one response"* ]]
	! grep -q -e STORE -e EXPUNGE "$T/fake.log" || false
}

@test "hostile: smtpsend -t takes HDR_RCPT_MAX (1000) recipients from the header; one more is refused before connecting" {
	{
		printf 'To: u1@example.test'
		for i in $(seq 2 1000); do printf ',\n u%d@example.test' "$i"; done
		printf '\nSubject: many\n\nhi\n'
	} > "$T/m1000"
	run timeout 20 "$SMTPSEND" -t -c "$(fake smtp)" < "$T/m1000"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^RCPT TO:<u[0-9]*@example.test>' "$T/fake.log")" = 1000 ]
	rm "$T/fake.log"
	sed '1s/^To: /To: u1001@example.test, /' "$T/m1000" > "$T/m1001"
	run timeout 20 "$SMTPSEND" -t -c "$(fake smtp)" < "$T/m1001"
	[ "$status" -eq "$EX_DATAERR" ]
	[[ "$output" == *"more than 1000 recipients"* ]]
	[ ! -e "$T/fake.log" ]
}
