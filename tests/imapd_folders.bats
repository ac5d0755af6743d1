#!/usr/bin/env bats
# imapd folders: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB
# and STATUS (RFC 3501 6.3.3-6.3.10), their errors (RFC 5530 codes), the
# mbox layout (a mailbox is a file, a level a directory), links planted in
# the spool, Thunderbird's sequences, and imaplib over TCP.

load lib

LOCKHOLD=$BATS_TEST_DIRNAME/helpers/lockhold.py

setup() {
	setup_spool
	U=$SPOOL/alice
}
teardown() { teardown_spool; }

# session [flags...] < commands: a session of alice's, one command a line
# (LF) on stdin; prints the replies without greeting, login and logout.
session() {
	{ printf 'L LOGIN alice %s\r\n' "$ALICE_PW"; sed 's/$/\r/'; printf 'Z LOGOUT\r\n'; } |
		imap "$@" | replies |
		sed -e '/^\* OK \[CAPABILITY /d' -e '/^L OK /d' -e '/^\* BYE facteur IMAP4rev1/d' -e '/^Z OK LOGOUT/d'
}

# Files planted by the tests belong to the spool's owner, as the server's do.
own() { [ "$(id -u)" != 0 ] || chown -h nobody:nogroup "$@"; }
user_dir() { mkdir -p "$U"; chmod 700 "$U"; own "$U"; }

# deliver N...: one message each to alice's INBOX
deliver() {
	local n
	for n in "$@"; do
		printf 'From: s@remote.test\r\nSubject: message %s\r\n\r\nbody %s\r\nFrom the start\r\n' "$n" "$n" > "$T/m$n"
		deliver_file alice "$T/m$n" >/dev/null
	done
}

# index_uids FILE: "UIDVALIDITY UIDNEXT uid,uid,..." from a mailbox's index
# (the store's own record of the UIDs, read without the server).
index_uids() {
	python3 - "$1" <<-'PY'
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	uidvalidity, uidnext, recent, nrec = struct.unpack_from("=IIII", d, 16)
	uids = [struct.unpack_from("=I", d, 4224 + 64 * i + 48)[0] for i in range(nrec)]
	print(uidvalidity, uidnext, ",".join(map(str, uids)))
	PY
}

# The value of one STATUS item in the replies on stdin.
status_item() { sed -n "s/^\* STATUS .*[( ]$1 \([0-9]*\)[ )].*/\1/p"; }

# ---- CREATE ----

@test "folders: CREATE makes an mbox file (0600) and its index; LIST shows it \\NoInferiors" {
	out=$(session <<-'EOF'
	a CREATE Drafts
	b LIST "" Drafts
	EOF
	)
	[ "$out" = "$(printf 'a OK CREATE completed\n* LIST (\\NoInferiors) "/" Drafts\nb OK LIST completed')" ]
	[ -f "$U/Drafts" ] && [ ! -s "$U/Drafts" ] || false
	[ "$(stat -c %a "$U/Drafts")" = 600 ]
	[ -f "$U/.Drafts.index" ]
}

@test "folders: CREATE of INBOX (any case) or of an existing name is ALREADYEXISTS" {
	out=$(session <<-'EOF'
	a CREATE INBOX
	b CREATE inBox
	c CREATE x
	d CREATE x
	e CREATE lvl/
	f CREATE lvl
	g CREATE lvl/
	EOF
	)
	expected='a NO [ALREADYEXISTS] INBOX always exists
b NO [ALREADYEXISTS] INBOX always exists
c OK CREATE completed
d NO [ALREADYEXISTS] Mailbox already exists
e OK CREATE completed
f NO [ALREADYEXISTS] Mailbox already exists
g NO [ALREADYEXISTS] Mailbox already exists'
	[ "$out" = "$expected" ]
	[ -f "$U/x" ] && [ -d "$U/lvl" ] || false
}

@test "folders: CREATE with a trailing / makes a level only (RFC 3501 6.3.3 example)" {
	out=$(session <<-'EOF'
	A003 CREATE owatagusiam/
	A004 CREATE owatagusiam/blurdybloop
	A005 LIST "" owatagusiam*
	EOF
	)
	expected='A003 OK CREATE completed
A004 OK CREATE completed
* LIST (\Noselect \HasChildren) "/" owatagusiam
* LIST (\NoInferiors) "/" owatagusiam/blurdybloop
A005 OK LIST completed'
	[ "$out" = "$expected" ]
	[ -d "$U/owatagusiam" ] && [ -f "$U/owatagusiam/blurdybloop" ] || false
	[ ! -e "$U/.owatagusiam.index" ]	# a level, no mailbox
}

@test "folders: CREATE makes the intermediate levels; nothing can go under a mailbox" {
	out=$(session <<-'EOF'
	a CREATE foo/bar/zap
	b CREATE foo/bar/zap/deeper
	c CREATE foo/bar/zap/
	d LIST "" *
	EOF
	)
	expected='a OK CREATE completed
b NO [CANNOT] A mailbox cannot hold other mailboxes (each is one mbox file)
c NO [CANNOT] A mailbox cannot hold other mailboxes (each is one mbox file)
* LIST (\NoInferiors) "/" INBOX
* LIST (\Noselect \HasChildren) "/" foo
* LIST (\Noselect \HasChildren) "/" foo/bar
* LIST (\NoInferiors) "/" foo/bar/zap
d OK LIST completed'
	[ "$out" = "$expected" ]
	[ -d "$U/foo/bar" ] && [ -f "$U/foo/bar/zap" ] || false
}

@test "folders: nothing can be made under INBOX, in any case" {
	out=$(session <<-'EOF'
	a CREATE INBOX/sub
	b CREATE inbox/sub
	c CREATE INBOX/
	d RENAME x Inbox/y
	e LIST "" *
	EOF
	)
	expected='a NO [CANNOT] INBOX cannot hold other mailboxes
b NO [CANNOT] INBOX cannot hold other mailboxes
c NO [CANNOT] INBOX cannot hold other mailboxes
d NO [CANNOT] INBOX cannot hold other mailboxes
* LIST (\NoInferiors) "/" INBOX
e OK LIST completed'
	[ "$out" = "$expected" ]
	[ -z "$(ls "$U")" ]
}

