"""End-to-end check of the running test mail stack (scripts/mailstack.sh selftest).

  selftest.py ENV_JSON

Sends one message by submission (STARTTLS + AUTH) and reads it back over
POP3+STLS, POP3S and both UIDL-hiding relay ports, comparing the body byte
for byte (a 6000-character line and lines starting with dots included).
Standard library only. Exit status 1 if any check fails.
"""

import json
import poplib
import smtplib
import ssl
import sys
import time
import uuid

poplib._MAXLINE = 1 << 20  # the stdlib refuses lines over 2048 bytes

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def main(path):
    with open(path) as f:
        env = json.load(f)
    dom = env["domain"]
    ctx = ssl.create_default_context(cafile=env["ca_file"])
    tag = uuid.uuid4().hex[:16]
    body = (b"first line\r\n.one dot\r\n..two dots\r\n.\r\n" + b"x" * 6000 +
            b"\r\ntrailing blanks   \r\nlast line\r\n")
    msg = ("From: alice@{d}\r\nTo: bob@{d}\r\nSubject: selftest {t}\r\n"
           "Message-ID: <{t}@{d}>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=us-ascii\r\n\r\n").format(d=dom, t=tag).encode() + body

    host, port = hostport(env["submission"])
    s = smtplib.SMTP(host, port, timeout=20)
    s.ehlo("selftest.invalid")
    check(s.has_extn("starttls") and not s.has_extn("auth"), "submission: STARTTLS offered, AUTH hidden before TLS")
    s.starttls(context=ctx)
    s.ehlo("selftest.invalid")
    check("PLAIN" in s.esmtp_features.get("auth", ""), "submission: AUTH PLAIN offered after STARTTLS")
    s.mail("alice@" + dom)
    code, _ = s.rcpt("bob@" + dom)
    check(code >= 500, "submission: RCPT without AUTH refused (%d)" % code)
    s.rset()
    code, _ = s.login("alice@" + dom, env["users"]["alice"])
    check(code == 235, "submission: AUTH as alice@%s (%d)" % (dom, code))
    check(s.sendmail("alice@" + dom, ["bob@" + dom], msg) == {}, "submission: message to bob accepted")
    s.mail("alice@" + dom)
    code, _ = s.rcpt("someone@elsewhere.invalid")
    check(code >= 500, "submission: no relaying, even after AUTH (%d)" % code)
    s.quit()

    s = smtplib.SMTP(host, port, timeout=20)
    s.starttls(context=ctx)
    try:
        s.login("alice", "wrong-password")
        code = 235
    except smtplib.SMTPAuthenticationError as e:
        code = e.smtp_code
    check(code == 535, "submission: wrong password -> %d" % code)
    s.close()

    host, port = hostport(env["smtp"])
    s = smtplib.SMTP(host, port, timeout=20)
    s.ehlo("selftest.invalid")
    check(s.has_extn("starttls"), "smtp: STARTTLS offered")
    s.mail("someone@elsewhere.invalid")
    code, _ = s.rcpt("someone@elsewhere.invalid")
    check(code == 554, "smtp: relay refused (%d)" % code)
    code, _ = s.rcpt("nosuchuser@" + dom)
    check(code == 550, "smtp: unknown local user refused (%d)" % code)
    s.quit()

    def find(p):
        count, _ = p.stat()
        for i in range(count, 0, -1):
            raw = b"\r\n".join(p.retr(i)[1]) + b"\r\n"
            if ("Message-ID: <%s@" % tag).encode() in raw:
                return i, raw.split(b"\r\n\r\n", 1)[1]
        return None, None

    host, port = hostport(env["pop3"])
    deadline = time.time() + 10
    while True:  # delivery after "250" is asynchronous
        p = poplib.POP3(host, port, timeout=20)
        p.user("bob@" + dom)
        p.pass_(env["users"]["bob"])
        i, _ = find(p)
        p.quit()
        if i or time.time() > deadline:
            break
        time.sleep(0.1)
    check(i is not None, "pop3: delivered, bob@%s logs in over plain POP3" % dom)

    def session(label, addr, tls, uidl):
        h, pt = hostport(addr)
        if tls == "implicit":
            p = poplib.POP3_SSL(h, pt, timeout=20, context=ctx)
        else:
            p = poplib.POP3(h, pt, timeout=20)
            check("STLS" in p.capa(), label + ": STLS offered")
            p.stls(context=ctx)
        caps = p.capa()
        check(("UIDL" in caps) == uidl and "STLS" not in caps, label + ": CAPA %s" % sorted(caps))
        p.user("bob")
        p.pass_(env["users"]["bob"])
        i, got = find(p)
        check(got == body, label + ": body byte-exact (%s bytes)" % (len(got) if got else None))
        try:
            ok = p.uidl(i).startswith(b"+OK")
        except poplib.error_proto:
            ok = False
        check(ok == uidl, label + ": UIDL %s" % ("works" if uidl else "refused"))
        check(len(p.list()[1]) >= 1 and p.top(i, 0)[0].startswith(b"+OK"), label + ": LIST and TOP work")
        p.quit()

    session("pop3+STLS", env["pop3"], "stls", True)
    session("pop3s", env["pop3s"], "implicit", True)
    session("nouidl pop3+STLS", env["pop3_nouidl"], "stls", False)
    session("nouidl pop3s", env["pop3s_nouidl"], "implicit", False)

    print("selftest: " + ("all ok" if not failures else "%d FAILED" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: selftest.py ENV_JSON")
    sys.exit(main(sys.argv[1]))
