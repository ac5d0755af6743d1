#!/usr/bin/python3
"""A scripted hostile server for the client tests, on stdin/stdout (run it
with a client's -c).  fakeserver.py MODE LOG: every command line received
is appended to LOG, so a test can tell whether DELE, STORE or EXPUNGE was
ever sent.  MODE picks the misbehaviour; the size of a long line comes from
the environment (FAKE_LEN, bytes of the line with its CRLF), the number of
literals in the FETCH response of mode imap-literals from FAKE_LITS."""
import os
import sys

mode, logpath = sys.argv[1], sys.argv[2]
out = sys.stdout.buffer
inp = sys.stdin.buffer
log = open(logpath, "ab", buffering=0)
LEN = int(os.environ.get("FAKE_LEN", "100"))
LITS = int(os.environ.get("FAKE_LITS", "1"))
MSG = b"Subject: x\r\n\r\nbody line\r\n"


def send(b):
    out.write(b)
    out.flush()


def line():
    l = inp.readline()
    if not l:
        sys.exit(0)
    log.write(l)
    return l.rstrip(b"\r\n")


def padded(prefix):
    """prefix padded with x to LEN bytes, CRLF included."""
    return prefix + b"x" * (LEN - len(prefix) - 2) + b"\r\n"


def forever(b):
    try:
        while True:
            send(b * 1000)
    except (BrokenPipeError, ConnectionResetError):
        sys.exit(0)


def pop3():
    send(padded(b"+OK ") if mode == "pop3-longline" else b"+OK ready\r\n")
    while True:
        cmd = line().split(b" ")[0].upper()
        if cmd == b"CAPA":
            send(b"+OK\r\nUSER\r\n.\r\n")
        elif cmd in (b"USER", b"PASS", b"NOOP", b"DELE"):
            send(b"+OK\r\n")
        elif cmd == b"LIST":
            send(b"+OK\r\n")
            if mode == "pop3-endless":
                forever(b"1 100\r\n")
            send(b"1 %d\r\n.\r\n" % len(MSG))
        elif cmd == b"UIDL":
            send(b"+OK\r\n1 uid-one\r\n.\r\n")
        elif cmd == b"RETR":
            send(b"+OK\r\n")
            if mode == "pop3-cut":
                send(MSG[:15])
                sys.exit(0)
            if mode == "pop3-endless-retr":
                forever(b"more\r\n")
            send(MSG + b".\r\n")
        elif cmd == b"QUIT":
            send(b"+OK bye\r\n")
            sys.exit(0)
        else:
            send(b"-ERR what\r\n")


def smtp():
    if mode == "smtp-longline":
        send(padded(b"220 "))
    else:
        send(b"220 fake ESMTP\r\n")
    while True:
        l = line()
        verb = l.split(b" ")[0].upper()
        if verb == b"EHLO":
            if mode == "smtp-endless":
                forever(b"250-KEYWORD\r\n")
            send(b"250-fake\r\n250 8BITMIME\r\n")
        elif verb == b"RCPT" and mode == "smtp-rcpt-450":
            send(b"450 4.2.1 try later\r\n")
        elif verb == b"RCPT" and mode == "smtp-rcpt-550":
            send(b"550 5.1.1 no such user\r\n")
        elif verb == b"DATA":
            if mode == "smtp-data-554":
                send(b"554 5.7.1 no\r\n")
                continue
            send(b"354 go\r\n")
            while line() != b".":
                pass
            send(b"250 ok\r\n")
        elif verb == b"QUIT":
            send(b"221 bye\r\n")
            sys.exit(0)
        else:
            send(b"250 ok\r\n")


def imap():
    if mode == "imap-longline":
        send(padded(b"* OK "))
    elif mode == "imap-nocaps":
        # no list in the greeting; LOGIN disabled; SASL without SASL-IR
        send(b"* OK fake\r\n")
    else:
        send(b"* OK [CAPABILITY IMAP4rev1 UIDPLUS] fake\r\n")
    while True:
        l = line()
        tag, cmd = (l.split(b" ", 2) + [b"", b""])[:2]
        rest = l[len(tag) + 1:].upper()
        if rest.startswith(b"CAPABILITY"):
            caps = b"IMAP4rev1" if mode == "imap-nouidplus" else b"IMAP4rev1 UIDPLUS"
            if mode == "imap-nocaps":
                caps += b" LOGINDISABLED AUTH=PLAIN"
            send(b"* CAPABILITY %s\r\n%s OK done\r\n" % (caps, tag))
        elif mode == "imap-nocaps" and rest.startswith(b"LOGIN"):
            send(b"%s NO LOGIN is disabled\r\n" % tag)
        elif mode == "imap-nocaps" and rest.startswith(b"AUTHENTICATE"):
            if rest != b"AUTHENTICATE PLAIN":
                send(b"%s BAD no initial response without SASL-IR\r\n" % tag)
                continue
            send(b"+ \r\n")
            line()
            send(b"%s OK done\r\n" % tag)
        elif rest.startswith(b"UID SEARCH DELETED"):
            # another client has marked message 3 \Deleted too
            send(b"* SEARCH 3 7\r\n%s OK done\r\n" % tag)
        elif rest.startswith(b"UID SEARCH"):
            if mode == "imap-endless":
                forever(b"* OK still here\r\n")
            send(b"* SEARCH 7\r\n%s OK done\r\n" % tag)
        elif rest.startswith(b"UID FETCH"):
            if mode == "imap-literal":
                # announces 10 bytes, sends the whole message
                send(b"* 1 FETCH (UID 7 BODY[] {10}\r\n" + MSG + b")\r\n")
                send(b"%s OK done\r\n" % tag)
            elif mode == "imap-literals":
                # LITS literals in one response the client ignores, then
                # the message
                send(b"* XPAD" + b"".join(b" {1}\r\nx" for i in range(LITS)) + b"\r\n")
                send(b"* 1 FETCH (UID 7 BODY[] {%d}\r\n" % len(MSG) + MSG + b")\r\n")
                send(b"%s OK done\r\n" % tag)
            elif mode == "imap-cut":
                send(b"* 1 FETCH (UID 7 BODY[] {%d}\r\n" % len(MSG) + MSG[:12])
                sys.exit(0)
            elif mode == "imap-short":
                # announces more than it sends, then waits
                send(b"* 1 FETCH (UID 7 BODY[] {500}\r\n" + MSG + b")\r\n%s OK done\r\n" % tag)
            else:
                send(b"* 1 FETCH (UID 7 BODY[] {%d}\r\n" % len(MSG) + MSG + b")\r\n")
                send(b"%s OK done\r\n" % tag)
        elif rest.startswith(b"LOGOUT"):
            send(b"* BYE bye\r\n%s OK done\r\n" % tag)
            sys.exit(0)
        else:
            send(b"%s OK done\r\n" % tag)


{"pop3": pop3, "smtp": smtp, "imap": imap}[mode.split("-")[0]]()