@test "folders: TESTCASES 42: bad names are NO [CANNOT] and make nothing" {
	{
		printf 'L LOGIN alice %s\r\n' "$ALICE_PW"
		printf 'a CREATE a//b\r\nb CREATE a/./b\r\nc CREATE ../x\r\nd CREATE /etc/passwd\r\n'
		printf 'e CREATE {4}\r\na\r\nb\r\n'
		printf 'f CREATE {3}\r\na\001b\r\ng CREATE {3}\r\na\000b\r\nh CREATE {5}\r\ncaf\303\251\r\n'
		printf 'i CREATE .hidden\r\nj CREATE a/.b\r\nk CREATE a/\r\nl CREATE ""\r\nm CREATE /\r\n'
		printf 'n SELECT ../x\r\no SELECT /etc/passwd\r\np SELECT ~root\r\nq STATUS ../x (MESSAGES)\r\n'
		printf 'r DELETE ../x\r\ns RENAME ../x y\r\nt SUBSCRIBE ../x\r\nu LIST "" *\r\n'
		# CR LF inside a quoted string ends the line: the parser refuses both halves
		printf 'v CREATE "a\r\nb"\r\nw NOOP\r\n'
	} | imap | replies > "$T/out"
	for t in a b c d e f g h i j l m; do
		grep -qx "$t NO \[CANNOT\] Invalid mailbox name" "$T/out"
	done
	grep -qx 'k OK CREATE completed' "$T/out"
	grep -Eqx 'n NO \[(CANNOT|NONEXISTENT)\] .*' "$T/out"
	grep -Eqx 'o NO \[(CANNOT|NONEXISTENT)\] .*' "$T/out"
	grep -Eqx 'p NO \[(CANNOT|NONEXISTENT)\] .*' "$T/out"
	for t in q r s t; do grep -qx "$t NO \[CANNOT\] Invalid mailbox name" "$T/out"; done
	grep -qx 'v BAD \[CLIENTBUG\] Invalid arguments to CREATE' "$T/out"
	grep -qx 'w OK NOOP completed' "$T/out"
	# only the level "a" was made; nothing outside the user's directory
	[ "$(cd "$U" && find . -mindepth 1 ! -name '.*' | sort | tr '\n' ' ')" = "./a " ]
	[ -z "$(ls -A "$U/a")" ]
	[ "$(ls -A "$SPOOL")" = alice ]
	[ ! -e "$T/x" ] && [ ! -e "$SPOOL/x" ] || false
}

@test "folders: name lengths and depth are bounded (200-byte level, 16 levels, 512 bytes)" {
	l200=$(printf 'n%.0s' $(seq 200))
	d16=$(printf 'd/%.0s' $(seq 15))x
	out=$(session <<-EOF
	a CREATE $l200
	b CREATE ${l200}z
	c CREATE $d16
	d CREATE d/$d16
	e CREATE x/$l200/$l200/${l200:0:108}
	f CREATE x/$l200/$l200/${l200:0:109}
	g CREATE $l200/under
	EOF
	)
	expected='a OK CREATE completed
b NO [CANNOT] Invalid mailbox name
c OK CREATE completed
d NO [CANNOT] Invalid mailbox name
e OK CREATE completed
f NO [CANNOT] Invalid mailbox name
g NO [CANNOT] A mailbox cannot hold other mailboxes (each is one mbox file)'
	[ "$out" = "$expected" ]
	[ -f "$U/$l200" ] && [ -f "$U/$d16" ] && [ -f "$U/x/$l200/$l200/${l200:0:108}" ] || false
}

@test "folders: modified UTF-7 and special characters pass through; LIST quotes as needed" {
	out=$(session <<-'EOF'
	a CREATE Entw&APw-rfe
	b CREATE "My Folder"
	c CREATE "say \"hi\""
	d CREATE "50%"
	e CREATE [brackets]
	f LIST "" *
	EOF
	)
	expected='a OK CREATE completed
b OK CREATE completed
c OK CREATE completed
d OK CREATE completed
e OK CREATE completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\NoInferiors) "/" "50%"
* LIST (\NoInferiors) "/" Entw&APw-rfe
* LIST (\NoInferiors) "/" "My Folder"
* LIST (\NoInferiors) "/" [brackets]
* LIST (\NoInferiors) "/" "say \"hi\""
f OK LIST completed'
	[ "$out" = "$expected" ]
	[ -f "$U/Entw&APw-rfe" ] && [ -f "$U/My Folder" ] && [ -f "$U/say \"hi\"" ] || false
}

# ---- DELETE ----

@test "folders: DELETE removes the mbox and every store file beside it" {
	deliver 1 2
	out=$(session <<-'EOF'
	a RENAME INBOX gone
	b STATUS gone (MESSAGES)
	EOF
	)
	# leftovers of a rewrite, an index write and POP3 go too
	touch "$U/.gone.new" "$U/.gone.newindex" "$U/.gone.pop3"
	own "$U/.gone.new" "$U/.gone.newindex" "$U/.gone.pop3"
	[ -f "$U/gone" ] && [ -f "$U/.gone.index" ] || false
	out="$out
$(session <<-'EOF'
	c DELETE gone
	d LIST "" *
	e STATUS gone (MESSAGES)
	EOF
	)"
	expected='a OK RENAME completed
* STATUS gone (MESSAGES 2)
b OK STATUS completed
c OK DELETE completed
* LIST (\NoInferiors) "/" INBOX
d OK LIST completed
e NO [NONEXISTENT] No such mailbox'
	[ "$out" = "$expected" ]
	[ -z "$(cd "$U" && ls -A | grep -i gone)" ]
}

@test "folders: DELETE errors: INBOX, nonexistent, a level with names under it (RFC 3501 6.3.4 example)" {
	out=$(session <<-'EOF'
	a DELETE INBOX
	b DELETE inbox
	c DELETE nosuch
	d DELETE nosuch/deeper
	e CREATE blurdybloop
	f CREATE foo/bar
	A682 LIST "" *
	A683 DELETE blurdybloop
	A684 DELETE foo
	A685 DELETE foo/bar
	A686 LIST "" *
	A687 DELETE foo
	A688 LIST "" *
	EOF
	)
	expected='a NO [CANNOT] INBOX cannot be deleted
b NO [CANNOT] INBOX cannot be deleted
c NO [NONEXISTENT] No such mailbox
d NO [NONEXISTENT] No such mailbox
e OK CREATE completed
f OK CREATE completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\NoInferiors) "/" blurdybloop
* LIST (\Noselect \HasChildren) "/" foo
* LIST (\NoInferiors) "/" foo/bar
A682 OK LIST completed
A683 OK DELETE completed
A684 NO [CANNOT] Name has inferior hierarchical names; delete them first
A685 OK DELETE completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\Noselect \HasNoChildren) "/" foo
A686 OK LIST completed
A687 OK DELETE completed
* LIST (\NoInferiors) "/" INBOX
A688 OK LIST completed'
	[ "$out" = "$expected" ]
	[ -z "$(ls "$U")" ]
}

@test "folders: DELETE of an empty level clears store files left in it; anything else keeps it" {
	user_dir
	mkdir -p "$U/old" "$U/kept"
	touch "$U/old/.gone.index" "$U/old/.gone.pending"
	ln -s /etc "$U/kept/link"
	own "$U/old" "$U/old/.gone.index" "$U/old/.gone.pending" "$U/kept" "$U/kept/link"
	out=$(session <<-'EOF'
	a DELETE old
	b DELETE kept
	EOF
	)
	[ "$out" = "$(printf 'a OK DELETE completed\nb NO [CANNOT] Name has inferior hierarchical names; delete them first')" ]
	[ ! -e "$U/old" ]
	[ -L "$U/kept/link" ]
}

@test "folders: DELETE of the selected mailbox deselects it, no BYE" {
	deliver 1
	out=$(session <<-'EOF'
	a RENAME INBOX box
	b SELECT box
	c DELETE box
	d NOOP
	e CLOSE
	f SELECT box
	EOF
	)
	echo "$out" | grep -qx 'b OK \[READ-WRITE\] SELECT completed'
	echo "$out" | grep -qx 'c OK DELETE completed'
	echo "$out" | grep -qx 'd OK NOOP completed'
	echo "$out" | grep -qx 'e BAD \[CLIENTBUG\] CLOSE not allowed without a selected mailbox'
	echo "$out" | grep -qx 'f NO \[NONEXISTENT\] No such mailbox'
	! echo "$out" | grep -q '^\* BYE' || false
	[ ! -e "$U/box" ]
}

