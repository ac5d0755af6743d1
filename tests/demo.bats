#!/usr/bin/env bats
# make run as the README tells a newcomer: it serves, mail goes to alice and
# comes back, Ctrl-C (SIGINT) stops it and leaves nothing listening; a taken
# port stops it with the reason; a private checkout (as root in /root) works.

load lib

setup() {
	T=$(mktemp -d /tmp/facteur-test.XXXXXX)
	chmod 755 "$T"
	DEMO_PID=
	# six ports from a base nobody uses now
	for try in 1 2 3 4 5 6 7 8 9 10; do
		BASE=$(( 20000 + (RANDOM % 400) * 100 ))
		ports_free && break
	done
}
teardown() {
	# a demo that did not stop must not outlive the test (it would hold
	# the test runner's output open)
	if [ -n "$DEMO_PID" ]; then
		kill -TERM -- "-$DEMO_PID" 2>/dev/null
		sleep 0.5
		kill -KILL -- "-$DEMO_PID" 2>/dev/null
	fi
	sleep 0.2
	rm -rf "$T"
	[ -n "${PRIVATE_SPOOL:-}" ] && rm -rf "$PRIVATE_SPOOL"
	return 0
}

ports() { echo $((BASE + 1525)) $((BASE + 110)) $((BASE + 143)) $((BASE + 465)) $((BASE + 995)) $((BASE + 993)); }
ports_free() {
	local p
	for p in $(ports); do ss -Hltn "sport = :$p" | grep -q . && return 1; done
	return 0
}

# start_demo DIR [make args]: make run in its own process group (as a
# terminal runs it), wait for "serving" or its end.  SIGINT is set back to
# its default: a shell that runs commands in the background (as a CI job
# may have run this one) leaves them ignoring it, and a program started so
# cannot trap it.
start_demo() {
	local dir=$1; shift
	set -m
	env --default-signal=INT make -s -C "$dir" run PORT_BASE="$BASE" "$@" > "$T/out" 2>&1 3>&- &
	DEMO_PID=$!
	set +m
	for i in $(seq 1 200); do
		grep -q 'facteur demo: serving' "$T/out" && return 0
		kill -0 "$DEMO_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

password() { sed -n "s/^  $1@localhost   password //p" "$T/out"; }

stop_demo() {
	kill -INT -- "-$DEMO_PID"
	for i in $(seq 1 100); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$DEMO_PID" 2>/dev/null; then
		echo "make run still runs 10 s after SIGINT:"
		cat "$T/out"
		return 1
	fi
	DEMO_PID=
	grep -q 'facteur stopped' "$T/out"
	ports_free
}

send_and_read() {
	local spool=$1 pw
	pw=$(password alice)
	[ -n "$pw" ]
	printf 'Subject: demo\r\n\r\nhello from the demo test\r\n' > "$T/msg"
	swaks --silent 2 --server "127.0.0.1:$((BASE + 1525))" --from me@localhost --to alice@localhost \
		--data "$T/msg" >/dev/null
	printf 'USER alice\r\nPASS %s\r\nRETR 1\r\nQUIT\r\n' "$pw" | socat - "TCP:127.0.0.1:$((BASE + 110))" |
		grep -q 'hello from the demo test'
	curl -sS --cacert "$spool/.demo/cert.pem" "imaps://localhost:$((BASE + 993))/INBOX;UID=1" -u "alice:$pw" |
		grep -q 'hello from the demo test'
}

@test "make run: serves on every port, mail to alice comes back, SIGINT leaves nothing listening" {
	start_demo "$TOP" DEMO_SPOOL="$T/demo"
	for p in $(ports); do grep -q "on 127.0.0.1:$p\$" "$T/out"; done
	grep -q "openssl s_client -quiet -connect 127.0.0.1:$((BASE + 993))" "$T/out"
	send_and_read "$T/demo"
	stop_demo
	[ "$(count_messages "$T/demo/alice/INBOX")" = 1 ]
}

@test "make run: a port already taken stops it with the reason, exit non-zero, nothing left" {
	python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(); time.sleep(30)' \
		$((BASE + 143)) & holder=$!
	wait_port $((BASE + 143))
	run make -s -C "$TOP" run PORT_BASE="$BASE" DEMO_SPOOL="$T/demo"
	kill $holder
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"IMAP could not listen on 127.0.0.1:$((BASE + 143))"* ]]
	[[ "$output" == *"Address already in use"* ]]
	[[ "$output" != *"facteur demo: serving"* ]]
	sleep 0.3
	ports_free
}

@test "make run: as root from a private checkout, the spool goes where nobody can reach it" {
	[ "$(id -u)" = 0 ] || { echo "needs root"; return 1; }
	P=$T/root-home/facteur
	mkdir -p "$P/tests" "$P/mbox"
	chmod 700 "$T/root-home"
	cp "$TOP/Makefile" "$TOP/tests/run-demo" "$P/" && mv "$P/run-demo" "$P/tests/"
	# every part of the tree the build reads, as links into this checkout
	for d in "$TOP"/*/; do
		d=$(basename "$d")
		case $d in tests|mbox) ;; *) ln -s "$TOP/$d" "$P/$d" ;; esac
	done
	for d in tests/helpers tests/fuzz; do ln -s "$TOP/$d" "$P/$d"; done
	start_demo "$P"
	PRIVATE_SPOOL=$(sed -n 's/^make run: user nobody cannot reach .*; the demo spool is //p' "$T/out")
	[[ "$PRIVATE_SPOOL" == /var/tmp/facteur-demo-* ]]
	send_and_read "$PRIVATE_SPOOL"
	stop_demo
}
