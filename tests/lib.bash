# Shared setup for the bats suites: a scratch spool per test, users, and
# ways to run the programs piped or over TCP.
# shellcheck shell=bash

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
SMTPD=$TOP/smtpd/smtpd
POP3D=$TOP/pop3d/pop3d
IMAPD=$TOP/imapd/imapd
MKHASH=$TOP/tests/helpers/mkhash
MBOXCHECK=$TOP/tests/helpers/mboxcheck
HOST=mx.test
DOMAIN=test.lan

# Passwords of the test users.
ALICE_PW=alice-secret
BOB_PW=bob-secret

# Each test gets a directory under /tmp that the service user can traverse
# (a spool under a private directory would be unreachable once the programs
# leave root for the spool's owner).
setup_spool() {
	T=$(mktemp -d /tmp/facteur-test.XXXXXX)
	chmod 755 "$T"
	# a home of its own: no ~/.netrc, ~/.muttrc or ~/.mbsyncrc of the one
	# who runs the suite gets in, and programs that need $HOME find one
	export HOME=$T
	SPOOL=$T/spool
	USERS=$T/users
	LOG=$T/log
	mkdir "$SPOOL"
	: > "$LOG"
	{
		echo "# test users"
		echo "alice:$(users_hash alice)"
		echo "bob:$(users_hash bob)"
		echo "carol:$(users_hash carol)"
	} > "$USERS"
	if [ "$(id -u)" = 0 ]; then
		chown nobody:nogroup "$SPOOL"
	fi
	SERVER_PIDS=()
	# Under make SANITIZE=1, reports go to files that teardown checks: a
	# leak found at exit must fail the test even when the replies were right.
	mkdir -m 1777 "$T/san"
	export ASAN_OPTIONS="log_path=$T/san/asan:detect_leaks=${FACTEUR_LEAKS:-1}:abort_on_error=0"
	export UBSAN_OPTIONS="log_path=$T/san/ubsan:print_stacktrace=1:halt_on_error=1"
	# make memcheck: the piped sessions run under valgrind, reports likewise
	WRAP=()
	if [ -n "${FACTEUR_MEMCHECK:-}" ]; then
		WRAP=(valgrind -q --vgdb=no --error-exitcode=0 --leak-check=full
		      --show-leak-kinds=definite --errors-for-leak-kinds=definite
		      --log-file="$T/san/valgrind.%p")
	fi
}

# Hashes are made once per run: crypt is slow on purpose.
users_hash() {
	local cache=${BATS_RUN_TMPDIR:-/tmp}/facteur-hash-$1
	if [ ! -s "$cache" ]; then
		local pw
		case $1 in alice) pw=$ALICE_PW ;; bob) pw=$BOB_PW ;; *) pw=$1-secret ;; esac
		"$MKHASH" "$pw" > "$cache"
	fi
	cat "$cache"
}