@test "folders: another session with the deleted mailbox selected is told BYE" {
	deliver 1
	session <<< 'a RENAME INBOX box' | grep -qx 'a OK RENAME completed'
	mkfifo "$T/in"
	imap < "$T/in" > "$T/other" &
	pid=$!
	exec 7> "$T/in"
	printf 'a LOGIN alice %s\r\nb SELECT box\r\n' "$ALICE_PW" >&7
	for i in $(seq 100); do grep -q '^b OK' "$T/other" && break; sleep 0.05; done
	out=$(session <<< 'x DELETE box')
	printf 'c NOOP\r\n' >&7
	exec 7>&-
	wait "$pid" || true
	[ "$out" = "x OK DELETE completed" ]
	replies < "$T/other" | grep -qx 'b OK \[READ-WRITE\] SELECT completed'
	replies < "$T/other" | grep -qx '\* BYE \[UNAVAILABLE\] The selected mailbox was removed'
	! replies < "$T/other" | grep -q '^c OK' || false
}

# ---- RENAME ----

@test "folders: RENAME of a mailbox keeps UIDVALIDITY, UIDs, UIDNEXT and flags" {
	deliver 1 2 3
	out=$(session <<-'EOF'
	a SELECT INBOX
	b STORE 2 +FLAGS (\Seen \Flagged)
	c UNSELECT
	d RENAME INBOX Projects
	e STATUS Projects (UIDVALIDITY UIDNEXT MESSAGES UNSEEN)
	EOF
	)
	echo "$out" | grep -qx 'd OK RENAME completed'
	v1=$(echo "$out" | status_item UIDVALIDITY)
	[ "$(echo "$out" | status_item UIDNEXT)" = 4 ]
	[ "$(echo "$out" | status_item MESSAGES)" = 3 ]
	[ "$(echo "$out" | status_item UNSEEN)" = 2 ]
	before=$(index_uids "$U/.Projects.index")
	[ "$before" = "$v1 4 1,2,3" ]
	out=$(session <<-'EOF'
	f RENAME Projects Archive/2026/Projects
	g STATUS Archive/2026/Projects (UIDVALIDITY UIDNEXT MESSAGES UNSEEN)
	h SELECT Archive/2026/Projects
	i LIST "" Archive/*
	EOF
	)
	echo "$out" | grep -qx 'f OK RENAME completed'
	[ "$(echo "$out" | status_item UIDVALIDITY)" = "$v1" ]
	[ "$(echo "$out" | status_item UIDNEXT)" = 4 ]
	[ "$(echo "$out" | status_item UNSEEN)" = 2 ]
	echo "$out" | grep -qx '\* 3 EXISTS'
	echo "$out" | grep -qx "\* OK \[UIDVALIDITY $v1\] UIDs valid"
	echo "$out" | grep -qx '\* OK \[UIDNEXT 4\] Predicted next UID'
	echo "$out" | grep -qx '\* LIST (\\NoInferiors) "/" Archive/2026/Projects'
	[ "$(index_uids "$U/Archive/2026/.Projects.index")" = "$before" ]
	[ ! -e "$U/Projects" ] && [ ! -e "$U/.Projects.index" ] || false
	[ "$(count_messages "$U/Archive/2026/Projects")" = 3 ]
}

@test "folders: RENAME INBOX moves every message, leaves INBOX empty, and delivery goes on" {
	deliver 1 2 3
	cp "$(inbox alice)" "$T/inbox.before"
	"$MBOXCHECK" -x 2 "$(inbox alice)" > "$T/m2.before"
	v=$(session <<< 's STATUS INBOX (UIDVALIDITY)' | status_item UIDVALIDITY)
	out=$(session <<-'EOF'
	a RENAME INBOX old-mail
	b STATUS old-mail (MESSAGES UIDNEXT RECENT)
	c STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)
	d LIST "" *
	EOF
	)
	expected="a OK RENAME completed
* STATUS old-mail (MESSAGES 3 UIDNEXT 4 RECENT 3)
b OK STATUS completed
* STATUS INBOX (MESSAGES 0 UIDNEXT 4 UIDVALIDITY $v)
c OK STATUS completed
* LIST (\\NoInferiors) \"/\" INBOX
* LIST (\\NoInferiors) \"/\" old-mail
d OK LIST completed"
	[ "$out" = "$expected" ]
	# the messages are the same bytes, From_ lines included; INBOX is empty
	cmp "$T/inbox.before" "$U/old-mail"
	"$MBOXCHECK" -x 2 "$U/old-mail" | cmp - "$T/m2.before"
	[ "$(count_messages "$(inbox alice)")" = 0 ]
	# INBOX keeps its UIDs going: the next message is UID 4, not 1
	deliver 4
	out=$(session <<< 'e STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)')
	[ "$(echo "$out" | sed -n 1p)" = "* STATUS INBOX (MESSAGES 1 UIDNEXT 5 UIDVALIDITY $v)" ]
}

@test "folders: RENAME INBOX while INBOX is selected reports the messages expunged" {
	deliver 1 2
	out=$(session <<-'EOF'
	a SELECT INBOX
	b RENAME INBOX Saved
	c NOOP
	d STATUS Saved (MESSAGES)
	EOF
	)
	expected='* 2 EXPUNGE
* 1 EXPUNGE
b OK RENAME completed
c OK NOOP completed
* STATUS Saved (MESSAGES 2)
d OK STATUS completed'
	[ "$(echo "$out" | sed '1,/^a OK/d')" = "$expected" ]
}

@test "folders: RENAME INBOX onto an existing name or under a mailbox moves nothing" {
	deliver 1
	cp "$(inbox alice)" "$T/before"
	out=$(session <<-'EOF'
	a CREATE Taken
	b RENAME INBOX Taken
	c RENAME INBOX Taken/sub
	d RENAME INBOX INBOX
	EOF
	)
	expected='a OK CREATE completed
b NO [ALREADYEXISTS] Mailbox already exists
c NO [CANNOT] A mailbox cannot hold other mailboxes (each is one mbox file)
d NO [ALREADYEXISTS] INBOX always exists'
	[ "$out" = "$expected" ]
	cmp "$T/before" "$(inbox alice)"
	[ ! -s "$U/Taken" ]
}

@test "folders: RENAME INBOX that fails half-way (RLIMIT_FSIZE) loses nothing and leaves no target" {
	big=$(head -c 30000 /dev/zero | tr '\0' 'x' | fold -w 70)
	for i in 1 2 3; do
		printf 'Subject: big %s\r\n\r\n%s\r\n' "$i" "$big" > "$T/big$i"
		deliver_file alice "$T/big$i" >/dev/null
	done
	session <<< 's STATUS INBOX (MESSAGES)' | grep -qx '\* STATUS INBOX (MESSAGES 3)'
	cp "$(inbox alice)" "$T/before"
	size=$(stat -c %s "$(inbox alice)")
	printf 'L LOGIN alice %s\r\na RENAME INBOX Moved\r\nb LIST "" *\r\nZ LOGOUT\r\n' "$ALICE_PW" |
		prlimit --fsize=$((size / 2)) "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$T/log2" -n "$HOST" -D 0 |
		replies > "$T/out"
	grep -qx 'a NO \[UNAVAILABLE\] RENAME failed, try again later' "$T/out"
	! grep -q 'Moved' "$T/out" || false
	cmp "$T/before" "$(inbox alice)"
	[ ! -e "$U/Moved" ] && [ ! -e "$U/.Moved.index" ] && [ ! -e "$U/.Moved.pending" ] || false
	grep -q 'RENAME INBOX Moved: File too large' "$T/log2"
	# and it works once the limit is gone
	session <<< 'c RENAME INBOX Moved' | grep -qx 'c OK RENAME completed'
	cmp "$T/before" "$U/Moved"
}

@test "folders: RENAME INBOX while INBOX is locked is UNAVAILABLE and makes nothing" {
	deliver 1
	python3 "$LOCKHOLD" "$(inbox alice)" 4 > "$T/held" &
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	start=$(date +%s)
	out=$(session -L 1 <<< 'a RENAME INBOX Moved')
	[ $(( $(date +%s) - start )) -le 3 ]
	wait
	[ "$out" = "a NO [UNAVAILABLE] Mailbox busy, try again later" ]
	[ ! -e "$U/Moved" ]
	[ "$(count_messages "$(inbox alice)")" = 1 ]
}

@test "folders: RENAME of a level moves what is under it (RFC 3501 6.3.5 example)" {
	out=$(session <<-'EOF'
	a CREATE blurdybloop
	b CREATE foo/bar
	A683 RENAME blurdybloop sarasoop
	A684 RENAME foo zowie
	A685 LIST "" *
	EOF
	)
	expected='a OK CREATE completed
b OK CREATE completed
A683 OK RENAME completed
A684 OK RENAME completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\NoInferiors) "/" sarasoop
* LIST (\Noselect \HasChildren) "/" zowie
* LIST (\NoInferiors) "/" zowie/bar
A685 OK LIST completed'
	[ "$out" = "$expected" ]
	[ -f "$U/zowie/bar" ] && [ ! -e "$U/foo" ] || false
}

@test "folders: RENAME makes the superior levels of the new name" {
	out=$(session <<-'EOF'
	a CREATE foo/bar/zap
	b RENAME foo/bar/zap baz/rag/zowie
	c LIST "" *
	EOF
	)
	expected='a OK CREATE completed
b OK RENAME completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\Noselect \HasChildren) "/" baz
* LIST (\Noselect \HasChildren) "/" baz/rag
* LIST (\NoInferiors) "/" baz/rag/zowie
* LIST (\Noselect \HasChildren) "/" foo
* LIST (\Noselect \HasNoChildren) "/" foo/bar
c OK LIST completed'
	[ "$out" = "$expected" ]
}

@test "folders: RENAME errors: no source, existing target, into itself, under a mailbox, to INBOX" {
	out=$(session <<-'EOF'
	a CREATE box
	b CREATE other
	c CREATE lvl/inner
	d RENAME nosuch x
	e RENAME box other
	f RENAME box lvl
	g RENAME lvl lvl/inner/x
	h RENAME lvl lvl
	i RENAME box other/x
	j RENAME box INBOX
	k RENAME lvl/inner box/y
	l LIST "" *
	EOF
	)
	expected='a OK CREATE completed
b OK CREATE completed
c OK CREATE completed
d NO [NONEXISTENT] No such mailbox
e NO [ALREADYEXISTS] Mailbox already exists
f NO [ALREADYEXISTS] Mailbox already exists
g NO [CANNOT] A name cannot move under itself
h NO [ALREADYEXISTS] Mailbox already exists
i NO [CANNOT] A mailbox cannot hold other mailboxes (each is one mbox file)
j NO [ALREADYEXISTS] INBOX always exists
k NO [CANNOT] A mailbox cannot hold other mailboxes (each is one mbox file)
* LIST (\NoInferiors) "/" INBOX
* LIST (\NoInferiors) "/" box
* LIST (\Noselect \HasChildren) "/" lvl
* LIST (\NoInferiors) "/" lvl/inner
* LIST (\NoInferiors) "/" other
l OK LIST completed'
	[ "$out" = "$expected" ]
}

@test "folders: RENAME of a level refuses when names under it would get too deep or too long" {
	d16=$(printf 'd/%.0s' $(seq 15))x
	l200=$(printf 'n%.0s' $(seq 200))
	out=$(session <<-EOF
	a CREATE $d16
	b RENAME d deeper/d
	c CREATE top/$l200/$l200
	d RENAME top ${l200}/longer
	e RENAME top t
	EOF
	)
	expected='a OK CREATE completed
b NO [CANNOT] Names under it would become too long or too deep
c OK CREATE completed
d NO [CANNOT] Names under it would become too long or too deep
e OK RENAME completed'
	[ "$out" = "$expected" ]
	[ -f "$U/$d16" ] && [ -f "$U/t/$l200/$l200" ] || false
}

@test "folders: RENAME of the selected mailbox keeps it selected under the new name" {
	deliver 1 2
	out=$(session <<-'EOF'
	a RENAME INBOX box
	b SELECT box
	c RENAME box new/place
	d NOOP
	e STATUS new/place (MESSAGES)
	f CLOSE
	EOF
	)
	expected='c OK RENAME completed
d OK NOOP completed
* STATUS new/place (MESSAGES 2)
e OK STATUS completed
f OK CLOSE completed'
	[ "$(echo "$out" | sed '1,/^b OK/d')" = "$expected" ]
}

@test "folders: a name made again gets a new UIDVALIDITY (RFC 3501 6.3.4), even in the same second" {
	deliver 1
	out=$(session <<-'EOF'
	a RENAME INBOX x
	b STATUS x (UIDVALIDITY UIDNEXT)
	c DELETE x
	d CREATE x
	e STATUS x (UIDVALIDITY UIDNEXT)
	f RENAME x y
	g CREATE x
	h STATUS x (UIDVALIDITY UIDNEXT)
	EOF
	)
	v=$(echo "$out" | status_item UIDVALIDITY | tr '\n' ' ')
	set -- $v
	[ $# -eq 3 ]
	[ "$2" -gt "$1" ] && [ "$3" -gt "$2" ] || false
	[ "$(echo "$out" | status_item UIDNEXT | tr '\n' ' ')" = "2 1 1 " ]
}

# ---- subscriptions ----

@test "folders: SUBSCRIBE and UNSUBSCRIBE keep one name a line; LSUB shows them, INBOX first" {
	out=$(session <<-'EOF'
	a CREATE Sent
	b SUBSCRIBE Sent
	c SUBSCRIBE Sent
	d SUBSCRIBE not/yet/made
	e SUBSCRIBE inbox
	f LSUB "" *
	g UNSUBSCRIBE not/yet/made
	h UNSUBSCRIBE not/yet/made
	i UNSUBSCRIBE never
	j SUBSCRIBE ../x
	k LSUB "" *
	EOF
	)
	expected='a OK CREATE completed
b OK SUBSCRIBE completed
c OK SUBSCRIBE completed
d OK SUBSCRIBE completed
e OK SUBSCRIBE completed
* LSUB () "/" INBOX
* LSUB () "/" Sent
* LSUB (\Noselect) "/" not/yet/made
f OK LSUB completed
g OK UNSUBSCRIBE completed
h NO [NONEXISTENT] Not subscribed to that name
i NO [NONEXISTENT] Not subscribed to that name
j NO [CANNOT] Invalid mailbox name
* LSUB () "/" INBOX
* LSUB () "/" Sent
k OK LSUB completed'
	[ "$out" = "$expected" ]
	[ "$(cat "$U/.subscriptions")" = "$(printf 'Sent\nINBOX')" ]
	[ ! -e "$U/.subscriptions~" ]
}

@test "folders: a subscription outlives its mailbox (RFC 3501 6.3.6), shown \\Noselect" {
	out=$(session <<-'EOF'
	a CREATE Old
	b SUBSCRIBE Old
	c DELETE Old
	d LSUB "" *
	e CREATE Old
	f LSUB "" *
	EOF
	)
	expected='a OK CREATE completed
b OK SUBSCRIBE completed
c OK DELETE completed
* LSUB (\Noselect) "/" Old
d OK LSUB completed
e OK CREATE completed
* LSUB () "/" Old
f OK LSUB completed'
	[ "$out" = "$expected" ]
}

@test "folders: LSUB with %: a level above subscribed names stands for them (RFC 3501 6.3.9)" {
	out=$(session <<-'EOF'
	a SUBSCRIBE news/comp/mail/mime
	b SUBSCRIBE news/comp/mail/misc
	c SUBSCRIBE foo/bar
	A002 LSUB "news/" "comp/mail/*"
	A003 LSUB "news/" "comp/%"
	x LSUB "" %
	y LSUB "" foo/%
	z2 LSUB "" foo
	EOF
	)
	expected='a OK SUBSCRIBE completed
b OK SUBSCRIBE completed
c OK SUBSCRIBE completed
* LSUB (\Noselect) "/" news/comp/mail/mime
* LSUB (\Noselect) "/" news/comp/mail/misc
A002 OK LSUB completed
* LSUB (\Noselect) "/" news/comp/mail
A003 OK LSUB completed
* LSUB (\Noselect) "/" foo
* LSUB (\Noselect) "/" news
x OK LSUB completed
* LSUB (\Noselect) "/" foo/bar
y OK LSUB completed
z2 OK LSUB completed'
	[ "$out" = "$expected" ]
}

@test "folders: subscriptions are bounded; names in the file that are not valid are not shown" {
	user_dir
	{ for i in $(seq 1 999); do echo "box$i"; done; echo "../escape"; echo ".hidden"; echo "box1"; echo "box1000"; } > "$U/.subscriptions"
	own "$U/.subscriptions"
	out=$(session <<-'EOF'
	a SUBSCRIBE one/more
	b UNSUBSCRIBE box7
	c SUBSCRIBE one/more
	d LSUB "" box1000
	e LSUB "" .*
	f LSUB "" *escape
	EOF
	)
	expected='a NO [LIMIT] Too many subscriptions (at most 1000)
b OK UNSUBSCRIBE completed
c OK SUBSCRIBE completed
* LSUB (\Noselect) "/" box1000
d OK LSUB completed
e OK LSUB completed
f OK LSUB completed'
	[ "$out" = "$expected" ]
	[ "$(wc -l < "$U/.subscriptions")" -eq 1000 ]
	! grep -q -e escape -e hidden "$U/.subscriptions" || false
	[ "$(grep -c '^box1$' "$U/.subscriptions")" -eq 1 ]
}

@test "folders: two sessions subscribing at once lose no name" {
	for who in p q; do
		for i in $(seq 1 30); do echo "s$i SUBSCRIBE $who$i"; done | session > "$T/$who" &
	done
	wait
	[ "$(grep -c 'OK SUBSCRIBE completed' "$T/p")" -eq 30 ]
	[ "$(grep -c 'OK SUBSCRIBE completed' "$T/q")" -eq 30 ]
	[ "$(sort -u "$U/.subscriptions" | wc -l)" -eq 60 ]
	[ "$(session <<< 'a LSUB "" *' | grep -c '^\* LSUB')" -eq 60 ]
}

# ---- LIST ----

@test "folders: LIST \"\" \"\" gives the delimiter (RFC 3501 6.3.8 examples)" {
	out=$(session <<-'EOF'
	A101 LIST "" ""
	A102 LIST news/comp/mail/misc ""
	A103 LIST "/usr/staff/jones" ""
	EOF
	)
	expected='* LIST (\Noselect) "/" ""
A101 OK LIST completed
* LIST (\Noselect) "/" ""
A102 OK LIST completed
* LIST (\Noselect) "/" ""
A103 OK LIST completed'
	[ "$out" = "$expected" ]
}

@test "folders: LIST with % and * over a hierarchy; references with and without /" {
	out=$(session <<-'EOF'
	a CREATE a/b/c
	b CREATE a/b2
	c CREATE ~/Mail/foo/bar
	d CREATE ~/Mail/meetings
	p1 LIST "" %
	p2 LIST "" a/%
	p3 LIST "" a/*
	p4 LIST "" *
	p5 LIST a %
	p6 LIST a/ %
	p7 LIST "" %/%
	p8 LIST "" a%
	A202 LIST ~/Mail/ %
	p9 LIST "" %/b*/%
	EOF
	)
	expected='a OK CREATE completed
b OK CREATE completed
c OK CREATE completed
d OK CREATE completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\Noselect \HasChildren) "/" a
* LIST (\Noselect \HasChildren) "/" ~
p1 OK LIST completed
* LIST (\Noselect \HasChildren) "/" a/b
* LIST (\NoInferiors) "/" a/b2
p2 OK LIST completed
* LIST (\Noselect \HasChildren) "/" a/b
* LIST (\NoInferiors) "/" a/b/c
* LIST (\NoInferiors) "/" a/b2
p3 OK LIST completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\Noselect \HasChildren) "/" a
* LIST (\Noselect \HasChildren) "/" a/b
* LIST (\NoInferiors) "/" a/b/c
* LIST (\NoInferiors) "/" a/b2
* LIST (\Noselect \HasChildren) "/" ~
* LIST (\Noselect \HasChildren) "/" ~/Mail
* LIST (\Noselect \HasChildren) "/" ~/Mail/foo
* LIST (\NoInferiors) "/" ~/Mail/foo/bar
* LIST (\NoInferiors) "/" ~/Mail/meetings
p4 OK LIST completed
* LIST (\Noselect \HasChildren) "/" a/b
* LIST (\NoInferiors) "/" a/b2
p5 OK LIST completed
* LIST (\Noselect \HasChildren) "/" a/b
* LIST (\NoInferiors) "/" a/b2
p6 OK LIST completed
* LIST (\Noselect \HasChildren) "/" a/b
* LIST (\NoInferiors) "/" a/b2
* LIST (\Noselect \HasChildren) "/" ~/Mail
p7 OK LIST completed
* LIST (\Noselect \HasChildren) "/" a
p8 OK LIST completed
* LIST (\Noselect \HasChildren) "/" ~/Mail/foo
* LIST (\NoInferiors) "/" ~/Mail/meetings
A202 OK LIST completed
* LIST (\NoInferiors) "/" a/b/c
p9 OK LIST completed'
	[ "$out" = "$expected" ]
}

