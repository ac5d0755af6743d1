#!/usr/bin/env python3
"""refsmtpd: the REFERENCE SMTP PEER of the benchmarks (not a real server).

No packaged SMTP server that delivers to mbox files is installed, so the SMTP
rows compare facteur with this small deliverer, written for the benchmark
and labelled as such in the table.  It does the work any honest mbox
deliverer must do and nothing more: an ESMTP session on stdin/stdout with
PIPELINING (replies are flushed only when no input is waiting), the whole
message received in memory, then lock (fcntl) the mailbox, append the From_
line, a Received: header and the mboxrd-quoted message, fsync, unlock, and
only then "250".

Usage: refsmtpd.py SPOOL DOMAIN   (mailbox: SPOOL/<local-part>/INBOX)
"""

import fcntl
import os
import re
import sys
import time

FROM_RE = re.compile(rb"^(>*From )", re.M)


class Session:
    def __init__(self, spool, domain):
        self.spool = spool
        self.domain = domain.lower().encode()
        self.inbuf = b""
        self.out = []
        self.sender = None
        self.rcpts = []

    def reply(self, line):
        self.out.append(line.encode() + b"\r\n")

    def flush(self):
        if self.out:
            data = b"".join(self.out)
            self.out = []
            while data:
                n = os.write(1, data)
                data = data[n:]

    def fill(self):
        # Flush before blocking: this is what makes PIPELINING work.
        self.flush()
        chunk = os.read(0, 1 << 16)
        if not chunk:
            sys.exit(1)
        self.inbuf += chunk

    def line(self):
        while True:
            i = self.inbuf.find(b"\r\n")
            if i >= 0:
                line, self.inbuf = self.inbuf[:i], self.inbuf[i + 2:]
                return line
            if len(self.inbuf) > 4096:
                self.inbuf = b""
                return b""
            self.fill()

    def data(self):
        """Until CRLF.CRLF; returns the message with LF line ends, unstuffed."""
        parts = []
        buf = self.inbuf
        self.inbuf = b""
        if buf.startswith(b".\r\n"):
            self.inbuf = buf[3:]
            return b""
        buf = b"\r\n" + buf
        while True:
            i = buf.find(b"\r\n.\r\n")
            if i >= 0:
                parts.append(buf[:i + 2])
                self.inbuf = buf[i + 5:]
                break
            keep = 4
            parts.append(buf[:-keep])
            buf = buf[-keep:]
            self.flush()
            chunk = os.read(0, 1 << 20)
            if not chunk:
                sys.exit(1)
            buf += chunk
        msg = b"".join(parts)[2:]
        msg = msg.replace(b"\r\n.", b"\r\n")
        if msg.startswith(b"."):
            msg = msg[1:]
        return msg.replace(b"\r\n", b"\n")

    def deliver(self, msg):
        now = time.time()
        fromline = b"From %s %s\n" % (self.sender or b"MAILER-DAEMON",
                                      time.asctime(time.gmtime(now)).encode())
        trace = (b"Return-Path: <%s>\nReceived: from client by %s (refsmtpd); %s\n"
                 % (self.sender, self.domain,
                    time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(now)).encode()))
        body = FROM_RE.sub(rb">\1", msg)
        if not body.endswith(b"\n"):
            body += b"\n"
        record = fromline + trace + body + b"\n"
        for user in self.rcpts:
            d = os.path.join(self.spool, user)
            os.makedirs(d, mode=0o700, exist_ok=True)
            fd = os.open(os.path.join(d, "INBOX"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX)
                size = os.lseek(fd, 0, os.SEEK_END)
                try:
                    view = memoryview(record)
                    while view:
                        n = os.write(fd, view)
                        view = view[n:]
                    os.fsync(fd)
                except OSError:
                    os.ftruncate(fd, size)
                    raise
            finally:
                os.close(fd)

    def run(self):
        self.reply("220 %s ESMTP refsmtpd (benchmark reference peer)" % self.domain.decode())
        while True:
            line = self.line()
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.reply("250-%s" % self.domain.decode())
                self.reply("250-PIPELINING")
                self.reply("250-8BITMIME")
                self.reply("250 SIZE 104857600")
            elif verb == b"HELO":
                self.reply("250 %s" % self.domain.decode())
            elif verb == b"MAIL":
                m = re.match(rb"(?i)MAIL FROM:\s*<([^>]*)>", line)
                if not m:
                    self.reply("501 syntax")
                    continue
                self.sender, self.rcpts = m.group(1), []
                self.reply("250 ok")
            elif verb == b"RCPT":
                m = re.match(rb"(?i)RCPT TO:\s*<([a-z0-9._-]+)@([^>]+)>", line)
                if self.sender is None:
                    self.reply("503 need MAIL")
                elif not m or m.group(2).lower() != self.domain:
                    self.reply("550 no such user")
                else:
                    self.rcpts.append(m.group(1).decode().lower())
                    self.reply("250 ok")
            elif verb == b"DATA":
                if not self.rcpts:
                    self.reply("503 need RCPT")
                    continue
                self.reply("354 go ahead")
                msg = self.data()
                try:
                    self.deliver(msg)
                    self.reply("250 delivered")
                except OSError as e:
                    self.reply("451 %s" % e.strerror)
                self.sender, self.rcpts = None, []
            elif verb == b"RSET":
                self.sender, self.rcpts = None, []
                self.reply("250 ok")
            elif verb == b"NOOP":
                self.reply("250 ok")
            elif verb == b"QUIT":
                self.reply("221 bye")
                self.flush()
                return 0
            else:
                self.reply("502 not implemented")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(Session(sys.argv[1], sys.argv[2]).run())
