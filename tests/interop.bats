#!/usr/bin/env bats
# Mail clients nobody here wrote, over TCP through systemd-socket-activate:
# fetchmail over POP3 (UIDL, keep, delete) and over IMAP (unseen, \Seen,
# expunge), and mutt sending over SMTP with AUTH and reading over IMAP.
# What they hand on must be, byte for byte, what the server stores.
# Needs fetchmail and mutt (.ci/run installs them).

load lib

setup() {
	setup_spool
	for c in fetchmail mutt; do
		command -v $c >/dev/null || { echo "$c is not installed (.ci/run installs it)"; return 1; }
	done
	# messages with what a client can get wrong: a leading dot, a From_
	# line, 8-bit bytes, an empty line, a line that only has a dot
	for i in 1 2 3; do
		printf 'From: s@remote.test\nSubject: m%s\n\nbody %s caf\xc3\xa9\n.dot line\n.\nFrom here\n\nend\n' \
			$i $i > "$T/m$i"
	done
}
teardown() { teardown_spool; }

# fetchmail_rc PROTO PORT [USER-OPTIONS]: its run-control file; every message
# fetched goes to the MDA, which appends it to $T/fetched.N (N counts).
fetchmail_rc() {
	mkdir -p -m 700 "$T/fm"
	cat > "$T/fm/rc" <<-RC
	set no bouncemail
	set invisible
	poll 127.0.0.1 service $2 protocol $1 uidl auth password timeout 20
	    user alice password "$ALICE_PW" is root here sslproto '' $3
	    mda "/bin/sh -c 'n=\$(ls $T/fetched.* 2>/dev/null | wc -l); cat > $T/fetched.\$((n + 1))'"
	RC
	[ "$1" = IMAP ] && sed -i 's/ uidl / /' "$T/fm/rc"
	chmod 600 "$T/fm/rc"
}
fetch() { FETCHMAILHOME=$T/fm timeout 60 fetchmail -f "$T/fm/rc" --nodetach --nosyslog -v; }
fetched() { ls "$T"/fetched.* 2>/dev/null | wc -l; }

# The stored messages as POP3 RETR gives them, CRLF turned into LF, in
# $T/retr.N.
retr_all() {
	python3 - "$1" "$ALICE_PW" "$T/retr" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	p.user("alice"); p.pass_(sys.argv[2])
	for i in range(1, len(p.list()[1]) + 1):
	    open("%s.%d" % (sys.argv[3], i), "wb").write(b"".join(l + b"\n" for l in p.retr(i)[1]))
	p.quit()
	PY
}

# fetch_new_and_delete PROTO PORT SENT: with three messages already
# fetched and a fourth delivered from SENT, fetchmail with nokeep hands on
# only the fourth (after smtpd's two trace fields, exactly SENT) and
# deletes only it.
fetch_new_and_delete() {
	fetchmail_rc "$1" "$2" nokeep
	run fetch
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(fetched)" = 4 ]
	tail -n +3 "$T/fetched.4" | cmp - "$3"
	[ "$(count_messages "$(inbox alice)")" = 3 ]
	"$MBOXCHECK" "$(inbox alice)"
}

@test "interop: fetchmail over POP3: byte-exact to its MDA, UIDL remembers, nokeep deletes only what it fetched" {
	for i in 1 2 3; do deliver_file alice "$T/m$i" >/dev/null; done
	serve "$POP3D"
	retr_all "$PORT"
	fetchmail_rc POP3 "$PORT" keep
	run fetch
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(fetched)" = 3 ]
	for i in 1 2 3; do
		cmp "$T/retr.$i" "$T/fetched.$i"
		# the body as sent, after the two trace fields smtpd adds
		tail -n +3 "$T/fetched.$i" | cmp - "$T/m$i"
	done
	# a second run: UIDL says there is nothing new (status 1: no mail)
	run fetch
	[ "$status" -eq 1 ]
	[ "$(fetched)" = 3 ]
	# a fourth message, then nokeep: only it is fetched, and only it deleted
	printf 'Subject: m4\n\nfour\n' > "$T/m4"
	deliver_file alice "$T/m4" >/dev/null
	fetch_new_and_delete POP3 "$PORT" "$T/m4"
}

