"""POP3 front end for the test mail stack that hides UIDL.

Dovecot always advertises UIDL, but gomailcgi must also cope with servers
without it (it then falls back to header fingerprints). This relay sits in
front of the stack's Dovecot and:

  * drops UIDL from the CAPA list and answers the UIDL command with -ERR;
  * terminates TLS itself (STLS on the plain port, implicit TLS on the other)
    with the stack's certificate, and hides STLS from CAPA once TLS is on;
  * passes every other command, one at a time, to Dovecot's plain POP3 port.

Standard library only. Started and stopped by scripts/mailstack.sh:
  pop3_nouidl.py UPSTREAM_PORT PLAIN_PORT TLS_PORT CERT KEY PIDFILE STATE_DIR
(STATE_DIR is not used; it is on the command line so that `stop` can tell
this stack's relay from any other process.)
"""

import os
import signal
import socket
import socketserver
import ssl
import sys
import threading

HOST = "127.0.0.1"
IDLE_SECONDS = 300
MAX_COMMAND = 4096  # RFC 1939 commands are short; refuse absurd lines

# Commands whose +OK answer is a dot-terminated multi-line block. LIST and
# AUTH are multi-line only without an argument.
ALWAYS_MULTI = {b"CAPA", b"RETR", b"TOP"}
MULTI_WITHOUT_ARG = {b"LIST", b"AUTH"}


def log(msg):
    sys.stderr.write("pop3_nouidl: %s\n" % msg)
    sys.stderr.flush()


class Session:
    """One client connection and its own upstream connection to Dovecot."""

    def __init__(self, client, tls_ctx, upstream_port, tls_on):
        self.client = client
        self.tls_ctx = tls_ctx
        self.tls_on = tls_on
        self.authenticated = False
        self.cin = client.makefile("rb")
        self.up = socket.create_connection((HOST, upstream_port), timeout=IDLE_SECONDS)
        self.upin = self.up.makefile("rb")

    def up_line(self):
        line = self.upin.readline()
        if not line:
            raise EOFError("upstream closed the connection")
        return line

    def relay_block(self, first, hide=()):
        """Copies a multi-line answer, leaving out lines listed in hide."""
        chunk = [first]
        size = len(first)
        while True:
            line = self.up_line()
            if line == b".\r\n":
                chunk.append(line)
                break
            if hide and line.rstrip(b"\r\n").split(b" ", 1)[0].upper() in hide:
                continue
            chunk.append(line)
            size += len(line)
            if size >= 1 << 16:
                self.client.sendall(b"".join(chunk))
                chunk, size = [], 0
        self.client.sendall(b"".join(chunk))

    def start_tls(self):
        self.client.sendall(b"+OK Begin TLS negotiation now.\r\n")
        self.client = self.tls_ctx.wrap_socket(self.client, server_side=True)
        self.cin = self.client.makefile("rb")
        self.tls_on = True

    def run(self):
        self.client.sendall(self.up_line())  # Dovecot's greeting
        while True:
            line = self.cin.readline(MAX_COMMAND + 1)
            if not line:
                return
            if len(line) > MAX_COMMAND:
                self.client.sendall(b"-ERR Command line too long.\r\n")
                return
            word, _, arg = line.rstrip(b"\r\n").partition(b" ")
            cmd, arg = word.upper(), arg.strip()
            if cmd == b"UIDL":
                self.client.sendall(b"-ERR Unknown command: UIDL\r\n")
                continue
            if cmd == b"STLS":
                if self.tls_on or self.authenticated:
                    self.client.sendall(b"-ERR STLS not allowed now.\r\n")
                else:
                    self.start_tls()
                continue
            self.up.sendall(line)
            resp = self.up_line()
            if cmd == b"AUTH" and arg:
                # SASL exchange: relay challenges and answers until done.
                while resp.startswith(b"+ ") or resp == b"+\r\n":
                    self.client.sendall(resp)
                    answer = self.cin.readline(MAX_COMMAND + 1)
                    if not answer:
                        return
                    self.up.sendall(answer)
                    resp = self.up_line()
            ok = resp.startswith(b"+OK")
            if ok and (cmd in (b"PASS", b"APOP") or (cmd == b"AUTH" and arg)):
                self.authenticated = True
            if ok and (cmd in ALWAYS_MULTI or (cmd in MULTI_WITHOUT_ARG and not arg)):
                hide = ()
                if cmd == b"CAPA":
                    hide = (b"UIDL", b"STLS") if self.tls_on else (b"UIDL",)
                self.relay_block(resp, hide)
            else:
                self.client.sendall(resp)
            if cmd == b"QUIT":
                return

    def close(self):
        for s in (self.up, self.client):
            try:
                s.close()
            except OSError:
                pass


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        sock = self.request
        session = None
        try:
            sock.settimeout(IDLE_SECONDS)
            if srv.implicit_tls:
                sock = srv.tls_ctx.wrap_socket(sock, server_side=True)
            session = Session(sock, srv.tls_ctx, srv.upstream_port, srv.implicit_tls)
            session.run()
        except (OSError, EOFError, ValueError) as e:
            log("session ended: %r" % (e,))
        finally:
            if session is not None:
                session.close()
            else:
                try:
                    sock.close()
                except OSError:
                    pass


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, port, implicit_tls, tls_ctx, upstream_port):
        self.implicit_tls = implicit_tls
        self.tls_ctx = tls_ctx
        self.upstream_port = upstream_port
        super().__init__((HOST, port), Handler)


def main(argv):
    if len(argv) != 7:
        sys.exit("usage: pop3_nouidl.py UPSTREAM_PORT PLAIN_PORT TLS_PORT CERT KEY PIDFILE STATE_DIR")
    upstream, plain, implicit = (int(p) for p in argv[:3])
    cert, key, pidfile = argv[3:6]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    servers = [Server(plain, False, ctx, upstream), Server(implicit, True, ctx, upstream)]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    tmp = pidfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(tmp, pidfile)  # written only once both ports listen
    log("listening on %s:%d (plain+STLS) and %s:%d (TLS), upstream %s:%d"
        % (HOST, plain, HOST, implicit, HOST, upstream))
    while True:
        signal.pause()


if __name__ == "__main__":
    main(sys.argv[1:])
