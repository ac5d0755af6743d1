#!/usr/bin/env python3
"""The torture workload (tests/torture/torture.py) through HAProxy, in
front of HOSTS hosts that share one spool (tests/multihost/net builds the
network).  For SECONDS: SMTP, POP3 and IMAP sessions from the client
namespace go to the balancer; after a third of the time host 2 is killed,
sessions and all, and after two thirds it is started again.  Then the
torture invariants are checked (every accepted message stored exactly
once, nothing else, every index agrees with its mbox, no UID names other
content), and the hosts' logs must show the client's own address.

Run inside the client namespace:  multihost.py TOP SECONDS HOSTS DIR
(DIR: the network's directory, as given to `net up`)."""
import csv
import io
import os
import re
import subprocess
import sys
import time

TOP, SECONDS, HOSTS, DIR = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
sys.argv[1:] = [TOP, str(SECONDS)]
sys.path.insert(0, os.path.join(TOP, "tests", "torture"))
import torture  # noqa: E402

torture.HOST = "198.18.0.2"
CLIENT = "198.18.0.100"
NET = os.path.join(TOP, "tests", "multihost", "net")
WORKERS = dict(smtp=int(os.environ.get("MULTIHOST_SMTP", 20)),
               pop=int(os.environ.get("MULTIHOST_POP3", 5)),
               imap=int(os.environ.get("MULTIHOST_IMAP", 5)))


def net(*args):
    subprocess.run([NET, args[0], DIR] + [str(a) for a in args[1:]], check=True)


def stats():
    """HAProxy's per-server rows: {(backend, server): row}."""
    out = subprocess.run([NET, "stats", DIR], capture_output=True, text=True).stdout
    rows = csv.DictReader(io.StringIO(out.lstrip("# ")))
    return {(r["pxname"], r["svname"]): r for r in rows}


def wait_up(hosts, up=True, limit=15):
    """Until HAProxy's checks see the hosts UP (or DOWN) in every backend."""
    deadline = time.time() + limit
    while time.time() < deadline:
        s = stats()
        if all(s.get((b, "h%d" % h), {}).get("status", "").startswith("UP" if up else "DOWN")
               for b in ("smtp", "pop3", "imap") for h in hosts):
            return True
        time.sleep(0.1)
    return False


class Multi(torture.Run):
    def facteur_pids(self):
        """Session processes on this spool, on every host (not their own
        children: see torture.py)."""
        found = torture.spool_procs(self.spool)
        return [pid for pid, ppid in found.items() if ppid not in found]

    def logs(self):
        """Connections per host by the address they were logged with."""
        seen = {}
        for h in range(1, HOSTS + 1):
            try:
                with open(os.path.join(DIR, "h%d.log" % h)) as f:
                    for m in re.finditer(r": connect from \[([^\]]*)\]", f.read()):
                        seen.setdefault(h, {}).setdefault(m.group(1), 0)
                        seen[h][m.group(1)] += 1
            except OSError:
                pass
        return seen

    def go(self):
        for h in range(1, HOSTS + 1):
            net("host-start", h, self.spool, self.users)
        if not wait_up(range(1, HOSTS + 1)):
            print("multihost: the hosts never came up: %r" % stats())
            return 1
        before = stats()
        self.make_boxes(143)
        threads = self.start((25, 110, 143), (WORKERS["smtp"], WORKERS["pop"], WORKERS["imap"]))
        stopped = HOSTS >= 2
        time.sleep(SECONDS / 3)
        if stopped:
            net("host-stop", 2)
            down = wait_up([2], up=False, limit=5)
        time.sleep(SECONDS / 3)
        if stopped:
            net("host-start", 2, self.spool, self.users)
            back = wait_up([2], limit=10)
        time.sleep(SECONDS / 3)
        self.finish(threads)
        violations, stored = self.check(143, 110)
        violations += self.leftovers(30)
        if stopped and not (down and back):
            violations.append("HAProxy did not see host 2 go down and come back")
        after = stats()
        seen = self.logs()
        for h in range(1, HOSTS + 1):
            addrs = seen.get(h, {})
            if not addrs.get(CLIENT):
                violations.append("host %d logged no connection from %s: %r" % (h, CLIENT, addrs))
            for a in addrs:
                if a not in (CLIENT, torture.HOST):
                    violations.append("host %d logged a connection from [%s]" % (h, a))
        figures = {k: sum(int(after[key].get(k) or 0) - int(before.get(key, {}).get(k) or 0)
                          for key in after if key[1].startswith("h"))
                   for k in ("stot", "econ", "eresp", "wretr", "wredis")}
        f = self.ledger.figures
        return self.report(
            "multihost: %d hosts, %ds, %d sessions, %d messages accepted (+%d unanswered), "
            "%d appended, %d fetched, %d deleted, %d moved, %d copied, %d UIDs checked, "
            "%d messages stored; host 2 stopped: %d connections refused, %d retried, "
            "%d redispatched; client address logged %s" % (
                HOSTS, SECONDS, f["sessions"], f["accepted"], f["uncertain"], f["appended"],
                f["fetched"], f["deleted"], f["moved"], f["copied"], len(self.uids), stored,
                figures["econ"], figures["wretr"], figures["wredis"],
                " ".join("h%d:%d" % (h, seen.get(h, {}).get(CLIENT, 0)) for h in sorted(seen))),
            violations)

if __name__ == "__main__":
    sys.exit(Multi().go())
