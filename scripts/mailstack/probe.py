"""Readiness probes of the test mail stack (scripts/mailstack.sh adduser).

  probe.py rcpt PORT ADDRESS

rcpt: exit 0 when Postfix's SMTP port on 127.0.0.1 accepts RCPT TO:<ADDRESS>
(its mailbox map holds the address), 1 when it refuses it, 2 on any other
failure. Nothing is sent: the transaction is reset before DATA.
Standard library only.
"""

import smtplib
import sys


def rcpt(port, addr):
    with smtplib.SMTP("127.0.0.1", int(port), local_hostname="probe.invalid", timeout=10) as s:
        code, _ = s.mail("")
        if code != 250:
            return 2
        code, _ = s.rcpt(addr)
        s.rset()
        return 0 if code == 250 else 1


def main(argv):
    if len(argv) != 4 or argv[1] != "rcpt":
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        return rcpt(argv[2], argv[3])
    except (OSError, smtplib.SMTPException) as e:
        print(f"probe: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