@test "folders: INBOX is listed for any pattern that matches it in any case, before its file exists" {
	out=$(session <<-'EOF'
	a LIST "" INBOX
	b LIST "" inbox
	c LIST "" I*
	d LIST "" %x
	e LIST "" a*
	f LIST "" INBOX/*
	g CREATE aaa
	h LIST "" *
	EOF
	)
	expected='* LIST (\NoInferiors) "/" INBOX
a OK LIST completed
* LIST (\NoInferiors) "/" INBOX
b OK LIST completed
* LIST (\NoInferiors) "/" INBOX
c OK LIST completed
* LIST (\NoInferiors) "/" INBOX
d OK LIST completed
e OK LIST completed
f OK LIST completed
g OK CREATE completed
* LIST (\NoInferiors) "/" INBOX
* LIST (\NoInferiors) "/" aaa
h OK LIST completed'
	[ "$out" = "$expected" ]
	[ ! -e "$(inbox alice)" ]
}

@test "folders: store files and names that would be taken for INBOX are never listed" {
	deliver 1
	user_dir
	mkdir -p "$U/inbox/x" "$U/.hidden"
	touch "$U/Inbox" "$U/.subs-backup"
	own "$U/inbox" "$U/inbox/x" "$U/.hidden" "$U/Inbox" "$U/.subs-backup"
	out=$(session <<-'EOF'
	a SUBSCRIBE INBOX
	b SELECT INBOX
	c CLOSE
	d LIST "" *
	e LIST "" .*
	f LIST "" *index*
	g STATUS .INBOX.index (MESSAGES)
	h DELETE .subscriptions
	i RENAME INBOX .uidvalidity
	EOF
	)
	expected='* LIST (\NoInferiors) "/" INBOX
d OK LIST completed
e OK LIST completed
f OK LIST completed
g NO [CANNOT] Invalid mailbox name
h NO [CANNOT] Invalid mailbox name
i NO [CANNOT] Invalid mailbox name'
	[ "$(echo "$out" | sed '1,/^c OK/d')" = "$expected" ]
	[ -s "$U/.subscriptions" ] && [ -s "$U/.INBOX.index" ] || false
}

@test "folders: the pattern matcher does not backtrack: hard patterns on long names answer at once" {
	a150=$(printf 'a%.0s' $(seq 150))
	{ for i in $(seq 1 30); do echo "c$i CREATE $a150$i/$a150/$a150"; done; } | session > "$T/created"
	[ "$(grep -c 'OK CREATE completed' "$T/created")" -eq 30 ]
	stars=$(printf '*a%.0s' $(seq 40))
	start=$(date +%s%N)
	{ printf 'L LOGIN alice %s\r\n' "$ALICE_PW"
	  printf 'p1 LIST "" %sb\r\n' "$stars"
	  printf 'p2 LIST "" %%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%a%%/%%\r\n'
	  printf 'p3 LIST "" *%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%*%%a\r\n'
	  printf 'p4 LIST "*" %sx\r\n' "$stars"
	  printf 'Z LOGOUT\r\n'; } |
		timeout 20 "$IMAPD" -s "$SPOOL" -a "$USERS" -l "$LOG" -n "$HOST" -D 0 | replies > "$T/out"
	elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "elapsed ${elapsed} ms"
	[ "$elapsed" -lt 5000 ]
	for t in p1 p2 p3 p4; do grep -qx "$t OK LIST completed" "$T/out"; done
	# p1 and p4 match nothing, p2 the 30 middle levels, p3 those and the 30 leaves
	[ "$(sed -n '/^L OK/,/^p1 OK/p' "$T/out" | grep -c '^\* LIST')" -eq 0 ]
	[ "$(sed -n '/^p1 OK/,/^p2 OK/p' "$T/out" | grep -c '^\* LIST')" -eq 30 ]
	[ "$(sed -n '/^p2 OK/,/^p3 OK/p' "$T/out" | grep -c '^\* LIST')" -eq 60 ]
	[ "$(sed -n '/^p3 OK/,/^p4 OK/p' "$T/out" | grep -c '^\* LIST')" -eq 0 ]
}

@test "folders: LIST matches % and * as a regular-expression model does, on many patterns" {
	# leaves only: a level of one name is never another's mailbox (mbox layout)
	names='ab abc a/b a/bc a/x/c ab2/c b/a/a b/aa c%d x*y aXb a/aa/a'
	for n in $names; do echo "c CREATE \"$n\""; done | session > "$T/created"
	! grep -v 'OK CREATE completed' "$T/created" || false
	python3 - "$T/patterns" "$T/expected" $names <<-'PY'
	import random, re, sys
	pfile, efile, names = sys.argv[1], sys.argv[2], sys.argv[3:]
	# every level of every name is a name too (a level or a mailbox)
	every = set()
	for n in names:
	    parts = n.split("/")
	    for i in range(1, len(parts) + 1):
	        every.add("/".join(parts[:i]))
	def rx(p):
	    return re.compile("".join(".*" if c == "*" else "[^/]*" if c == "%" else re.escape(c) for c in p), re.S)
	random.seed(3501)
	pats = ["*", "%", "%/%", "a*", "*c", "a/%", "*/*", "%b%", "**", "%%", "*%", "a%/%"]
	while len(pats) < 150:
	    pats.append("".join(random.choice("ab/c%*X") for _ in range(random.randint(1, 6))))
	with open(pfile, "w") as pf, open(efile, "w") as ef:
	    for i, p in enumerate(pats):
	        pf.write('p%d LIST "" "%s"\n' % (i, p))
	        r = rx(p)
	        got = sorted(n for n in every if r.fullmatch(n))
	        if re.fullmatch(rx(p).pattern, "INBOX", re.I | re.S):
	            got = ["INBOX"] + got
	        ef.write("p%d%s\n" % (i, "".join(" " + n for n in got)))
	PY
	session < "$T/patterns" |
		awk '/^\* LIST/ { n = $NF; gsub(/"/, "", n); got = got " " n; next }
		     / OK LIST completed$/ { print $1 got; got = "" }' > "$T/got"
	diff -u "$T/expected" "$T/got"
}

@test "folders: LIST-EXTENDED selection options are BAD (not advertised), the session goes on" {
	out=$(session <<-'EOF'
	4 list (subscribed) "" "*"
	5 list "" "INBOX"
	EOF
	)
	expected='4 BAD [CLIENTBUG] Invalid arguments to LIST
* LIST (\NoInferiors) "/" INBOX
5 OK LIST completed'
	[ "$out" = "$expected" ]
}

@test "folders: links planted in the user's directory are never listed, followed, made through or removed" {
	user_dir
	mkdir -p "$T/outside/dir"
	echo precious > "$T/outside/file"
	echo inner > "$T/outside/dir/inner"
	own -R "$T/outside"
	ln -s "$T/outside/dir" "$U/ldir"
	ln -s "$T/outside/file" "$U/lfile"
	cp "$T/outside/file" "$U/.hl-source"
	ln "$U/.hl-source" "$U/hard"
	own "$U/ldir" "$U/lfile" "$U/.hl-source" "$U/hard"
	out=$(session <<-'EOF'
	a LIST "" *
	b STATUS lfile (MESSAGES)
	c STATUS ldir/inner (MESSAGES)
	d STATUS hard (MESSAGES)
	e DELETE lfile
	f DELETE ldir
	g DELETE ldir/inner
	h DELETE hard
	i CREATE ldir/new
	j CREATE lfile
	k RENAME lfile x
	l RENAME ldir z
	m CREATE x
	n RENAME x ldir/y
	o RENAME x lfile
	p SELECT lfile
	q LIST ldir/ *
	r SUBSCRIBE ldir/inner
	s LSUB "" *
	EOF
	)
	expected='* LIST (\NoInferiors) "/" INBOX
a OK LIST completed
b NO [NONEXISTENT] No such mailbox
c NO [NONEXISTENT] No such mailbox
d NO [NONEXISTENT] No such mailbox
e NO [NONEXISTENT] No such mailbox
f NO [NONEXISTENT] No such mailbox
g NO [NONEXISTENT] No such mailbox
h NO [NONEXISTENT] No such mailbox
i NO [CANNOT] Name taken by something that is not a mailbox or a level
j NO [CANNOT] Name taken by something that is not a mailbox or a level
k NO [NONEXISTENT] No such mailbox
l NO [NONEXISTENT] No such mailbox
m OK CREATE completed
n NO [CANNOT] Name taken by something that is not a mailbox or a level
o NO [CANNOT] Name taken by something that is not a mailbox or a level
p NO [NONEXISTENT] No such mailbox
q OK LIST completed
r OK SUBSCRIBE completed
* LSUB (\Noselect) "/" ldir/inner
s OK LSUB completed'
	[ "$out" = "$expected" ]
	[ "$(cat "$T/outside/file")" = precious ]
	[ "$(cat "$T/outside/dir/inner")" = inner ]
	[ "$(ls -A "$T/outside/dir")" = inner ]
	[ -L "$U/ldir" ] && [ -L "$U/lfile" ] && [ -f "$U/hard" ] && [ -f "$U/x" ] || false
}

# ---- STATUS ----

@test "folders: STATUS items in any order and case; RECENT is not taken by STATUS" {
	deliver 1 2 3
	out=$(session <<-'EOF'
	a STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)
	b STATUS inbox (unseen uidnext)
	c STATUS INBOX (RECENT RECENT MESSAGES)
	d EXAMINE INBOX
	EOF
	)
	v=$(echo "$out" | status_item UIDVALIDITY)
	expected="* STATUS INBOX (MESSAGES 3 RECENT 3 UIDNEXT 4 UIDVALIDITY $v UNSEEN 3)
a OK STATUS completed
* STATUS INBOX (UNSEEN 3 UIDNEXT 4)
b OK STATUS completed
* STATUS INBOX (RECENT 3 MESSAGES 3)
c OK STATUS completed"
	[ "$(echo "$out" | sed -n 1,6p)" = "$expected" ]
	echo "$out" | grep -qx '\* 3 RECENT'
}

