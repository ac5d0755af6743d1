"""A minimal IMAP client for tests that need every untagged response in
order (imaplib keeps them in a dict, which loses the order of EXPUNGE and
EXISTS)."""
import re
import socket


class Client:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.sock = socket.create_connection((host, port), timeout)
        self.buf = b""
        self.n = 0
        self.greeting = self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """One response line, with any literals inlined."""
        line = self.line()
        while True:
            m = re.search(rb"\{(\d+)\}$", line)
            if not m:
                return line
            line += b"\r\n" + self.read(int(m.group(1))) + self.line()

    def cmd(self, text):
        """Run a command; returns (status line, [untagged lines])."""
        self.n += 1
        tag = b"t%d" % self.n
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        untagged = []
        while True:
            r = self.response()
            if r.startswith(tag + b" "):
                return r[len(tag) + 1:], untagged
            untagged.append(r)

    def ok(self, text):
        status, untagged = self.cmd(text)
        assert status.startswith(b"OK"), (text, status)
        return untagged


class View:
    """The client side of a selected mailbox: UIDs by sequence number, kept
    up to date from untagged EXISTS/EXPUNGE only, as a client must."""

    def __init__(self, client, mailbox="INBOX"):
        self.c = client
        self.uids = []
        self.apply(client.ok("SELECT " + mailbox))

    def apply(self, untagged):
        """EXPUNGE and EXISTS in order; new messages' UIDs are fetched, and
        that FETCH's own untagged updates are applied in turn."""
        pending = list(untagged)
        while True:
            for r in pending:
                m = re.match(rb"\* (\d+) EXPUNGE$", r)
                if m:
                    del self.uids[int(m.group(1)) - 1]
                m = re.match(rb"\* (\d+) EXISTS$", r)
                if m:
                    exists = int(m.group(1))
                    assert exists >= len(self.uids), (exists, len(self.uids))
                    self.uids += [None] * (exists - len(self.uids))
            unknown = [i + 1 for i, uid in enumerate(self.uids) if uid is None]
            if not unknown:
                return
            status, got = self.c.cmd("FETCH %d:%d (UID)" % (unknown[0], unknown[-1]))
            if status.startswith(b"NO [EXPUNGEISSUED]"):
                # one of them went after its EXISTS (RFC 2180 4.1.2): the
                # EXPUNGE comes with the next command that may carry it;
                # this FETCH's own EXISTS counts first
                pending = [r for r in got if not re.match(rb"\* \d+ FETCH", r)]
                pending += self.c.ok("NOOP")
                continue
            assert status.startswith(b"OK"), (status,)
            for r in got:
                m = re.match(rb"\* (\d+) FETCH \(UID (\d+)\)$", r)
                if m and self.uids[int(m.group(1)) - 1] is None:
                    self.uids[int(m.group(1)) - 1] = int(m.group(2))
            assert None not in self.uids[unknown[0] - 1:unknown[-1]], got
            pending = [r for r in got if not re.match(rb"\* \d+ FETCH", r)]

    def noop(self):
        self.apply(self.c.ok("NOOP"))

    def check(self):
        """The view must agree with what the server says each message is.
        FETCH (not UID FETCH) may not carry EXPUNGE, so its numbers are the
        view's; EXISTS at its end is applied afterwards."""
        self.noop()
        if not self.uids:
            return
        status, untagged = self.c.cmd("FETCH 1:* (UID)")
        for r in untagged:
            m = re.match(rb"\* (\d+) FETCH \(UID (\d+)\)$", r)
            if m:
                assert self.uids[int(m.group(1)) - 1] == int(m.group(2)), r
        self.apply([r for r in untagged if not re.match(rb"\* \d+ FETCH", r)])
