#!/usr/bin/env python3
"""Torture run: on one spool, for a bounded time, 50 SMTP sessions deliver
to 3 users, 10 POP3 sessions RETR and DELE, 10 IMAP sessions FETCH, STORE,
COPY, MOVE, EXPUNGE and APPEND, and a killer sends SIGKILL to random
facteur processes.  Then the invariants are checked:

  - every message that got 250/OK exists exactly once (plus its copies),
    unless a command that succeeded removed it; a message whose command
    was cut short (no answer) may or may not exist, but never twice;
  - nothing else exists, and every message is intact;
  - every mbox parses and every index agrees with its mbox;
  - an EXPUNGE answered OK removed the message read under that UID (by
    content: its token is no longer found under that UID);
  - no stale lock blocks a new session.

Each message carries a token in its Subject, and its body is derived from
the token, so that any mix-up or truncation shows.

usage: torture.py TOP SECONDS   (TOP: the facteur checkout, built)
"""
import hashlib
import os
import poplib
import random
import re
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time

TOP, SECONDS = sys.argv[1], float(sys.argv[2])
HOST = "127.0.0.1"      # where the clients connect (multihost.py: the balancer)
USERS = ["alice", "bob", "carol"]
PASSWORD = {u: u + "-torture" for u in USERS}
MAILBOXES = ["INBOX", "Box"]
sys.path.insert(0, os.path.join(TOP, "tests", "helpers"))
sys.path.insert(0, os.path.join(TOP, "tests", "concurrency"))
import imapclient  # noqa: E402
from spool import Spool  # noqa: E402


def body_of(token):
    """The body a token's message must have: long enough to cross buffers."""
    seed = hashlib.sha256(token.encode()).hexdigest()
    lines = int(seed[:2], 16) % 40 + 1
    text = "".join("%s line %d %s\r\n" % (token, k, seed) for k in range(lines))
    return text + ".dot line\r\nFrom line\r\n"


def message_of(token):
    return ("Subject: %s\r\nX-Check: %s\r\n\r\n%s" % (token, hashlib.sha256(
        body_of(token).encode()).hexdigest()[:16], body_of(token))).encode()


class Ledger:
    """What the clients were told, per user: a token's count across the
    user's mailboxes must end in [low, high].  A command answered OK moves
    both ends; one cut short (no answer) moves only the end it could."""

    def __init__(self):
        self.lock = threading.Lock()
        self.low, self.high = {}, {}
        self.figures = dict(accepted=0, uncertain=0, deleted=0, moved=0, copied=0,
                            appended=0, fetched=0, sessions=0)

    def add(self, user, token, certain, figure):
        """A message came to exist (delivery, APPEND, COPY), or may have."""
        with self.lock:
            key = (user, token)
            self.low[key] = self.low.get(key, 0) + (1 if certain else 0)
            self.high[key] = self.high.get(key, 0) + 1
            self.figures[figure if certain else "uncertain"] += 1

    def remove(self, user, token, answered):
        """DELE+QUIT or EXPUNGE of a message.  Even an OK does not prove
        this command removed it: another session may have expunged or
        moved it first (the command then removes nothing and still says
        OK).  So a removal only lowers the lower end."""
        with self.lock:
            key = (user, token)
            self.low[key] = self.low.get(key, 0) - 1
            self.figures["deleted"] += answered

    def count(self, figure):
        with self.lock:
            self.figures[figure] += 1


def serve(prog, spool, users, log, extra):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    args = ["systemd-socket-activate", "--inetd", "-a", "-l", "127.0.0.1:%d" % port,
            os.path.join(TOP, prog), "-s", spool, "-a", users, "-l", log, "-n", "mx.test",
            "-D", "0", "-L", "20"] + extra
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("%s never listened" % prog)


