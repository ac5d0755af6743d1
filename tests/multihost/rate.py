#!/usr/bin/env python3
"""Rates through the balancer for tests/multihost/bench, from the client
namespace: for SECONDS with THREADS threads, (1) connections per second:
POP3 greeting then QUIT, a whole process started and ended on a host each
time; (2) delivered messages per second: SMTP sessions of 5 messages each,
counted at their 250.  usage: rate.py TOP SECONDS THREADS"""
import os
import smtplib
import socket
import sys
import threading
import time

TOP, SECONDS, THREADS = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
LB = "198.18.0.2"
BODY = b"Subject: rate\r\n\r\n" + b"a line of a message of some kilobytes\r\n" * 50


def run(work):
    counts = [0] * THREADS
    fails = [0] * THREADS
    until = time.time() + SECONDS

    def loop(k):
        while time.time() < until:
            try:
                counts[k] += work()
            except (OSError, smtplib.SMTPException, EOFError):
                fails[k] += 1
    threads = [threading.Thread(target=loop, args=(k,)) for k in range(THREADS)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.time() - start), sum(fails)


def connection():
    with socket.create_connection((LB, 110), 10) as s:
        f = s.makefile("rb")
        if not f.readline().startswith(b"+OK"):
            raise EOFError("no greeting")
        s.sendall(b"QUIT\r\n")
        if not f.readline().startswith(b"+OK"):
            raise EOFError("no QUIT reply")
    return 1


def messages():
    s = smtplib.SMTP(LB, 25, timeout=30)
    n = 0
    for u in ("alice", "bob", "carol", "alice", "bob"):
        s.sendmail("rate@x.test", ["%s@test.lan" % u], BODY)
        n += 1
    s.quit()
    return n


if __name__ == "__main__":
    c, cf = run(connection)
    m, mf = run(messages)
    print("%.0f %d %.0f %d" % (c, cf, m, mf))
