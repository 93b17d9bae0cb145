package mailtools

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"gomailcgi/internal/record"
)

// The POP3 client is our own, popConn and Session.exchange: the library
// this package once wrapped, github.com/knadh/go-pop3 v1.0.0, is wrong for
// a webmail's session in each of these ways, and the test named shows what
// we need instead. (It remains the independent client that tests the demo
// server, where none of these matter.)
// Dialling, TLS and STLS were ours already; what it still did (the
// greeting, USER and PASS, single-line commands) is a few lines of these.
//
//   - A failed greeting leaves the connection open
//     (TestFailedGreetingClosesTheConnection); so does a failed QUIT
//     (TestFailedQuitClosesTheConnection).
//   - Stat panics on a bare "+OK" (TestUnreadableReplyHangsUpWithoutQuit,
//     "STAT bare +OK").
//   - An empty line counts as "+OK": a login it answers succeeds
//     (TestEmptyReplyIsNoLogin).
//   - A reply line longer than its 4096-byte buffer is cut, and the rest
//     read as the next reply (TestUnreadableReplyHangsUpWithoutQuit,
//     "reply line too long").
//   - "-ERR" comes back as a plain error holding the server's text, which
//     we had to tell from its other errors by their wording
//     (TestWrongPassword, TestTemporaryLoginFailureIsNotABadPassword).
//   - Multi-line bodies keep their dot-stuffing, lines longer than 4096
//     bytes are split (TestRetrUnstuffsDots), and a whole message is held
//     in memory before the caller sees a byte
//     (TestOpenStreamsBeforeTheMessageEnds).
//   - Its reader reads ahead of the reply it asked for, so no reader of
//     ours could take over the connection for a body without feeding it
//     one line per Read.
//   - No deadline or context: a silent server blocks a page for ever
//     (TestSilentServerTimesOut, TestCancelledContextEndsTheCommand).
//   - No STLS, and TLS with neither our roots nor a minimum version
//     (TestSTLS, TestSTLSWithUntrustedCertificateSendsNoPassword).
//   - Every command waits for its reply: no PIPELINING (RFC 2449), so a
//     page would cost a round trip per command (TestLoginPipelined,
//     TestListPipelinesOnlyThePageRows, TestOpenAroundPipelined).
//   - Quit always waits for the reply, which a session without deletions
//     need not do (TestCloseWithoutDeletionsDoesNotWait).

// maxReplyLine bounds a POP3 status line; RFC 1939 allows 512 octets.
const maxReplyLine = 4096

// popBuffer is the connection's read buffer: a large message streams
// through it in reads of up to this size.
const popBuffer = 64 << 10

// popConn is the connection under a POP3 session: it writes commands and
// reads replies and bodies through one buffered reader. Every read and
// write renews an idle deadline; a cancelled context ends the I/O at once.
type popConn struct {
	conn    net.Conn
	br      *bufio.Reader
	timeout time.Duration
	stopped atomic.Bool
	ioErr   atomic.Pointer[error] // first I/O failure: the server is unreachable
	rec     *record.Recorder      // the request's record; nil records nothing
}

func newPopConn(conn net.Conn, timeout time.Duration) *popConn {
	c := &popConn{conn: conn, timeout: timeout}
	c.br = bufio.NewReaderSize(deadlineReader{c}, popBuffer)
	return c
}

// deadlineReader is the raw side under br.
type deadlineReader struct{ c *popConn }

func (d deadlineReader) Read(p []byte) (int, error) {
	c := d.c
	if c.stopped.Load() {
		return 0, c.fail(context.Canceled)
	}
	c.conn.SetReadDeadline(time.Now().Add(c.timeout))
	n, err := c.conn.Read(p)
	if err != nil {
		c.fail(err)
	}
	return n, err
}

func (c *popConn) fail(err error) error {
	c.ioErr.CompareAndSwap(nil, &err)
	return err
}