@test "interop: fetchmail over IMAP: unseen messages byte-exact, marked \\Seen, then expunged with nokeep" {
	for i in 1 2 3; do deliver_file alice "$T/m$i" >/dev/null; done
	serve "$POP3D"; P=$PORT
	retr_all "$P"
	serve "$IMAPD"; I=$PORT
	fetchmail_rc IMAP "$I" keep
	run fetch
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(fetched)" = 3 ]
	for i in 1 2 3; do cmp "$T/retr.$i" "$T/fetched.$i"; done
	# they are \Seen now, so a second run finds nothing
	run fetch
	[ "$status" -eq 1 ]
	[ "$(fetched)" = 3 ]
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc SEARCH UNSEEN\r\nd LOGOUT\r\n' "$ALICE_PW" | imap | replies)
	echo "$out" | grep -qx '\* SEARCH'
	# a new one, fetched and expunged; the three seen ones stay
	deliver_file alice "$T/m1" >/dev/null
	fetch_new_and_delete IMAP "$I" "$T/m1"
}

# mutt_rc: a muttrc for alice on this test's servers; no folder, no Fcc,
# nothing asked at start or at the end.
mutt_rc() {
	cat > "$T/muttrc" <<-RC
	set from="alice@$DOMAIN"
	set hostname=client.test
	set charset=utf-8
	set send_charset=utf-8
	set smtp_url="smtp://alice@127.0.0.1:${1:-0}/"
	set smtp_pass="$ALICE_PW"
	set imap_user=alice
	set imap_pass="$ALICE_PW"
	set ssl_starttls=no
	set ssl_force_tls=no
	set folder=$T
	set record=
	set wait_key=no
	set pipe_decode=no
	set delete=yes
	set quit=yes
	set mark_old=no
	set sort=mailbox-order
	RC
}

@test "interop: mutt sends over SMTP with AUTH: an 8-bit body with a dot line and a From line arrives intact" {
	serve "$SMTPD" -d "$DOMAIN"; S=$PORT
	mutt_rc "$S"
	printf 'hello caf\xc3\xa9\n.dot\n.\nFrom here\n' > "$T/body"
	run timeout 30 mutt -n -F "$T/muttrc" -s "from mutt" "bob@$DOMAIN" < "$T/body"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '\[127.0.0.1\]: authenticated as alice' "$LOG"
	grep -q 'from=<alice@test.lan> size=[0-9]* nrcpt=1 delivered' "$LOG"
	serve "$POP3D"
	python3 - "$PORT" "$BOB_PW" "$T/body" <<-'PY'
	import poplib, sys
	p = poplib.POP3("127.0.0.1", int(sys.argv[1]), timeout=10)
	p.user("bob"); p.pass_(sys.argv[2])
	msg = b"".join(l + b"\n" for l in p.retr(1)[1])
	head, body = msg.split(b"\n\n", 1)
	assert body == open(sys.argv[3], "rb").read(), body
	assert b"\nSubject: from mutt\n" in head and b"with ESMTPA" in head, head
	p.quit()
	PY
}

@test "interop: mutt over IMAP: a message piped byte-exact, \\Flagged stored, a deleted one expunged on sync" {
	for i in 1 2; do deliver_file alice "$T/m$i" >/dev/null; done
	serve "$POP3D"
	retr_all "$PORT"
	serve "$IMAPD"; I=$PORT
	mutt_rc
	keys="<first-entry><pipe-message>cat > $T/piped<enter><first-entry><flag-message>"
	keys="$keys<last-entry><delete-message><sync-mailbox><quit>"
	# script runs the command with $SHELL, which may be dash: without
	# --foreground, timeout would move mutt out of the terminal's foreground
	# group and mutt, stopped by SIGTTIN, would never end.  Its standard
	# input is not the runner's terminal, which script would otherwise set
	# up (and be stopped for, when the run is not in the foreground).
	run timeout -k 5 60 script -qec "TERM=xterm timeout --foreground -k 5 30 mutt -n -F $T/muttrc -f imap://127.0.0.1:$I/INBOX -e 'push \"$keys\"'" /dev/null < /dev/null
	[ "$status" -eq 0 ]
	cmp "$T/retr.1" "$T/piped"
	[ "$(count_messages "$(inbox alice)")" = 1 ]
	out=$(printf 'a LOGIN alice %s\r\nb SELECT INBOX\r\nc FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\nd LOGOUT\r\n' "$ALICE_PW" | imap | replies)
	echo "$out"
	echo "$out" | grep -q '^\* 1 FETCH (FLAGS (\\Flagged) '
	echo "$out" | grep -qx 'Subject: m1'
}
