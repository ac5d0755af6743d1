#!/usr/bin/env bats
# Several hosts on one spool behind HAProxy (tests/multihost/net builds the
# network namespaces, multihost.py runs the load): the torture invariants
# hold through the balancer and through a host stopped and started again,
# and each host's IDLE sees what another host delivered.  Needs root, ip,
# haproxy and socat (.ci/run installs them).  MULTIHOST_SECONDS sets the
# length of the load (12 by default).

load lib

NET=$BATS_TEST_DIRNAME/multihost/net

setup() {
	setup_spool
	D=$T/net
	mkdir "$D"
}

teardown() {
	"$NET" down "$D"
	teardown_spool
}

@test "multihost: 3 hosts behind HAProxy, host 2 stopped and started under load: no invariant violated" {
	"$NET" up "$D" 3 3>&-
	run timeout 240 ip netns exec "$(cat "$D/prefix")-cl" \
		python3 "$BATS_TEST_DIRNAME/multihost/multihost.py" "$TOP" "${MULTIHOST_SECONDS:-12}" 3 "$D"
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q ', 0 invariant violations$'
	echo "$output" | grep -Eq ', [1-9][0-9]* messages accepted'
	echo "$output" | grep -Eq ', [1-9][0-9]* fetched'
	echo "$output" | grep -Eq 'h1:[1-9][0-9]* h2:[1-9][0-9]* h3:[1-9][0-9]*,'
}

# From the balancer's namespace, as HAProxy would (a PROXY header for the
# client first): IDLE on host 1, then a delivery on host 2; IDLE must tell
# of it within 5 seconds.
@test "multihost: IDLE on host 1 sees a message delivered on host 2; Received: names the client" {
	"$NET" up "$D" 2 3>&-
	"$NET" host-start "$D" 1 "$SPOOL" "$USERS"
	"$NET" host-start "$D" 2 "$SPOOL" "$USERS"
	P=$(cat "$D/prefix")
	run timeout 30 ip netns exec "$P-lb" python3 - "$ALICE_PW" <<-'PY'
		import socket, sys, time
		def connect(addr, port):
		    for _ in range(50):
		        try:
		            s = socket.create_connection((addr, port), 2)
		            s.sendall(b"PROXY TCP4 198.18.0.100 198.18.0.2 40000 %d\r\n" % port)
		            return s, s.makefile("rb")
		        except OSError:
		            time.sleep(0.1)
		    raise SystemExit("no host at %s:%d" % (addr, port))
		i, r = connect("198.18.0.11", 143)
		r.readline()
		i.sendall(b"a LOGIN alice " + sys.argv[1].encode() + b"\r\nb SELECT INBOX\r\nc IDLE\r\n")
		while not r.readline().startswith(b"+ idling"):
		    pass
		s, w = connect("198.18.0.12", 25)
		s.sendall(b"EHLO c.test\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<alice@test.lan>\r\n"
		          b"DATA\r\nSubject: across\r\n\r\nhi\r\n.\r\nQUIT\r\n")
		print(w.read().decode().splitlines()[-2])
		i.settimeout(5)
		print(r.readline().decode().strip())
		i.sendall(b"DONE\r\nd LOGOUT\r\n")
	PY
	echo "$output"
	[ "$status" -eq 0 ]
	echo "$output" | grep -q '^250 2.0.0 Ok: delivered as'
	[ "$(echo "$output" | tail -n 1)" = "* 1 EXISTS" ]
	grep -q '^Received: from c.test (\[198.18.0.100\])' "$(inbox alice)"
	grep -q 'imapd.*connect from \[198.18.0.100\]' "$D/h1.log"
	grep -q 'smtpd.*connect from \[198.18.0.100\]' "$D/h2.log"
}

@test "multihost: an index written on another host (another st_dev for the same file) is used as it is" {
	printf 'Subject: one\r\n\r\nbody\r\n' > "$T/m"
	deliver_file alice "$T/m" > /dev/null
	printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc LOGOUT\r\n' "$ALICE_PW" | imap > /dev/null
	ix=$SPOOL/alice/.INBOX.index
	# the index header: mbox_dev at byte 32, generation at byte 72
	python3 - "$ix" <<-'PY'
		import struct, sys
		with open(sys.argv[1], "r+b") as f:
		    f.seek(32)
		    dev = struct.unpack("<Q", f.read(8))[0]
		    f.seek(32)
		    f.write(struct.pack("<Q", dev ^ 0x5a5a))
	PY
	gen() { od -An -tu8 -j72 -N8 "$ix" | tr -d ' '; }
	before=$(gen)
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc FETCH 1 UID\r\nd LOGOUT\r\n' "$ALICE_PW" | imap | replies)
	echo "$out" | grep -q '^\* 1 FETCH (UID 1)'
	[ "$(gen)" = "$before" ]
}

@test "multihost: the temporary file of a large message is named after the host" {
	{ printf 'Subject: big\r\n\r\n'; for i in $(seq 1 2000); do printf 'line %d of a message larger than the memory buffer\r\n' "$i"; done; } > "$T/m"
	traced -f -e trace=openat -o "$T/trace" "$SMTPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -d "$DOMAIN" < <(
		printf 'EHLO c.test\r\nMAIL FROM:<a@remote.test>\r\nRCPT TO:<alice@%s>\r\nDATA\r\n' "$DOMAIN"
		cat "$T/m"; printf '.\r\nQUIT\r\n') > "$T/out"
	grep -q '^250 2.0.0 Ok: delivered' "$T/out"
	grep -q "\"msg\.$(hostname)\.[0-9]*\.[0-9]*\.0\", O_RDWR|O_CREAT|O_EXCL" "$T/trace"
}