def spool_procs(spool):
    """{pid: parent pid} of the facteur processes serving this spool."""
    progs = {os.path.join(TOP, p).encode() for p in ("smtpd/smtpd", "pop3d/pop3d", "imapd/imapd")}
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
            with open("/proc/%s/stat" % entry, "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if len(argv) > 2 and argv[0] in progs and argv[2] == spool.encode():
            found[int(entry)] = ppid
    return found


class Run:
    def __init__(self):
        sp = Spool(TOP, passwords=PASSWORD, prefix="facteur-torture.")
        self.dir, self.spool, self.users, self.log = sp.dir, sp.spool, sp.users, sp.log
        self.ledger = Ledger()
        self.stop = threading.Event()
        self.seq = 0
        self.seq_lock = threading.Lock()
        self.kills = 0
        self.errors = []
        self.uids = {}          # (user, box, UIDVALIDITY, UID) -> token FETCHed

    def token(self, kind):
        with self.seq_lock:
            self.seq += 1
            return "%s%06d" % (kind, self.seq)

    # ---- the workers ----

    def smtp_worker(self, port):
        while not self.stop.is_set():
            token = None
            user = None
            try:
                s = smtplib.SMTP(HOST, port, timeout=30)
                for _ in range(random.randint(1, 10)):
                    if self.stop.is_set():
                        break
                    user, token = random.choice(USERS), self.token("S")
                    s.sendmail("t@x.test", ["%s@test.lan" % user], message_of(token))
                    self.ledger.add(user, token, True, "accepted")
                    token = None
                s.quit()
            except (OSError, smtplib.SMTPException):
                if token:
                    self.ledger.add(user, token, False, "accepted")
            self.ledger.count("sessions")

    def check_message(self, token, data):
        want = message_of(token)
        if not data.endswith(want):
            self.errors.append("message %s is not intact" % token)

    def pop_worker(self, port):
        while not self.stop.is_set():
            user = random.choice(USERS)
            deleted = []
            quitting = False
            try:
                p = poplib.POP3(HOST, port, timeout=30)
                p.user(user)
                p.pass_(PASSWORD[user])
                count = p.stat()[0]
                for n in random.sample(range(1, count + 1), min(count, 3)):
                    lines = p.retr(n)[1]
                    data = b"\r\n".join(lines) + b"\r\n"
                    token = re.search(rb"Subject: (\w+)", data).group(1).decode()
                    self.check_message(token, data)
                    self.ledger.count("fetched")
                    if random.random() < 0.5:
                        p.dele(n)
                        deleted.append(token)
                quitting = True
                p.quit()
                for t in deleted:
                    self.ledger.remove(user, t, True)
            except poplib.error_proto as e:
                why = e.args[0] if isinstance(e.args[0], bytes) else e.args[0].encode()
                if why.startswith(b"-ERR EOF"):		# the server was killed
                    if quitting:
                        for t in deleted:
                            self.ledger.remove(user, t, False)
                elif b"IN-USE" in why:			# another POP3 session
                    time.sleep(0.05)
                elif b"SYS/TEMP" not in why:		# a message gone, or busy
                    self.errors.append("pop3: %r" % e)
            except (OSError, EOFError):
                if quitting:
                    for t in deleted:
                        self.ledger.remove(user, t, False)
            self.ledger.count("sessions")

    def imap_op(self, c, user, box, uids):
        """One random operation on a message of the selected mailbox."""
        uid = random.choice(uids)
        got = c.ok("UID FETCH %d (BODY.PEEK[])" % uid)
        hit = [r for r in got if re.match(rb"\* \d+ FETCH \(UID \d+ BODY\[\] \{", r)]
        if not hit:
            return              # expunged by someone else meanwhile
        data = hit[0].split(b"\r\n", 1)[1].rsplit(b")", 1)[0]
        token = re.search(rb"Subject: (\w+)", data).group(1).decode()
        self.check_message(token, data)
        self.ledger.count("fetched")
        with self.seq_lock:     # a UID never names other content
            key = (user, box, c.uidvalidity, uid)
            if self.uids.setdefault(key, token) != token:
                self.errors.append("%s/%s UID %d was %s, now %s" % (
                    user, box, uid, self.uids[key], token))
        op = random.choice(["store", "copy", "move", "expunge", "none"])
        other = "Box" if box == "INBOX" else "INBOX"
        try:
            if op == "store":
                c.ok("UID STORE %d +FLAGS (\\Flagged $T%d)" % (uid, random.randint(0, 9)))
            elif op == "copy":
                status, _ = c.cmd("UID COPY %d %s" % (uid, other))
                if status.startswith(b"OK [COPYUID"):
                    self.ledger.add(user, token, True, "copied")
                elif status.startswith(b"OK"):	# gone meanwhile: nothing copied
                    pass
            elif op == "move":
                status, _ = c.cmd("UID MOVE %d %s" % (uid, other))
                if status.startswith(b"OK"):
                    self.ledger.count("moved")
                elif b"originals could not be removed" in status:
                    self.ledger.add(user, token, True, "copied")
            elif op == "expunge":
                c.ok("UID STORE %d +FLAGS.SILENT (\\Deleted)" % uid)
                status, _ = c.cmd("UID EXPUNGE %d" % uid)
                if status.startswith(b"OK"):
                    self.ledger.remove(user, token, True)
                    self.check_expunged(c, box, uid, token)
        except (OSError, EOFError):
            # cut short: a copy or a move may have made a second one, an
            # expunge may have happened
            if op in ("copy", "move"):
                self.ledger.add(user, token, False, "copied")
            elif op == "expunge":
                self.ledger.remove(user, token, False)
            raise

    def check_expunged(self, c, box, uid, token):
        """An EXPUNGE removes exactly the UIDs that were \\Deleted: the
        message read under this UID (by content, its token) is gone; a
        message lost instead shows in the ledger's lower bound."""
        try:
            got = c.ok("UID SEARCH HEADER Subject %s" % token)
        except (OSError, EOFError):
            return              # killed: the expunge itself was answered
        left = [int(x) for r in got if r.startswith(b"* SEARCH") for x in r.split()[2:]]
        if uid in left:
            self.errors.append("%s UID %d (%s) still there after its EXPUNGE" % (box, uid, token))

    def imap_worker(self, port):
        while not self.stop.is_set():
            user, box = random.choice(USERS), random.choice(MAILBOXES)
            token = None
            try:
                c = imapclient.Client(port, HOST)
                c.ok("LOGIN %s %s" % (user, PASSWORD[user]))
                status, lines = c.cmd("SELECT " + box)
                if not status.startswith(b"OK"):
                    continue
                c.uidvalidity = re.search(rb"UIDVALIDITY (\d+)", b" ".join(lines)).group(1)
                for _ in range(random.randint(1, 8)):
                    if self.stop.is_set():
                        break
                    if random.random() < 0.2:
                        token = self.token("A")
                        m = message_of(token)
                        status, _ = c.cmd("APPEND %s {%d+}\r\n%s" % (box, len(m), m.decode()))
                        if status.startswith(b"OK"):
                            self.ledger.add(user, token, True, "appended")
                        token = None
                        continue
                    got = c.ok("UID SEARCH ALL")
                    uids = [int(x) for r in got if r.startswith(b"* SEARCH")
                            for x in r.split()[2:]]
                    if uids:
                        self.imap_op(c, user, box, uids)
                c.cmd("LOGOUT")
            except (OSError, EOFError):
                if token:
                    self.ledger.add(user, token, False, "appended")
            except AssertionError as e:
                self.errors.append("imap: %r" % e)
            self.ledger.count("sessions")

    def facteur_pids(self):
        """Session processes on this spool: the superservers' children.
        (Not their children in turn: a sanitized build forks helpers under
        the same name, such as the leak checker's tracer, whose death
        would leave its parent waiting for ever.)"""
        return [pid for pid, ppid in spool_procs(self.spool).items() if ppid in self.servers]

    def leftovers(self, wait):
        """Session processes still running `wait` seconds after every client
        has gone (one waiting for a lock may take up to -L): each is a hang."""
        deadline = time.time() + wait
        while True:
            pids = self.facteur_pids()
            if not pids or time.time() > deadline:
                break
            time.sleep(0.1)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return ["process %d still running after its client left" % pid for pid in pids]

    def killer(self):
        while not self.stop.is_set():
            pids = self.facteur_pids()
            if not pids:
                time.sleep(0.01)	# sessions are short: look again soon
                continue
            try:
                os.kill(random.choice(pids), signal.SIGKILL)
                self.kills += 1
            except ProcessLookupError:
                pass
            time.sleep(random.uniform(0.1, 0.4))

    # ---- the checks ----

    def check(self, iport, pport):
        violations = []
        check = os.path.join(TOP, "tests/helpers/mboxcheck")
        found = {}
        for user in USERS:
            # a new session of each kind must get in: no stale lock
            c = imapclient.Client(iport, HOST)
            c.ok("LOGIN %s %s" % (user, PASSWORD[user]))
            for box in MAILBOXES:
                status, _ = c.cmd("SELECT " + box)
                if not status.startswith(b"OK"):
                    violations.append("%s %s cannot be selected: %r" % (user, box, status))
            c.cmd("LOGOUT")
            p = poplib.POP3(HOST, pport, timeout=30)
            p.user(user)
            p.pass_(PASSWORD[user])
            p.quit()
            for box in MAILBOXES:
                path = os.path.join(self.spool, user, box)
                if not os.path.exists(path):
                    continue
                r = subprocess.run([check, "-i", path], capture_output=True, text=True)
                if r.returncode != 0:
                    violations.append("%s: %s" % (path, r.stderr.strip()))
                n = int(r.stdout.split()[0])
                dump = subprocess.run([check, "-a", path], capture_output=True).stdout
                at = 0
                for k in range(1, n + 1):
                    nl = dump.index(b"\n", at)
                    size = int(dump[at:nl])
                    data, at = dump[nl + 1:nl + 1 + size], nl + 1 + size
                    m = re.search(rb"Subject: (\w+)", data)
                    if not m:
                        violations.append("%s message %d has no token" % (path, k))
                        continue
                    token = m.group(1).decode()
                    if not data.endswith(message_of(token)):
                        violations.append("%s message %s is damaged" % (path, token))
                    found[(user, token)] = found.get((user, token), 0) + 1
        for key in set(found) | set(self.ledger.low):
            have = found.get(key, 0)
            low = max(self.ledger.low.get(key, 0), 0)
            high = self.ledger.high.get(key, 0)
            if key not in self.ledger.high:
                violations.append("%s: %s exists but was never sent" % key)
            elif not low <= have <= high:
                violations.append("%s: %s: %d copies, expected %d..%d" % (key + (have, low, high)))
        return violations, sum(found.values())

    def make_boxes(self, iport):
        """The second mailbox of each user."""
        for user in USERS:
            c = imapclient.Client(iport, HOST)
            c.ok("LOGIN %s %s" % (user, PASSWORD[user]))
            c.cmd("CREATE Box")
            c.cmd("LOGOUT")

    def start(self, ports, counts, extra=()):
        """Start the workers: counts of SMTP, POP3 and IMAP clients on the
        ports (SMTP, POP3, IMAP), and any extra thread targets."""
        workers = (self.smtp_worker, self.pop_worker, self.imap_worker)
        threads = [threading.Thread(target=w, args=(port,))
                   for w, port, n in zip(workers, ports, counts) for _ in range(n)]
        threads += [threading.Thread(target=t) for t in extra]
        for t in threads:
            t.daemon = True
            t.start()
        return threads

    def finish(self, threads):
        self.stop.set()
        for t in threads:
            t.join(60)
        time.sleep(0.5)

    def report(self, line, violations):
        """Print the figures and the first violations; 0 when none."""
        violations = violations + self.errors
        print("%s, %d invariant violations" % (line, len(violations)))
        for v in violations[:20]:
            print("  " + v)
        if not violations:
            subprocess.run(["rm", "-rf", self.dir])
        else:
            print("  spool kept in " + self.dir)
        return 1 if violations else 0

    def go(self):
        sp, sport = serve("smtpd/smtpd", self.spool, self.users, self.log, ["-d", "test.lan"])
        pp, pport = serve("pop3d/pop3d", self.spool, self.users, self.log, [])
        ip, iport = serve("imapd/imapd", self.spool, self.users, self.log, os.environ.get("TORTURE_IMAPD_FLAGS", "").split())
        procs = [sp, pp, ip]
        self.servers = {p.pid for p in procs}
        self.make_boxes(iport)
        threads = self.start((sport, pport, iport), (50, 10, 10), [self.killer])
        time.sleep(SECONDS)
        self.finish(threads)
        violations, stored = self.check(iport, pport)
        violations += self.leftovers(30)
        for p in procs:
            p.terminate()
            p.wait()
        f = self.ledger.figures
        return self.report(
            "torture: %ds, %d sessions, %d messages accepted (+%d unanswered), %d appended, "
            "%d fetched, %d deleted, %d moved, %d copied, %d processes killed, "
            "%d messages stored" % (
                SECONDS, f["sessions"], f["accepted"], f["uncertain"], f["appended"],
                f["fetched"], f["deleted"], f["moved"], f["copied"], self.kills, stored),
            violations)

if __name__ == "__main__":
    sys.exit(Run().go())
