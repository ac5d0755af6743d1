#!/usr/bin/env python3
"""Deterministic mailboxes for the benchmarks, in facteur's on-disk format.

mboxrd (RFC 4155): a "From sender asctime" line starts each message, LF line
ends, lines matching ^>*From get one more '>', one blank line after each
message.  The same seed and parameters always give the same bytes.

Size spread: 88% are 2-20 KiB (plain text, or multipart/alternative text +
HTML), 10% are 20-100 KiB (multipart/mixed with a base64 attachment, or long
text), 2% are 100 KiB-1 MiB (multipart/mixed, base64 attachment).  Body lines
beginning with "From " (stored quoted) and with "." (dot-stuffed on the wire)
are sprinkled through the text, and a rare word (SEARCH_WORD) is planted in
about 0.5% of the messages so that SEARCH TEXT has a known answer.

Usage:
  mkmbox.py messages COUNT SEED OUT     a mailbox of COUNT messages
  mkmbox.py big BYTES SEED OUT          one message of about BYTES bytes
Each writes OUT and OUT.json (the manifest: counts, sizes, the sequence
numbers of the large messages, the search word and its hits).
"""

import base64
import bisect
import json
import os
import random
import re
import sys
import time

GEN_VERSION = 1
SEARCH_WORD = "zephyrine"
LARGE_MIN = 100 * 1024

WORDS = """
the of and to in is it that for on with as was be at by this have from or
an are not but had were which one all we can her has there been if more when
will would who so no out up into do than its time only new some could these
two may first then any like other how our over such make just also after well
year back where much before must through most people way down should because
each those work between both under never day same another know while last
might great since against old right three mail server message mailbox queue
delivery report meeting budget draft review schedule project update lunch
tomorrow monday friday please thanks regards attached document version build
release test result figure table section chapter notes agenda minutes office
client customer invoice order shipping account password reset network disk
backup storage kernel patch issue ticket deadline travel hotel flight visa
course lecture student exam grade lab course homework library printer coffee
""".split()

FIRST = "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj " \
        "Olivia Peggy Rupert Sybil Trent Victor Walter Yolanda".split()
LAST = "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau " \
       "Simon Laurent Lefebvre Michel Garcia David Bertrand Roux Vincent".split()
DOMAINS = "example.org example.net example.com lab.example.edu " \
          "mail.example.fr lists.example.org".split()
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
ATTACH = [("application/pdf", "report.pdf"), ("image/jpeg", "photo.jpg"),
          ("application/zip", "logs.zip"), ("image/png", "diagram.png"),
          ("application/vnd.oasis.opendocument.text", "draft.odt")]

FROM_RE = re.compile(r"^>*From ")


def quote(line):
    """mboxrd: ^>*From gets one more '>'."""
    return ">" + line if FROM_RE.match(line) else line


class Pool:
    """About 2 MiB of wrapped text lines (already in mbox form), with the
    special lines mixed in; bodies are slices of it."""

    def __init__(self, rnd):
        lines = []
        size = 0
        while size < 2 * 1024 * 1024:
            r = rnd.random()
            if r < 0.06:
                line = ""
            elif r < 0.063:
                line = "From " + " ".join(rnd.choice(WORDS) for _ in range(8))
            elif r < 0.065:
                line = ">From " + " ".join(rnd.choice(WORDS) for _ in range(6))
            elif r < 0.068:
                line = rnd.choice([".", "..", ". " + rnd.choice(WORDS),
                                   ".hidden " + rnd.choice(WORDS)])
            elif r < 0.08:
                line = "> " + " ".join(rnd.choice(WORDS) for _ in range(9))
            else:
                words = []
                n = 0
                target = rnd.randint(50, 72)
                while n < target:
                    w = rnd.choice(WORDS)
                    words.append(w)
                    n += len(w) + 1
                line = " ".join(words)
                line = line[0].upper() + line[1:]
            line = quote(line) + "\n"
            lines.append(line)
            size += len(line)
        self.text = "".join(lines)
        self.starts = []
        pos = 0
        for line in lines:
            self.starts.append(pos)
            pos += len(line)

    def take(self, rnd, nbytes):
        """Whole lines, about nbytes of them, from a random place."""
        out = []
        while nbytes > 0:
            i = rnd.randrange(len(self.starts))
            start = self.starts[i]
            want = min(nbytes, len(self.text) - start)
            j = bisect.bisect_left(self.starts, start + want)
            end = self.starts[j] if j < len(self.starts) else len(self.text)
            if end <= start:
                end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
            out.append(self.text[start:end])
            nbytes -= end - start
        return "".join(out)


