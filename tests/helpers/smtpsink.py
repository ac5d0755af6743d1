#!/usr/bin/python3
"""An SMTP server nobody here wrote (aiosmtpd) for the client tests:
smtpsink.py PORT DIR saves each message as DIR/N.eml (the bytes received,
dot-unstuffed, CRLF kept) and its envelope as DIR/N.env ("from" then one
recipient a line).  Run with Debian's /usr/bin/python3."""
import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, d):
        self.d = d
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.d, str(self.n))
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 saved as %d" % self.n


port, d = int(sys.argv[1]), sys.argv[2]
c = Controller(Sink(d), hostname="127.0.0.1", port=port)
c.start()
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