teardown_spool() {
	local pid
	for pid in "${SERVER_PIDS[@]:-}"; do
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	done
	for pid in "${SERVER_PIDS[@]:-}"; do
		[ -n "$pid" ] && wait "$pid" 2>/dev/null
	done
	local reports
	# valgrind leaves an empty file when it has nothing to say
	find "$T/san" -type f -empty -delete 2>/dev/null
	reports=$(ls "$T/san" 2>/dev/null)
	if [ -n "$reports" ]; then
		cat "$T"/san/* >&2
		rm -rf "$T"
		return 1
	fi
	[ -n "${T:-}" ] && rm -rf "$T"
	return 0
}

# strace, with leak checking off: LeakSanitizer cannot run under ptrace.
traced() { ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace "$@"; }

# LF-to-CRLF for transcripts written as here-documents.
crlf() { sed 's/$/\r/'; }

# smtp [flags...] < transcript : run smtpd on a piped session.
smtp() {
	"${WRAP[@]}" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" -D 0 "$@"
}
pop3() {
	"${WRAP[@]}" "$POP3D" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -D 0 "$@"
}
imap() {
	"${WRAP[@]}" "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -D 0 "$@"
}

# same_login_time KNOWN UNKNOWN NONE: the three are functions that run one
# session each: a wrong password for alice, a login as an unknown user, no
# login at all.  A failed login must cost the same whether the user exists
# or not (an unknown one is checked against a real hash).  Alice's hash is
# made costly first (the first hash in the file is the one unknown users
# are checked against), so that a skipped hash would stand far above the
# noise of a loaded machine.  The three run in turn 7 times; the median of
# the known-minus-unknown differences must be under half the hash's cost,
# the median of the known-minus-no-login ones (pairs taken close together
# cancel what a slowly changing load adds to both).
same_login_time() {
	local d=() c=() i k u n diff cost hash=${BATS_RUN_TMPDIR:-/tmp}/facteur-hash-alice-costly
	[ -s "$hash" ] || "$MKHASH" "$ALICE_PW" '$6$' 500000 > "$hash"	# made once per run
	sed -i "s|^alice:.*|alice:$(cat "$hash")|" "$USERS"
	for i in 1 2 3 4 5 6 7; do
		k=$(session_us "$1") u=$(session_us "$2") n=$(session_us "$3")
		d+=($((k - u))) c+=($((k - n)))
	done
	diff=$(median "${d[@]}") cost=$(median "${c[@]}")
	echo "known - unknown: ${d[*]} us (median $diff); known - no login: ${c[*]} us (median $cost)"
	diff=${diff#-}
	[ "$cost" -gt 20000 ]
	[ "$diff" -lt $((cost / 2)) ]
}
session_us() { local s e; s=$(date +%s%N); "$1" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# The replies of a piped session, CRs removed, one per line.
replies() { tr -d '\r'; }

inbox() { echo "$SPOOL/$1/INBOX"; }

# Number of messages in a mailbox (0 when it does not exist).
count_messages() {
	local f=$1
	[ -f "$f" ] || { echo 0; return; }
	"$MBOXCHECK" "$f" | sed -n 's/ messages$//p'
}

# A free loopback port.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve PROG [flags...]: start PROG under systemd-socket-activate (one
# process per connection) on a free loopback port; sets PORT.  Servers
# started in the background close fd 3, bats' report: one left behind by a
# failed test must not keep the whole run from ending.
serve() {
	local prog=$1; shift
	PORT=$(free_port)
	systemd-socket-activate --inetd -a -l "127.0.0.1:$PORT" \
		"$prog" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -D 0 "$@" \
		>/dev/null 2>"$T/activate.err" 3>&- &
	SERVER_PIDS+=($!)
	wait_port "$PORT"
}

wait_port() {
	local i
	for i in $(seq 1 100); do
		if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	echo "port $1 never opened" >&2
	return 1
}

# Deliver one message from a file (LF lines) to a user with a piped session.
deliver_file() {
	local user=$1 file=$2
	{
		printf 'EHLO client.test\r\nMAIL FROM:<sender@remote.test>\r\nRCPT TO:<%s@%s>\r\nDATA\r\n' "$user" "$DOMAIN"
		sed -e 's/\r$//' -e 's/^\./../' -e 's/$/\r/' "$file"
		printf '.\r\nQUIT\r\n'
	} | smtp
}

# A client on a non-loopback address: a network namespace joined to this one
# by a veth pair, HOST_ADDR here and NS_ADDR there.  Sets NS; remove_netns
# (call it in teardown) deletes both.  Addresses from a /24 no host uses,
# one per bats process so that parallel suites do not collide.
make_netns() {
	local n=$(( $$ % 250 + 2 ))
	NS=facteur-t$$ VETH=vf$$
	HOST_ADDR=10.231.$n.1 NS_ADDR=10.231.$n.2
	ip netns add "$NS"
	ip link add "${VETH}a" type veth peer name "${VETH}b"
	ip link set "${VETH}b" netns "$NS"
	ip addr add "$HOST_ADDR/24" dev "${VETH}a"
	ip link set "${VETH}a" up
	ip -n "$NS" addr add "$NS_ADDR/24" dev "${VETH}b"
	ip -n "$NS" link set "${VETH}b" up
	ip -n "$NS" link set lo up
}
remove_netns() {
	[ -n "${NS:-}" ] || return 0
	ip link del "${VETH}a" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	NS=
}
# wait_addr_port ADDR PORT: like wait_port, for a non-loopback listener.
wait_addr_port() {
	local i
	for i in $(seq 1 100); do
		ss -Hltn "sport = :$2" | grep -q "$1:$2" && return 0
		sleep 0.05
	done
	echo "$1:$2 never opened" >&2
	return 1
}
