#!/usr/bin/env bats
# The clients against servers nobody here wrote: Dovecot for POP3 and IMAP
# (a private instance: its own config, base_dir, loopback ports, a
# passwd-file, mbox mail in the test directory, no TLS) and aiosmtpd for
# SMTP (tests/helpers/smtpsink.py, which saves what it receives).

load lib
load helpers/clients

setup() {
	setup_clients
	[ -x /usr/sbin/dovecot ] || { echo "dovecot is not installed" >&2; return 1; }
	/usr/bin/python3 -c 'import aiosmtpd' || { echo "aiosmtpd is not installed" >&2; return 1; }
}
teardown() { teardown_spool; }

# Dovecot on two free ports (DPOP, DIMAP) for user alice, whose inbox is
# the mbox two_messages writes.  (Not in a pipeline: it sets variables.)
start_dovecot() {
	local d=$T/dovecot
	mkdir -p "$d/run" "$d/state" "$d/home/alice/mail"
	two_messages > "$d/home/alice/mail/inbox"
	chown -R nobody:nogroup "$d/home"
	echo "alice:{PLAIN}$ALICE_PW:65534:65534::$d/home/alice" > "$d/passwd"
	DPOP=$(free_port)
	DIMAP=$(free_port)
	cat > "$d/dovecot.conf" <<-CONF
	base_dir = $d/run
	state_dir = $d/state
	log_path = $d/log
	protocols = pop3 imap
	listen = 127.0.0.1
	ssl = no
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	default_internal_user = dovecot
	default_login_user = dovenull
	mail_location = mbox:~/mail:INBOX=~/mail/inbox
	passdb {
	  driver = passwd-file
	  args = $d/passwd
	}
	userdb {
	  driver = passwd-file
	  args = $d/passwd
	}
	service imap-login {
	  chroot =
	  inet_listener imap {
	    port = $DIMAP
	  }
	  inet_listener imaps {
	    port = 0
	  }
	}
	service pop3-login {
	  chroot =
	  inet_listener pop3 {
	    port = $DPOP
	  }
	  inet_listener pop3s {
	    port = 0
	  }
	}
	service anvil {
	  chroot =
	}
	CONF
	/usr/sbin/dovecot -F -c "$d/dovecot.conf" >/dev/null 2>>"$d/log" 3>&- &
	SERVER_PIDS+=($!)
	wait_port "$DPOP"
	wait_port "$DIMAP"
}

# aiosmtpd on a free port (ASMTP), saving into $T/sink.
start_sink() {
	mkdir "$T/sink"
	ASMTP=$(free_port)
	/usr/bin/python3 "$TOP/tests/helpers/smtpsink.py" "$ASMTP" "$T/sink" >/dev/null 2>"$T/sink.log" 3>&- &
	SERVER_PIDS+=($!)
	wait_port "$ASMTP"
}

two_messages() {
	printf 'From s@remote.test Mon Jan  1 00:00:00 2024\nSubject: one\n\n.dot\nFrom x\nbody one\n\n'
	printf 'From s@remote.test Tue Jan  2 00:00:00 2024\nSubject: two\nStatus: RO\n\nbody two\n\n'
}

crlf_to_lf() { sed 's/\r$//'; }

@test "peers: popls against Dovecot: list with UIDLs, show byte-exact" {
	start_dovecot
	run "$POPLS" -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^1\ [0-9]+\ [0-9A-Fa-f]+$ ]]
	"$POPLS" -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw" 1 > "$T/shown"
	printf 'Subject: one\n\n.dot\nFrom x\nbody one\n' | cmp - "$T/shown"
	run "$POPLS" -v -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw" -n 0 2
	[[ "$output" == *"C: TOP 2 0"* ]]
	[[ "$output" == *"Subject: two"* ]]
}

@test "peers: imapdrain against Dovecot: the unread one printed and deleted, the read one kept" {
	start_dovecot
	run "$IMAPDRAIN" -s "127.0.0.1:$DIMAP" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[[ "$output" == "From MAILER-DAEMON Mon Jan  1 00:00:00 2024"* ]]	# no Return-Path
	[[ "$output" == *">From x"* ]]
	[[ "$output" != *"Subject: two"* ]]
	run "$POPLS" -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw"
	[ "${#lines[@]}" -eq 1 ]
	"$POPLS" -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw" 1 | grep -q 'Subject: two'
}

@test "peers: smtpsend to aiosmtpd: bytes, envelope, several recipients" {
	start_sink
	sample_message peer > "$T/msg"
	run "$SMTPSEND" -s "127.0.0.1:$ASMTP" -f me@remote.test a@x.test b@y.test < "$T/msg"
	[ "$status" -eq 0 ]
	crlf_to_lf < "$T/sink/1.eml" | cmp - "$T/msg"
	[ "$(cat "$T/sink/1.env")" = "$(printf 'me@remote.test\na@x.test\nb@y.test')" ]
}

@test "peers: smtpsend -t to aiosmtpd drops Bcc" {
	start_sink
	printf 'To: a@x.test\nBcc: hidden@y.test\nSubject: t\n\nbody\n' > "$T/msg"
	run "$SMTPSEND" -t -s "127.0.0.1:$ASMTP" < "$T/msg"
	[ "$status" -eq 0 ]
	[ "$(tail -n +2 "$T/sink/1.env")" = "$(printf 'a@x.test\nhidden@y.test')" ]
	! grep -qi '^bcc' "$T/sink/1.eml" || false
}

@test "peers: popxfer from Dovecot to aiosmtpd, then deleted on Dovecot" {
	start_dovecot
	start_sink
	run "$POPXFER" -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw" -S "127.0.0.1:$ASMTP" \
		-F "$T/state" -d "target@z.test"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1/2 1 "*"250 2.0.0 saved as 1"* ]]
	[[ "$output" == *"2/2 2 "*"250 2.0.0 saved as 2"* ]]
	# one trace header (two lines), then the message as Dovecot sent it
	crlf_to_lf < "$T/sink/1.eml" | sed -n 1p | grep -q '^Received: from 127.0.0.1 by .* (popxfer) with POP3 id '
	crlf_to_lf < "$T/sink/1.eml" | tail -n +3 | cmp - <(printf 'Subject: one\n\n.dot\nFrom x\nbody one\n')
	[ "$(tail -n 1 "$T/sink/2.env")" = target@z.test ]
	run "$POPLS" -s "127.0.0.1:$DPOP" -u alice -p "$T/alice.pw"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
