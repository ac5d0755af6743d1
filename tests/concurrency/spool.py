"""A scratch spool for the concurrency tests: users, servers under
systemd-socket-activate on loopback, and a look at a mailbox's content."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time


class Spool:
    def __init__(self, top, lock_timeout=20, passwords=None, prefix="facteur-conc."):
        """passwords: user -> password (default: alice, the one used here)."""
        self.top = top
        self.lock_timeout = lock_timeout
        self.password = "alice-concurrency"
        passwords = passwords or {"alice": self.password}
        self.dir = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.spool = os.path.join(self.dir, "spool")
        os.mkdir(self.spool)
        if os.getuid() == 0:
            os.chown(self.spool, 65534, 65534)
        self.users = os.path.join(self.dir, "users")
        with open(self.users, "w") as f:
            for user, password in passwords.items():
                h = subprocess.run([os.path.join(top, "tests/helpers/mkhash"), password],
                                   capture_output=True, text=True, check=True).stdout.strip()
                f.write("%s:%s\n" % (user, h))
        self.log = os.path.join(self.dir, "log")
        self.procs = []

    def serve(self, prog, extra):
        """Start prog, one process per connection, on a free loopback port."""
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        args = ["systemd-socket-activate", "--inetd", "-a", "-l", "127.0.0.1:%d" % port,
                os.path.join(self.top, prog), "-s", self.spool, "-a", self.users,
                "-l", self.log, "-n", "mx.test", "-D", "0",
                "-L", str(self.lock_timeout)] + extra
        self.procs.append(subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL))
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return port
            except OSError:
                time.sleep(0.05)
        raise SystemExit("%s never listened" % prog)

    def inbox(self, user):
        return os.path.join(self.spool, user, "INBOX")

    def tags(self, user, pattern):
        """The tags (pattern's group 1, on a header line) of the messages
        in the user's INBOX, in file order.  The file is replaced by rename,
        never rewritten in place, so one read sees one version of it."""
        try:
            with open(self.inbox(user), "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        line = re.compile(rb"^" + pattern.pattern, re.M)
        return [m.group(1).decode() for m in line.finditer(data)]

    def close(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            p.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)
