#!/usr/bin/env python3
"""A stress run in the manner of imaptest's: SESSIONS imapd sessions on one
INBOX, each doing APPEND, FETCH, STORE and EXPUNGE at random, racing.  Every
reply is checked:

  - every command is answered OK (STORE too when another session has
    just expunged one of its messages, as Dovecot);
  - a UID always shows the same content, in every session;
  - UIDVALIDITY never changes, and no session is sent BYE;
  - EXISTS never goes below the messages a session knows (imapclient.View).

usage: stress.py TOP SECONDS [SESSIONS]   (TOP: the facteur checkout, built)
Prints "N commands, M appended, K expunged, E errors"; exits 1 on an error.
"""
import hashlib
import os
import random
import re
import sys
import threading

TOP, SECONDS = sys.argv[1], float(sys.argv[2])
SESSIONS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
sys.path.insert(0, os.path.join(TOP, "tests", "helpers"))
sys.path.insert(0, os.path.join(TOP, "tests", "concurrency"))
import imapclient  # noqa: E402
from spool import Spool  # noqa: E402

KEYWORDS = ["$Label1", "$Label2", "$Work", "Junk"]


def message_of(token):
    body = "".join("%s line %d\r\n" % (token, k) for k in range(int(token[1:]) % 30 + 1))
    return ("Subject: %s\r\n\r\n%s" % (token, body)).encode()


class Stress:
    def __init__(self, sp):
        self.sp = sp
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.content = {}       # UID -> digest of what a FETCH showed
        self.uidvalidity = None
        self.seq = 0
        self.errors = []
        self.figures = dict(commands=0, appended=0, expunged=0)

    def fail(self, what):
        with self.lock:
            self.errors.append(what)
        self.stop.set()

    def count(self, figure, n=1):
        with self.lock:
            self.figures[figure] += n

    def token(self):
        with self.lock:
            self.seq += 1
            return "s%06d" % self.seq

    def ok(self, c, command):
        status, untagged = c.cmd(command)
        self.count("commands")
        if not status.startswith(b"OK"):
            raise AssertionError("%s: %r" % (command.split("\r\n")[0][:60], status))
        for r in untagged:
            if r.startswith(b"* BYE"):
                raise AssertionError("%s: %r" % (command[:60], r))
            m = re.match(rb"\* OK \[UIDVALIDITY (\d+)\]", r)
            if m:
                self.same_uidvalidity(int(m.group(1)))
        return untagged

    def same_uidvalidity(self, v):
        with self.lock:
            if self.uidvalidity is None:
                self.uidvalidity = v
            elif v != self.uidvalidity:
                raise AssertionError("UIDVALIDITY %d, was %d" % (v, self.uidvalidity))

    def seen(self, uid, data):
        """The content a FETCH showed under uid: intact, and never another."""
        token = re.search(rb"Subject: (s\d+)", data)
        if not token or message_of(token.group(1).decode()) != data:
            raise AssertionError("UID %d: not an intact message: %r" % (uid, data[:60]))
        digest = hashlib.sha256(data).hexdigest()
        with self.lock:
            was = self.content.setdefault(uid, digest)
        if was != digest:
            raise AssertionError("UID %d changed content" % uid)

    def op_fetch(self, c, v):
        uids = random.sample(v.uids, min(len(v.uids), 3))
        got = self.ok(c, "UID FETCH %s (UID FLAGS BODY.PEEK[])" % ",".join(map(str, uids)))
        for r in got:
            m = re.match(rb"\* \d+ FETCH \(UID (\d+) FLAGS \([^)]*\) BODY\[\] \{\d+\}\r\n", r)
            if m:
                self.seen(int(m.group(1)), r[m.end():].rsplit(b")", 1)[0])
        v.apply([r for r in got if not re.match(rb"\* \d+ FETCH", r)])

    def op_store(self, c, v):
        """By UID or by sequence number: either is OK even when another
        session expunged the message meanwhile (as Dovecot)."""
        k = random.randrange(len(v.uids))
        what = random.choice(["UID STORE %d" % v.uids[k], "STORE %d" % (k + 1)])
        flag = random.choice(["\\Seen", "\\Flagged", "\\Answered"] + KEYWORDS)
        v.apply(self.ok(c, "%s %sFLAGS (%s)" % (what, random.choice("+-"), flag)))

    def op_expunge(self, c, v):
        uid = random.choice(v.uids)
        v.apply(self.ok(c, "UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid))
        v.apply(self.ok(c, random.choice(["EXPUNGE", "UID EXPUNGE %d" % uid])))
        self.count("expunged")

    def op_append(self, c, v):
        m = message_of(self.token())
        v.apply(self.ok(c, "APPEND INBOX {%d+}\r\n%s" % (len(m), m.decode())))
        self.count("appended")

    def session(self):
        try:
            c = imapclient.Client(self.sp.imap_port)
            self.ok(c, "LOGIN alice " + self.sp.password)
            status, untagged = c.cmd("SELECT INBOX")
            if not status.startswith(b"OK"):
                raise AssertionError("SELECT: %r" % status)
            v = imapclient.View.__new__(imapclient.View)
            v.c, v.uids = c, []
            self.ok_untagged(untagged)
            v.apply(untagged)
            while not self.stop.is_set():
                op = random.choice([self.op_fetch, self.op_fetch, self.op_store,
                                    self.op_expunge, self.op_append, self.op_append])
                if op == self.op_append or v.uids:
                    op(c, v)
                else:
                    v.apply(self.ok(c, "NOOP"))
            v.check()
            c.cmd("LOGOUT")
        except Exception as e:  # noqa: BLE001 - every failure is a finding
            self.fail("%s: %r" % (threading.current_thread().name, e))

    def ok_untagged(self, untagged):
        for r in untagged:
            m = re.match(rb"\* OK \[UIDVALIDITY (\d+)\]", r)
            if m:
                self.same_uidvalidity(int(m.group(1)))


def main():
    sp = Spool(TOP)
    st = Stress(sp)
    try:
        sp.imap_port = sp.serve("imapd/imapd", [])
        threads = [threading.Thread(target=st.session, name="session%d" % i, daemon=True)
                   for i in range(SESSIONS)]
        for t in threads:
            t.start()
        st.stop.wait(SECONDS)
        st.stop.set()
        for t in threads:
            t.join(60)
            if t.is_alive():
                st.errors.append("%s did not finish" % t.name)
    finally:
        sp.close()
    f = st.figures
    print("%d commands, %d appended, %d expunged, %d errors" % (
        f["commands"], f["appended"], f["expunged"], len(st.errors)))
    for e in st.errors[:5]:
        print("error:", e)
    return 1 if st.errors or f["appended"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