def b64_lines(rnd, nbytes):
    """base64 text (76-column lines) of nbytes random bytes."""
    return base64.encodebytes(rnd.randbytes(nbytes)).decode("ascii")


def rfc2822(t):
    tm = time.gmtime(t)
    return "%s, %02d %s %d %02d:%02d:%02d +0000" % (
        DAYS[tm.tm_wday], tm.tm_mday, MONTHS[tm.tm_mon - 1], tm.tm_year,
        tm.tm_hour, tm.tm_min, tm.tm_sec)


def asctime(t):
    tm = time.gmtime(t)
    return "%s %s %2d %02d:%02d:%02d %d" % (
        DAYS[tm.tm_wday], MONTHS[tm.tm_mon - 1], tm.tm_mday, tm.tm_hour,
        tm.tm_min, tm.tm_sec, tm.tm_year)


class Writer:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.pool = Pool(random.Random(seed * 7919 + 1))
        self.t = 1672531200          # 2023-01-01
        self.msgids = []

    def person(self):
        r = self.rnd
        first, last = r.choice(FIRST), r.choice(LAST)
        addr = "%s.%s@%s" % (first.lower(), last.lower(), r.choice(DOMAINS))
        return "%s %s" % (first, last), addr

    def headers(self, seq, sender, ctype, extra=""):
        r = self.rnd
        name, addr = sender
        self.t += r.randint(1, 900)
        date = rfc2822(self.t)
        hops = []
        for h in range(r.randint(1, 3)):
            ip = "192.0.2.%d" % r.randint(1, 254)
            hops.append("Received: from mx%d.%s (mx%d.%s [%s])\n"
                        "\tby mail.bench.test with ESMTPS id %08X\n"
                        "\tfor <bench@bench.test>; %s\n"
                        % (h, addr.split("@")[1], h, addr.split("@")[1], ip,
                           r.getrandbits(32), date))
        msgid = "<%d.%08x@%s>" % (seq, r.getrandbits(32), addr.split("@")[1])
        out = ["Return-Path: <%s>\n" % addr] + hops + [
            "Date: %s\n" % date,
            "From: %s <%s>\n" % (name, addr),
            "To: Bench User <bench@bench.test>\n",
        ]
        if r.random() < 0.2:
            out.append("Cc: %s <%s>\n" % self.person())
        words = " ".join(r.choice(WORDS) for _ in range(r.randint(2, 8)))
        if self.msgids and r.random() < 0.3:
            parent = r.choice(self.msgids[-50:])
            out.append("Subject: Re: %s\n" % words)
            out.append("In-Reply-To: %s\n" % parent)
            out.append("References: %s\n" % parent)
        else:
            out.append("Subject: %s\n" % words)
        out.append("Message-ID: %s\n" % msgid)
        if r.random() < 0.05:
            out.append("X-Priority: 1 (Highest)\n")
        out.append("MIME-Version: 1.0\n")
        out.append("Content-Type: %s\n" % ctype)
        out.append(extra)
        self.msgids.append(msgid)
        return "".join(out)

    def text(self, nbytes, plant):
        body = self.pool.take(self.rnd, max(nbytes, 80))
        if plant:
            cut = body.find("\n", len(body) // 2) + 1
            body = body[:cut] + "We met the %s crew again today.\n" % SEARCH_WORD + body[cut:]
        return body

    def message(self, seq, size, plant):
        """One message (without From_ line and trailing blank line)."""
        r = self.rnd
        sender = self.person()
        boundary = "=_bench_%d_%08x" % (seq, r.getrandbits(32))
        if size < 20 * 1024:
            if r.random() < 0.75:
                head = self.headers(seq, sender, "text/plain; charset=utf-8",
                                    "Content-Transfer-Encoding: 8bit\n")
                return head + "\n" + self.text(size - len(head), plant)
            head = self.headers(seq, sender,
                                'multipart/alternative; boundary="%s"' % boundary)
            half = max((size - len(head)) // 2, 200)
            txt = self.text(half, plant)
            html = "<html><body>\n" + self.text(half - 30, False).replace(
                "\n\n", "\n<p>\n") + "</body></html>\n"
            return (head + "\nThis is a multi-part message in MIME format.\n\n"
                    "--%s\nContent-Type: text/plain; charset=utf-8\n"
                    "Content-Transfer-Encoding: 8bit\n\n%s\n"
                    "--%s\nContent-Type: text/html; charset=utf-8\n"
                    "Content-Transfer-Encoding: 8bit\n\n%s\n--%s--\n"
                    % (boundary, txt, boundary, html, boundary))
        if size < LARGE_MIN and r.random() < 0.5:
            head = self.headers(seq, sender, "text/plain; charset=utf-8",
                                "Content-Transfer-Encoding: 8bit\n")
            return head + "\n" + self.text(size - len(head), plant)
        head = self.headers(seq, sender, 'multipart/mixed; boundary="%s"' % boundary)
        txt = self.text(r.randint(600, 3000), plant)
        ctype, fname = r.choice(ATTACH)
        raw = max((size - len(head) - len(txt) - 400) * 3 // 4, 100)
        return (head + "\nThis is a multi-part message in MIME format.\n\n"
                "--%s\nContent-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: 8bit\n\n%s\n"
                "--%s\nContent-Type: %s; name=\"%s\"\n"
                "Content-Disposition: attachment; filename=\"%s\"\n"
                "Content-Transfer-Encoding: base64\n\n%s\n--%s--\n"
                % (boundary, txt, boundary, ctype, fname, fname,
                   b64_lines(r, raw), boundary))

    def from_line(self, sender_addr):
        return "From %s %s\n" % (sender_addr, asctime(self.t))


def size_for(rnd):
    r = rnd.random()
    if r < 0.88:
        return rnd.randint(2 * 1024, 20 * 1024)
    if r < 0.98:
        return rnd.randint(20 * 1024, LARGE_MIN - 1)
    # log-uniform 100 KiB .. 1 MiB
    return int(LARGE_MIN * (10.24 ** rnd.random()))


def make_messages(count, seed, out):
    w = Writer(seed)
    sizes = random.Random(seed * 31 + 7)
    plant = random.Random(seed * 131 + 3)
    large, large_sizes, hits = [], [], []
    total = 0
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        for seq in range(1, count + 1):
            size = size_for(sizes)
            planted = plant.random() < 0.005
            msg = w.message(seq, size, planted)
            if not msg.endswith("\n"):
                msg += "\n"
            addr = re.search(r"^Return-Path: <([^>]*)>", msg).group(1)
            chunk = w.from_line(addr) + msg + "\n"
            f.write(chunk)
            nbytes = len(chunk)
            total += nbytes
            if nbytes >= LARGE_MIN:
                large.append(seq)
                large_sizes.append(nbytes)
            if planted:
                hits.append(seq)
        f.flush()
        os.fsync(f.fileno())
    manifest = {"kind": "messages", "count": count, "seed": seed,
                "version": GEN_VERSION, "bytes": total, "large": large,
                "large_sizes": large_sizes, "search_word": SEARCH_WORD, "search_hits": len(hits),
                "search_seqs": hits[:50]}
    finish(tmp, out, manifest)
    return manifest


def make_big(nbytes, seed, out):
    w = Writer(seed)
    r = w.rnd
    tmp = out + ".tmp"
    boundary = "=_bench_big_%08x" % r.getrandbits(32)
    sender = w.person()
    head = w.headers(1, sender, 'multipart/mixed; boundary="%s"' % boundary)
    total = 0
    with open(tmp, "w", encoding="ascii", newline="\n", buffering=1 << 22) as f:
        def put(s):
            nonlocal total
            f.write(s)
            total += len(s)
        put(w.from_line(sender[1]) + head)
        put("\nThis is a multi-part message in MIME format.\n\n"
            "--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n"
            "--%s\nContent-Type: application/octet-stream; name=\"disk.img\"\n"
            "Content-Disposition: attachment; filename=\"disk.img\"\n"
            "Content-Transfer-Encoding: base64\n\n"
            % (boundary, w.text(2000, False).encode("ascii", "replace").decode(), boundary))
        raw_left = (nbytes - total - 200) * 3 // 4 * 76 // 77
        step = 57 * 16384          # whole base64 lines per chunk
        while raw_left > 0:
            n = min(step, raw_left)
            put(b64_lines(r, n))
            raw_left -= n
        put("\n--%s--\n\n" % boundary)
        f.flush()
        os.fsync(f.fileno())
    manifest = {"kind": "big", "count": 1, "seed": seed, "version": GEN_VERSION,
                "bytes": total, "large": [1], "large_sizes": [total],
                "search_word": SEARCH_WORD,
                "search_hits": 0}
    finish(tmp, out, manifest)
    return manifest


def finish(tmp, out, manifest):
    with open(out + ".json.tmp", "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    os.rename(tmp, out)
    os.rename(out + ".json.tmp", out + ".json")


def main(argv):
    if len(argv) != 5 or argv[1] not in ("messages", "big"):
        sys.stderr.write(__doc__)
        return 2
    n, seed, out = int(argv[2]), int(argv[3]), argv[4]
    m = (make_messages if argv[1] == "messages" else make_big)(n, seed, out)
    print(json.dumps({k: v for k, v in m.items() if k not in ("large", "large_sizes", "search_seqs")}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
