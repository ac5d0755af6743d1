#!/usr/bin/env python3
"""The expunge race, run as often as time allows: session A stores \\Deleted
on one UID and expunges it while smtpd delivers, pop3d sessions delete, and
session B changes flags, all on one INBOX.  After every EXPUNGE, and at the
end, the mailbox is checked by content: exactly the messages that were
\\Deleted are gone, every other accepted message is there once.

usage: expunge_race.py TOP SECONDS   (TOP: the facteur checkout, built)
Prints "N rounds, M delivered, K expunged, E errors"; exits 1 on an error.
"""
import os
import poplib
import random
import re
import smtplib
import subprocess
import sys
import threading
import time

TOP, SECONDS = sys.argv[1], float(sys.argv[2])
sys.path.insert(0, os.path.join(TOP, "tests", "helpers"))
sys.path.insert(0, os.path.join(TOP, "tests", "concurrency"))
import imapclient  # noqa: E402
from spool import Spool  # noqa: E402

SUBJECT = re.compile(rb"Subject: (m\d+)")


class Race:
    def __init__(self, sp):
        self.sp = sp
        self.lock = threading.Lock()
        self.accepted, self.removed = set(), set()
        self.errors = []
        self.stop = threading.Event()
        self.rounds = 0

    def fail(self, what):
        with self.lock:
            self.errors.append(what)
        self.stop.set()

    def deliver(self, port):
        n = 0
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=30)
            while not self.stop.is_set():
                n += 1
                tag = "m%06d" % n
                s.sendmail("a@x.test", ["alice@test.lan"],
                           ("Subject: %s\r\n\r\n%s\r\n" % (tag, tag)).encode())
                with self.lock:
                    self.accepted.add(tag)
                if n % 50 == 0:
                    s.quit()
                    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
            s.quit()
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            self.fail("smtp %r" % e)

    def pop(self, port):
        while not self.stop.is_set():
            try:
                p = poplib.POP3("127.0.0.1", port, timeout=30)
                p.user("alice")
                p.pass_(self.sp.password)
                n = p.stat()[0]
                gone = []
                if n > 1:
                    k = random.choice([n, n, random.randint(1, n)])
                    head = b"\n".join(p.top(k, 0)[1])
                    tag = SUBJECT.search(head).group(1).decode()
                    if int(tag[1:]) % 5 == 0:
                        p.dele(k)
                        gone.append(tag)
                p.quit()
                with self.lock:
                    self.removed.update(gone)
            except poplib.error_proto as e:
                if b"IN-USE" not in e.args[0] and b"SYS/TEMP" not in e.args[0]:
                    self.fail("pop %r" % e)
            except Exception as e:  # noqa: BLE001
                self.fail("pop %r" % e)
            time.sleep(0.01)

    def flagger(self, port):
        try:
            c = imapclient.Client(port)
            c.ok("LOGIN alice " + self.sp.password)
            v = imapclient.View(c)
            while not self.stop.is_set():
                v.noop()
                if v.uids:
                    uid = random.choice(v.uids)
                    op = random.choice(["+FLAGS (\\Seen)", "-FLAGS (\\Seen)", "+FLAGS (\\Flagged)"])
                    v.apply(c.ok("UID STORE %d %s" % (uid, op)))
            c.ok("LOGOUT")
        except Exception as e:  # noqa: BLE001
            self.fail("imap B %r" % e)

    def expunger(self, port):
        """Session A: the newest message it knows, \\Deleted by UID, then
        EXPUNGE; the message must be gone and nothing else with it."""
        c = imapclient.Client(port)
        c.ok("LOGIN alice " + self.sp.password)
        v = imapclient.View(c)
        while not self.stop.is_set():
            v.noop()
            if not v.uids:
                continue
            uid = v.uids[-1]
            got = c.ok("UID FETCH %d (BODY.PEEK[HEADER.FIELDS (SUBJECT)])" % uid)
            v.apply([r for r in got if not re.match(rb"\* \d+ FETCH", r)])
            tags = [m.group(1).decode() for m in map(SUBJECT.search, got) if m]
            if len(tags) != 1:
                continue        # expunged by pop3d meanwhile
            v.apply(c.ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid))
            v.apply(c.ok("EXPUNGE"))
            with self.lock:
                self.removed.add(tags[0])
                self.rounds += 1
            self.verify(settle=False)
        c.ok("LOGOUT")

    def verify(self, settle):
        """What the mbox holds against what the clients were told.  While
        deliveries run, a message may be in the file before its 250 and a
        pop3d deletion may land before its +OK; so mid-run only the removed
        ones that are still there, or accepted ones that are missing, count."""
        with self.lock:
            accepted, removed = set(self.accepted), set(self.removed)
        left = self.sp.tags("alice", SUBJECT)
        dup = {t for t in left if left.count(t) > 1}
        if dup:
            self.fail("duplicated: %s" % sorted(dup))
        back = set(left) & removed
        # a pop3d DELE+QUIT is counted after +OK: a removal seen in the file
        # before it is counted here is normal mid-run
        lost = accepted - removed - set(left)
        if back:
            self.fail("expunged but still there: %s" % sorted(back))
        if lost and settle:
            self.fail("lost: %s" % sorted(lost))
        elif lost:
            time.sleep(0.2)     # a pop3d UPDATE whose +OK is on its way
            with self.lock:
                lost -= self.removed
            if lost:
                self.fail("lost: %s" % sorted(lost))


def main():
    sp = Spool(TOP)
    race = Race(sp)
    try:
        sport = sp.serve("smtpd/smtpd", ["-d", "test.lan"])
        pport = sp.serve("pop3d/pop3d", [])
        iport = sp.serve("imapd/imapd", [])
        workers = [threading.Thread(target=race.deliver, args=(sport,), daemon=True),
                   threading.Thread(target=race.pop, args=(pport,), daemon=True),
                   threading.Thread(target=race.flagger, args=(iport,), daemon=True)]
        for w in workers:
            w.start()
        timer = threading.Timer(SECONDS, race.stop.set)
        timer.start()
        try:
            race.expunger(iport)
        except Exception as e:  # noqa: BLE001
            race.fail("imap A %r" % e)
        race.stop.set()
        timer.cancel()
        for w in workers:
            w.join(60)
        if not race.errors:
            race.verify(settle=True)
    finally:
        sp.close()
    print("%d rounds, %d delivered, %d expunged, %d errors" % (
        race.rounds, len(race.accepted), len(race.removed), len(race.errors)))
    for e in race.errors[:5]:
        print("error:", e)
    return 1 if race.errors or race.rounds == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