@test "folders: STATUS of the selected mailbox answers from the session (Thunderbird does it)" {
	deliver 1 2
	out=$(session <<-'EOF'
	a SELECT INBOX
	b STORE 1 +FLAGS (\Seen)
	c STATUS INBOX (MESSAGES RECENT UNSEEN UIDNEXT)
	EOF
	)
	echo "$out" | grep -qx '\* STATUS INBOX (MESSAGES 2 RECENT 2 UNSEEN 1 UIDNEXT 3)'
	echo "$out" | grep -qx 'c OK STATUS completed'
	# a second session: the first one took \Recent
	out=$(session <<< 'd STATUS INBOX (RECENT UNSEEN)')
	[ "$(echo "$out" | sed -n 1p)" = "* STATUS INBOX (RECENT 0 UNSEEN 1)" ]
}

@test "folders: STATUS errors: nonexistent, a level, bad items and syntax" {
	out=$(session <<-'EOF'
	a CREATE lvl/box
	b STATUS nosuch (MESSAGES)
	c STATUS lvl (MESSAGES)
	d STATUS lvl/box (MESSAGES BOGUS)
	e STATUS lvl/box ()
	f STATUS lvl/box MESSAGES
	g STATUS lvl/box
	h STATUS lvl/box (MESSAGES) extra
	i STATUS (MESSAGES)
	j STATUS lvl/box (MESSAGES
	k STATUS lvl/box (MESSAGES)
	EOF
	)
	expected='a OK CREATE completed
b NO [NONEXISTENT] No such mailbox
c NO [CANNOT] Not a selectable mailbox
d BAD [CLIENTBUG] Invalid arguments to STATUS
e BAD [CLIENTBUG] Invalid arguments to STATUS
f BAD [CLIENTBUG] Invalid arguments to STATUS
g BAD [CLIENTBUG] Invalid arguments to STATUS
h BAD [CLIENTBUG] Invalid arguments to STATUS
i BAD [CLIENTBUG] Invalid arguments to STATUS
j BAD [CLIENTBUG] Invalid arguments to STATUS
* STATUS lvl/box (MESSAGES 0)
k OK STATUS completed'
	[ "$out" = "$expected" ]
}

@test "folders: STATUS of a mailbox locked longer than -L is UNAVAILABLE, never a hang" {
	session <<< 'a CREATE Sent' | grep -qx 'a OK CREATE completed'
	python3 "$LOCKHOLD" "$U/Sent" 4 > "$T/held" &
	while [ ! -s "$T/held" ]; do sleep 0.05; done
	start=$(date +%s)
	out=$(session -L 1 <<< 'b STATUS Sent (MESSAGES)')
	[ $(( $(date +%s) - start )) -le 3 ]
	wait
	[ "$out" = "b NO [UNAVAILABLE] Mailbox busy or unreadable, try again later" ]
	[ "$(session <<< 'c STATUS Sent (MESSAGES)' | sed -n 1p)" = "* STATUS Sent (MESSAGES 0)" ]
}

@test "folders: DELETE, RENAME and SUBSCRIBE wait at most -L for a lock, then UNAVAILABLE" {
	session <<-'EOF' >/dev/null
	a CREATE Held
	b SUBSCRIBE Held
	EOF
	python3 "$LOCKHOLD" "$U/Held" 8 > "$T/held1" &
	python3 "$LOCKHOLD" "$U/.subscriptions" 8 > "$T/held2" &
	while [ ! -s "$T/held1" ] || [ ! -s "$T/held2" ]; do sleep 0.05; done
	start=$(date +%s)
	out=$(session -L 1 <<-'EOF'
	c DELETE Held
	d RENAME Held Other
	e SUBSCRIBE Other
	f UNSUBSCRIBE Held
	EOF
	)
	[ $(( $(date +%s) - start )) -le 7 ]
	wait
	expected='c NO [UNAVAILABLE] Mailbox busy, try again later
d NO [UNAVAILABLE] Mailbox busy, try again later
e NO [UNAVAILABLE] Subscriptions busy, try again later
f NO [UNAVAILABLE] Subscriptions busy, try again later'
	[ "$out" = "$expected" ]
	[ -f "$U/Held" ] && [ ! -e "$U/Other" ] || false
	[ "$(cat "$U/.subscriptions")" = Held ]
	out=$(session <<-'EOF'
	g RENAME Held Other
	h DELETE Other
	EOF
	)
	[ "$out" = "$(printf 'g OK RENAME completed\nh OK DELETE completed')" ]
}

@test "folders: -v logs the LIST, LSUB and STATUS replies too" {
	session -v <<-'EOF' >/dev/null
	a SUBSCRIBE INBOX
	b LIST "" *
	c LSUB "" *
	d STATUS INBOX (MESSAGES)
	EOF
	grep -q '> \* LIST (.*NoInferiors) "/" INBOX$' "$LOG"
	grep -q '> \* LSUB () "/" INBOX$' "$LOG"
	grep -q '> \* STATUS INBOX (MESSAGES 0)$' "$LOG"
}

# ---- syntax ----

@test "folders: every command checks its arguments: BAD, and the session goes on" {
	out=$(session <<-'EOF'
	a CREATE
	b CREATE x y
	c CREATE (x)
	d DELETE
	e DELETE x y
	f RENAME x
	g RENAME x y z
	h SUBSCRIBE
	i UNSUBSCRIBE x y
	j LIST
	k LIST ""
	l LIST "" x y
	m LSUB ""
	n LSUB "" x y
	o CREATE x 
	p NOOP
	EOF
	)
	for t in a b c d e f g h i j k l m n o; do
		echo "$out" | grep -Eqx "$t BAD \[CLIENTBUG\] Invalid arguments to [A-Z]+"
	done
	echo "$out" | grep -qx 'p OK NOOP completed'
	[ -z "$(ls "$U")" ]
}

# ---- Thunderbird ----

@test "folders: Thunderbird's folder sequence (rich capabilities)" {
	r=$(printf '\0alice\0%s' "$ALICE_PW" | base64 -w0)
	{ printf '1 authenticate PLAIN\r\n%s\r\n2 namespace\r\n' "$r"
	  printf '4 list (subscribed) "" "*"\r\n5 list "" "INBOX"\r\n6 list "" "Trash"\r\n'
	  printf '7 create "Trash"\r\n8 subscribe "Trash"\r\n9 list "" "Trash"\r\n'
	  printf '10 create "Sent"\r\n11 subscribe "Sent"\r\n12 list "" "Sent"\r\n'
	  printf '13 STATUS "Sent" (UIDNEXT MESSAGES UNSEEN RECENT)\r\n14 logout\r\n'; } | imap | replies > "$T/out"
	sed -n '/^2 OK/,$p' "$T/out" | sed 1d > "$T/folders"
	cat > "$T/expected" <<-'EOF'
	4 BAD [CLIENTBUG] Invalid arguments to LIST
	* LIST (\NoInferiors) "/" INBOX
	5 OK LIST completed
	6 OK LIST completed
	7 OK CREATE completed
	8 OK SUBSCRIBE completed
	* LIST (\NoInferiors) "/" Trash
	9 OK LIST completed
	10 OK CREATE completed
	11 OK SUBSCRIBE completed
	* LIST (\NoInferiors) "/" Sent
	12 OK LIST completed
	* STATUS Sent (UIDNEXT 1 MESSAGES 0 UNSEEN 0 RECENT 0)
	13 OK STATUS completed
	* BYE facteur IMAP4rev1 server logging out
	14 OK LOGOUT completed
	EOF
	diff -u "$T/expected" "$T/folders"
}

@test "folders: Thunderbird's folder sequence (bare IMAP4rev1): list, lsub, list INBOX" {
	deliver 1
	session <<-'EOF' >/dev/null
	a CREATE Trash
	b SUBSCRIBE Trash
	c SUBSCRIBE INBOX
	EOF
	out=$(printf 'a login "alice" "%s"\r\nb list "" "*"\r\nc lsub "" "*"\r\nd list "" "INBOX"\r\ne logout\r\n' "$ALICE_PW" |
		imap | replies | sed -n '/^a OK/,$p' | sed 1d)
	expected='* LIST (\NoInferiors) "/" INBOX
* LIST (\NoInferiors) "/" Trash
b OK LIST completed
* LSUB () "/" INBOX
* LSUB () "/" Trash
c OK LSUB completed
* LIST (\NoInferiors) "/" INBOX
d OK LIST completed
* BYE facteur IMAP4rev1 server logging out
e OK LOGOUT completed'
	[ "$out" = "$expected" ]
}

# ---- end to end ----

@test "folders e2e: imaplib over TCP: create, list, lsub, subscribe, status, rename, delete" {
	deliver 1 2
	serve "$IMAPD"
	python3 - "$PORT" "$ALICE_PW" <<-'PY'
	import imaplib, re, sys
	M = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
	M.login("alice", sys.argv[2])
	def ok(r):
	    assert r[0] == "OK", r
	    return r[1]
	def no(r, code):
	    assert r[0] == "NO" and r[1][0].startswith(b"[" + code + b"]"), r
	def status(box):
	    data = ok(M.status(box, "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN RECENT)"))[0].decode()
	    return dict((k, int(v)) for k, v in re.findall(r"([A-Z]+) (\d+)", data))
	assert ok(M.list()) == [b'(\\NoInferiors) "/" INBOX']
	ok(M.create("Work/Projects"))
	ok(M.create('"My Folder"'))
	no(M.create("Work/Projects"), b"ALREADYEXISTS")
	no(M.create("a//b"), b"CANNOT")
	assert ok(M.list('""', "*")) == [
	    b'(\\NoInferiors) "/" INBOX',
	    b'(\\NoInferiors) "/" "My Folder"',
	    b'(\\Noselect \\HasChildren) "/" Work',
	    b'(\\NoInferiors) "/" Work/Projects'], M.list('""', "*")
	assert ok(M.list("Work/", "%")) == [b'(\\NoInferiors) "/" Work/Projects']
	ok(M.subscribe("Work/Projects"))
	ok(M.subscribe("INBOX"))
	assert ok(M.lsub()) == [b'() "/" INBOX', b'() "/" Work/Projects']
	assert ok(M.lsub('""', "%")) == [b'() "/" INBOX', b'(\\Noselect) "/" Work']
	no(M.rename("INBOX", "Work/Projects/x"), b"CANNOT")
	ok(M.rename("INBOX", "Old"))
	old = status("Old")
	assert old["MESSAGES"] == 2 and old["UIDNEXT"] == 3 and old["RECENT"] == 2, old
	assert status("INBOX")["MESSAGES"] == 0
	ok(M.rename("Old", "Work/Old"))
	assert status("Work/Old") == old
	typ, data = M.select("Work/Old", readonly=True)
	assert typ == "OK" and data == [b"2"], data
	assert M.untagged_responses.get("UIDVALIDITY") == [str(old["UIDVALIDITY"]).encode()]
	ok(M.close())
	ok(M.rename("Work", "Archive"))
	assert ok(M.list("Archive/", "*")) == [
	    b'(\\NoInferiors) "/" Archive/Old', b'(\\NoInferiors) "/" Archive/Projects']
	assert status("Archive/Old") == old
	no(M.delete("INBOX"), b"CANNOT")
	no(M.delete("Archive"), b"CANNOT")
	ok(M.delete("Archive/Old"))
	ok(M.delete("Archive/Projects"))
	ok(M.delete("Archive"))
	no(M.delete("Archive"), b"NONEXISTENT")
	ok(M.unsubscribe("Work/Projects"))
	no(M.unsubscribe("Work/Projects"), b"NONEXISTENT")
	assert ok(M.lsub()) == [b'() "/" INBOX']
	assert ok(M.list()) == [b'(\\NoInferiors) "/" INBOX', b'(\\NoInferiors) "/" "My Folder"']
	M.logout()
	PY
	[ -z "$(cd "$U" && ls | grep -v -e '^INBOX$' -e '^My Folder$')" ]
}
