package mailtools

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"
)

// maxReplyLine bounds a POP3 status line; RFC 1939 allows 512 octets.
const maxReplyLine = 4096

// lineConn is the connection under a POP3 session. go-pop3 reads from it
// through a bufio.Reader of its own; lineConn hands out at most one line per
// Read, so that reader never holds bytes beyond the reply it asked for and
// our own reader (br) can take over for multi-line bodies. Every read and
// write renews an idle deadline; a cancelled context ends the I/O at once.
type lineConn struct {
	conn    net.Conn
	br      *bufio.Reader
	pending []byte // a line to hand out before reading (the greeting, after STLS)
	timeout time.Duration
	stopped atomic.Bool
	ioErr   atomic.Pointer[error] // first I/O failure: the server is unreachable
}

func newLineConn(conn net.Conn, timeout time.Duration) *lineConn {
	c := &lineConn{conn: conn, timeout: timeout}
	c.br = bufio.NewReaderSize(deadlineReader{c}, 16<<10)
	return c
}

// deadlineReader is the raw side under br.
type deadlineReader struct{ c *lineConn }

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

func (c *lineConn) fail(err error) error {
	c.ioErr.CompareAndSwap(nil, &err)
	return err
}

// failed returns the first I/O error seen, or nil.
func (c *lineConn) failed() error {
	if p := c.ioErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *lineConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	if c.br.Buffered() == 0 {
		if _, err := c.br.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := c.br.Peek(c.br.Buffered())
	n := len(buf)
	if i := bytes.IndexByte(buf, '\n'); i >= 0 {
		n = i + 1
	}
	n = copy(p, buf[:n])
	c.br.Discard(n)
	return n, nil
}

func (c *lineConn) Write(p []byte) (int, error) {
	if c.stopped.Load() {
		return 0, c.fail(context.Canceled)
	}
	c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	n, err := c.conn.Write(p)
	if err != nil {
		c.fail(err)
	}
	return n, err
}

func (c *lineConn) Close() error                       { return c.conn.Close() }
func (c *lineConn) LocalAddr() net.Addr                { return c.conn.LocalAddr() }
func (c *lineConn) RemoteAddr() net.Addr               { return c.conn.RemoteAddr() }
func (c *lineConn) SetDeadline(t time.Time) error      { return c.conn.SetDeadline(t) }
func (c *lineConn) SetReadDeadline(t time.Time) error  { return c.conn.SetReadDeadline(t) }
func (c *lineConn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// watch ends the connection's I/O when ctx is done; call the returned
// function when the operation is over.
func (c *lineConn) watch(ctx context.Context) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	unwatch := context.AfterFunc(ctx, func() {
		c.stopped.Store(true)
		c.conn.SetDeadline(time.Unix(1, 0))
	})
	return func() { unwatch() }
}

// readReply reads one status line with our own reader: "+OK ..." gives the
// text after it; "-ERR ..." gives a *replyError.
func (c *lineConn) readReply(cmd string) (string, error) {
	line, err := c.readLine()
	if err != nil {
		return "", err
	}
	return parseReply(cmd, line)
}

// readLine reads one CRLF line, bounded, without its line ending.
func (c *lineConn) readLine() (string, error) {
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
func (c *lineConn) readLongLine(b []byte) (string, error) {
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
// STLS (RFC 2595). The greeting is then queued again for go-pop3, which
// insists on reading one.
func dialPOP(ctx context.Context, s Server) (*lineConn, error) {
	raw, err := s.dial(ctx)
	if err != nil {
		return nil, err
	}
	c := newLineConn(raw, s.commandTimeout())
	stop := c.watch(ctx)
	defer stop()
	greeting, err := c.readLine()
	if err == nil {
		_, err = parseReply("greeting", greeting)
	}
	if err == nil && s.Security == SecuritySTARTTLS {
		err = c.startTLS(ctx, s.tlsConfig())
	}
	if err != nil {
		c.Close()
		return nil, &UnavailableError{Addr: s.Addr, Err: err}
	}
	c.pending = []byte(greeting + "\r\n")
	return c, nil
}

func (c *lineConn) startTLS(ctx context.Context, cfg *tls.Config) error {
	if _, err := c.Write([]byte("STLS\r\n")); err != nil {
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
	return nil
}
