# What the clients suites share: the four programs, the servers as -c
# commands on the test's spool, and password files.
# shellcheck shell=bash

POPLS=$TOP/clients/popls
SMTPSEND=$TOP/clients/smtpsend
POPXFER=$TOP/clients/popxfer
IMAPDRAIN=$TOP/clients/imapdrain
FAKE=$TOP/tests/helpers/fakeserver.py

# sysexits.h
EX_USAGE=64 EX_DATAERR=65 EX_NOUSER=67 EX_UNAVAILABLE=69 EX_IOERR=74
EX_TEMPFAIL=75 EX_PROTOCOL=76 EX_NOPERM=77

setup_clients() {
	setup_spool
	echo "$ALICE_PW" > "$T/alice.pw"
	echo "$BOB_PW" > "$T/bob.pw"
	SMTP_CMD="$SMTPD -s $SPOOL -a $USERS -l $LOG -n $HOST -d $DOMAIN -D 0"
	POP3_CMD="$POP3D -s $SPOOL -a $USERS -l $LOG -n $HOST -D 0"
	IMAP_CMD="$IMAPD -s $SPOOL -a $USERS -l $LOG -n $HOST -D 0"
	# no controlling terminal: a missing password must fail, not prompt
	unset POPLS_PASSWORD SMTPSEND_PASSWORD POPXFER_PASSWORD IMAPDRAIN_PASSWORD
}

# A message with what clients get wrong: a leading dot, a From_ line,
# 8-bit bytes, an empty line.
sample_message() {
	printf 'From: Sender <sender@remote.test>\nTo: alice@%s\nSubject: %s\nMessage-ID: <%s@remote.test>\n\n' \
		"$DOMAIN" "${1:-sample}" "${1:-sample}"
	printf '.leading dot\n..two dots\nFrom the start of a line\n>From quoted\n\ncaf\xc3\xa9 8-bit\nlast line\n'
}

# mboxrd back to the message: drop the From_ line and the last (blank)
# line, take one '>' off ^>+From.
unmbox() { sed -e '1d' -e '$d' -e 's/^>\(>*From \)/\1/'; }
