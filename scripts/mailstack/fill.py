"""Writes N generated messages straight into a Maildir (for scripts/mailstack.sh fill).

  fill.py MAILDIR USER DOMAIN N UID GID

Message i (1..N) is POP message number i of a freshly filled mailbox:
  Subject: Test message i of N
  Message-ID: <fill-i-of-N.USER@DOMAIN>   (distinct per user, message and N)
  X-Mailstack-Seq: i
Every 5th message is multipart/mixed (text + a small binary attachment),
every 7th has a UTF-8 (RFC 2047) From name and an 8-bit UTF-8 body, every
11th is HTML only. Output depends on the arguments alone.

Dovecot numbers new Maildir files by the time stamp at the start of their
names, so message i is named "<BASE+i>.M<i>...". The ",S=<size>,W=<vsize>"
fields let Dovecot answer STAT/LIST without opening every file.
"""

import base64
import email.utils
import os
import sys

BASE = 1700000000  # 2023-11-14: fixed, so that every fill is identical
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo "
         "lima mike november oscar papa quebec romeo sierra tango uniform "
         "victor whiskey xray yankee zulu").split()


def words(seed, count):
    return " ".join(WORDS[(seed * 31 + j * 17) % len(WORDS)] for j in range(count))


def paragraph(seed, lines):
    return "\n".join(words(seed + k, 10) for k in range(lines))


def text_body(i, user, utf8):
    body = "Hello %s,\n\nthis is generated message %d.\n\n%s\n\n-- \nmailstack\n" % (
        user, i, paragraph(i, 5))
    if utf8:
        body = "Gr\u00fc\u00df Gott! \u00e4\u00f6\u00fc \u20ac 5\n" + body
    return body


def html_body(i):
    return ("<html><body><h1>Message %d</h1>\n<p>%s</p>\n</body></html>\n"
            % (i, paragraph(i, 3).replace("\n", "<br>\n")))


def attachment(i):
    data = bytes((i * 7 + k * 13) % 256 for k in range(600))
    return base64.encodebytes(data).decode("ascii")


def message(i, n, user, domain):
    utf8 = i % 7 == 0
    k = i % 17
    if utf8:
        sender = '=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller_%d?= <juergen%d@%s>' % (k, k, domain)
    else:
        sender = '"Sender %d" <sender%d@%s>' % (k, k, domain)
    head = [
        "From: " + sender,
        "To: %s@%s" % (user, domain),
        "Subject: Test message %d of %d" % (i, n),
        "Date: " + email.utils.formatdate(BASE + i * 60),
        "Message-ID: <fill-%d-of-%d.%s@%s>" % (i, n, user, domain),
        "X-Mailstack-Seq: %d" % i,
        "MIME-Version: 1.0",
    ]
    charset, cte = ("utf-8", "8bit") if utf8 else ("us-ascii", "7bit")
    if i % 5 == 0:
        boundary = "=_mailstack_%d" % i
        head.append('Content-Type: multipart/mixed; boundary="%s"' % boundary)
        parts = [
            "This is a multi-part message in MIME format.",
            "--" + boundary,
            "Content-Type: text/plain; charset=%s" % charset,
            "Content-Transfer-Encoding: " + cte,
            "",
            text_body(i, user, utf8),
            "--" + boundary,
            'Content-Type: application/octet-stream; name="data-%d.bin"' % i,
            'Content-Disposition: attachment; filename="data-%d.bin"' % i,
            "Content-Transfer-Encoding: base64",
            "",
            attachment(i),
            "--" + boundary + "--",
            "",
        ]
        body = "\n".join(parts)
    elif i % 11 == 0:
        head += ["Content-Type: text/html; charset=us-ascii",
                 "Content-Transfer-Encoding: 7bit"]
        body = html_body(i)
    else:
        head += ["Content-Type: text/plain; charset=" + charset,
                 "Content-Transfer-Encoding: " + cte]
        body = text_body(i, user, utf8)
    return ("\n".join(head) + "\n\n" + body).encode("utf-8")


def main(argv):
    if len(argv) != 6:
        sys.exit("usage: fill.py MAILDIR USER DOMAIN N UID GID")
    maildir, user, domain = argv[0], argv[1], argv[2]
    n, uid, gid = int(argv[3]), int(argv[4]), int(argv[5])
    cur = os.path.join(maildir, "cur")
    pid = os.getpid()
    for i in range(1, n + 1):
        data = message(i, n, user, domain)
        vsize = len(data) + data.count(b"\n")  # size with CRLF line ends
        name = "%d.M%dP%d.mailstack,S=%d,W=%d:2," % (BASE + i, i, pid, len(data), vsize)
        path = os.path.join(cur, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chown(path, uid, gid)


if __name__ == "__main__":
    main(sys.argv[1:])
