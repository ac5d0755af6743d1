#!/usr/bin/env bats
# facteur-user: add, passwd, lock, unlock, remove, list; the servers accept
# what it writes; atomic rewrites under a lock.

load lib

FU=$TOP/admin/facteur-user

setup() { setup_spool; }
teardown() { teardown_spool; }

fu() { "$FU" -a "$USERS" -s "$SPOOL" "$@"; }
pop_login() { printf 'USER %s\r\nPASS %s\r\nQUIT\r\n' "$1" "$2" | pop3 -F 0 | replies | sed -n 3p; }

@test "admin: add from standard input makes a yescrypt user the servers accept, with a mailbox directory" {
	echo 'dave pass' | fu add dave
	grep -q '^dave:\$y\$' "$USERS"
	[ "$(pop_login dave 'dave pass')" = "+OK dave has 0 messages (0 octets)" ]
	[ -d "$SPOOL/dave" ]
	[ "$(stat -c %a "$SPOOL/dave")" = 700 ]
	[ "$(stat -c %U "$SPOOL/dave")" = "$(stat -c %U "$SPOOL")" ]
	# comments and the other users are kept, in order
	[ "$(head -1 "$USERS")" = "# test users" ]
	[ "$(fu list | tr '\n' ' ')" = "alice bob carol dave " ]
	run fu add dave </dev/null
	[ "$status" = 1 ]
	[[ "$output" == *"already exists"* ]]
}

@test "admin: on a terminal the password is asked twice, without echo; a mismatch changes nothing" {
	before=$(cat "$USERS")
	# typed after the prompt: what a pty got before would be echoed by it
	slowly() { sleep 0.5; echo "$1"; sleep 0.3; echo "$2"; sleep 0.3; }
	run script -qec "$FU -a $USERS -s $SPOOL passwd bob" /dev/null < <(slowly new-one new-two)
	[ "$status" = 1 ]
	[[ "$output" == *"the passwords differ"* ]]
	[[ "$output" != *new-one* ]]
	[ "$(cat "$USERS")" = "$before" ]
	script -qec "$FU -a $USERS -s $SPOOL passwd bob" /dev/null < <(slowly new-one new-one)
	[ "$(pop_login bob new-one)" = "+OK bob has 0 messages (0 octets)" ]
	[ "$(pop_login bob "$BOB_PW")" = "-ERR [AUTH] authentication failed" ]
}

@test "admin: lock refuses the login and keeps the password for unlock; remove keeps the mail" {
	deliver_file alice "$TOP/tests/data/nested.eml"
	fu lock alice
	fu lock alice
	[ "$(fu list | grep alice)" = "$(printf 'alice\tlocked')" ]
	[ "$(pop_login alice "$ALICE_PW")" = "-ERR [AUTH] authentication failed" ]
	fu unlock alice
	[[ "$(pop_login alice "$ALICE_PW")" == "+OK alice has 1 messages ("* ]]
	run fu remove alice
	[ "$status" = 0 ]
	[[ "$output" == *"the mail stays in $SPOOL/alice"* ]]
	! grep -q '^alice:' "$USERS" || false
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	run fu remove alice
	[ "$status" = 1 ]
}

@test "admin: names follow the servers' rule; a bad command prints usage and exits 64" {
	for bad in Alice 'a b' .hidden -x "$(printf 'a%.0s' $(seq 1 65))" ''; do
		run fu add "$bad" </dev/null
		[ "$status" = 1 ] || [ "$status" = 64 ]
	done
	run fu add "$(printf 'a%.0s' $(seq 1 64))" <<<pw
	[ "$status" = 0 ]
	run "$FU" frobnicate
	[ "$status" = 64 ]
	[[ "$output" == usage:* ]]
	# a password over PASSWORD_MAX (256) bytes could never log in: refused
	run fu add erin <<<"$(printf 'p%.0s' $(seq 1 257))"
	[ "$status" = 1 ]
	run fu add erin <<<"$(printf 'p%.0s' $(seq 1 256))"
	[ "$status" = 0 ]
}

@test "admin: concurrent changes are all kept, and a reader never sees a half-written file" {
	for i in $(seq 1 8); do echo "pw$i" | fu add "user$i" & done
	# a reader in the meantime: every version it sees holds alice
	for i in $(seq 1 50); do grep -q '^alice:' "$USERS" || echo torn >> "$T/torn"; done
	wait
	[ ! -e "$T/torn" ]
	[ "$(fu list | grep -c '^user')" = 8 ]
	[ -z "$(ls "$T" | grep 'users.tmp')" ]
}

@test "admin: an auth file over USERFILE_MAX (4 MiB) is refused, unchanged" {
	{ cat "$USERS"; head -c $((4 * 1024 * 1024 - $(stat -c %s "$USERS") - 1)) /dev/zero | tr '\0' '#'; echo; } > "$T/u"
	[ "$(stat -c %s "$T/u")" = $((4 * 1024 * 1024)) ]
	"$FU" -a "$T/u" list | grep -qx alice
	echo '#' >> "$T/u"
	cp "$T/u" "$T/u.before"
	run "$FU" -a "$T/u" -s "$SPOOL" add dave <<<pw
	[ "$status" = 1 ]
	[[ "$output" == *"over 4194304 bytes"* ]]
	cmp "$T/u" "$T/u.before"
}

@test "admin: an auth file of USERFILE_LINES (65536) lines is read, one line more is refused" {
	{ echo "alice:x"; yes '#' | head -n 65535; } > "$T/u"
	"$FU" -a "$T/u" list | grep -qx alice
	echo '#' >> "$T/u"
	run "$FU" -a "$T/u" list
	[ "$status" = 1 ]
	[[ "$output" == *"over 65536 lines"* ]]
}
