#!/usr/bin/env bats
# A wrong flag is a start-up error: usage on standard error, exit 64
# (EX_USAGE), not one byte on standard output (the client's side).

load lib

setup() { T=$(mktemp -d /tmp/facteur-test.XXXXXX); }
teardown() { rm -rf "$T"; }

# usage PROG ARGS...: run with stdin closed, keep both sides apart.
usage() {
	local rc=0
	"$@" </dev/null >"$T/out" 2>"$T/err" || rc=$?
	echo "$rc"
}

@test "usage: an unknown flag exits 64 with usage on stderr, nothing to the client" {
	for prog in "$SMTPD" "$POP3D" "$IMAPD"; do
		[ "$(usage "$prog" -Z)" = 64 ]
		[ ! -s "$T/out" ]
		grep -q "^usage: $(basename "$prog") " "$T/err"
		grep -q "see $(basename "$prog")(8)" "$T/err"
	done
}

@test "usage: a missing or bad argument exits 64 too" {
	[ "$(usage "$POP3D" -t)" = 64 ]
	[ ! -s "$T/out" ]
	grep -q '^usage: pop3d ' "$T/err"
	[ "$(usage "$IMAPD" -k 12)" = 64 ]
	grep -qx "imapd: -k: '12' is not a number in \[1024, 2147483648\]" "$T/err"
	[ "$(usage "$SMTPD" -T 0)" = 64 ]
	grep -q "smtpd: -T: '0' is not a number" "$T/err"
	[ "$(usage "$SMTPD" extra-argument)" = 64 ]
}

@test "usage: each program lists its own flags and refuses the others'" {
	usage "$SMTPD" -Z >/dev/null
	for f in -H -A '-d domains' '-p postmaster' '-m msg-bytes' '-T data-secs'; do
		grep -qF -- "[$f]" "$T/err"
	done
	! grep -qF -- '-k ' "$T/err" || false
	usage "$IMAPD" -Z >/dev/null
	for f in '-m msg-bytes' '-k literal-bytes' '-P preauth-secs' '-B preauth-bad'; do
		grep -qF -- "[$f]" "$T/err"
	done
	! grep -qF -- '-d ' "$T/err" || false
	usage "$POP3D" -Z >/dev/null
	! grep -qF -- '-m ' "$T/err" || false
	# A letter another program takes is a wrong flag here.
	[ "$(usage "$POP3D" -d test.lan)" = 64 ]
	[ "$(usage "$IMAPD" -H)" = 64 ]
	[ "$(usage "$SMTPD" -k 2048)" = 64 ]
}