// failed returns the first I/O error seen, or nil.
func (c *popConn) failed() error {
	if p := c.ioErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *popConn) write(p []byte) error {
	if c.stopped.Load() {
		return c.fail(context.Canceled)
	}
	c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	c.rec.POPWrite(p)
	_, err := c.conn.Write(p)
	if err != nil {
		c.fail(err)
	}
	return err
}

func (c *popConn) close() error { return c.conn.Close() }

// watch ends the connection's I/O when ctx is done; call the returned
// function when the operation is over.
func (c *popConn) watch(ctx context.Context) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	unwatch := context.AfterFunc(ctx, func() {
		c.stopped.Store(true)
		c.conn.SetDeadline(time.Unix(1, 0))
	})
	return func() { unwatch() }
}

// readReply reads one status line: "+OK ..." gives the text after it;
// "-ERR ..." gives a *replyError.
func (c *popConn) readReply(cmd string) (string, error) {
	line, err := c.readLine()
	if err != nil {
		return "", err
	}
	c.rec.POPReply(line)
	return parseReply(cmd, line)
}

// readLine reads one CRLF line, bounded, without its line ending.
func (c *popConn) readLine() (string, error) {
	chunk, err := c.br.ReadSlice('\n')
	if len(chunk) > maxReplyLine {
		return "", &ProtocolError{Command: "reply", Reply: "line too long"}
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		return c.readLongLine(append([]byte(nil), chunk...))
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(chunk), "\r\n"), nil // the usual case: one copy
}

// readLongLine reads the rest of a line longer than the buffer, bounded.
func (c *popConn) readLongLine(b []byte) (string, error) {
	for {
		chunk, err := c.br.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > maxReplyLine {
			return "", &ProtocolError{Command: "reply", Reply: "line too long"}
		}
		if err == nil {
			break
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return "", err
		}
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// replyError is a "-ERR" reply from the server.
type replyError struct {
	cmd  string
	text string
}

func (e *replyError) Error() string { return fmt.Sprintf("%s: -ERR %s", e.cmd, e.text) }

func parseReply(cmd, line string) (string, error) {
	switch {
	case line == "+OK":
		return "", nil
	case strings.HasPrefix(line, "+OK "):
		return line[4:], nil
	case line == "-ERR" || strings.HasPrefix(line, "-ERR "):
		return "", &replyError{cmd: cmd, text: strings.TrimSpace(strings.TrimPrefix(line, "-ERR"))}
	}
	return "", &ProtocolError{Command: cmd, Reply: truncate(line, 80)}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// dialPOP connects, reads the greeting and, for starttls, upgrades with
// STLS (RFC 2595).
func dialPOP(ctx context.Context, s Server) (*popConn, error) {
	raw, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	c := newPopConn(raw, s.commandTimeout())
	c.rec = record.From(ctx)
	stop := c.watch(ctx)
	defer stop()
	_, err = c.readReply("greeting")
	if err == nil && s.Security == SecuritySTARTTLS {
		err = c.startTLS(ctx, s.tlsConfig())
	}
	if err != nil {
		c.close()
		return nil, &UnavailableError{Addr: s.Addr, Err: err}
	}
	return c, nil
}

func (c *popConn) startTLS(ctx context.Context, cfg *tls.Config) error {
	if err := c.write([]byte("STLS\r\n")); err != nil {
		return err
	}
	if _, err := c.readReply("STLS"); err != nil {
		return fmt.Errorf("server refused STLS: %w", err)
	}
	if c.br.Buffered() > 0 {
		// Bytes after the +OK and before the handshake would be injected
		// into the session as if they came over TLS.
		return &ProtocolError{Command: "STLS", Reply: "data after +OK"}
	}
	tc := tls.Client(c.conn, cfg)
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	c.conn = tc
	c.br.Reset(deadlineReader{c})
	c.rec.Note("POP3", record.TLS, record.Facts{})
	return nil
}
