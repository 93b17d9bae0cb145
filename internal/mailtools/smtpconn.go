package mailtools

import (
	"crypto/tls"
	"net"
	"time"

	"gomailcgi/internal/record"
)

// smtpConn puts a fresh deadline on every read and write, so a server that
// stops answering, or stops reading what we send, fails the Send within the
// timeout however long the whole conversation is. It owns the deadlines:
// the SetDeadline calls go-smtp makes are ignored, as go-smtp clears them
// between commands and would otherwise leave a silent server unbounded.
type smtpConn struct {
	net.Conn
	raw          net.Conn // the TCP connection under any TLS, to abort
	readTimeout  time.Duration
	writeTimeout time.Duration
	// rec records the conversation while it is in clear text on this
	// connection (before STARTTLS, or inside implicit TLS); nil records
	// nothing.
	rec *record.Recorder
}

func newSMTPConn(conn net.Conn, timeout time.Duration) *smtpConn {
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	return &smtpConn{Conn: conn, raw: raw, readTimeout: timeout, writeTimeout: timeout}
}

func (c *smtpConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.readTimeout)); err != nil {
		return 0, err
	}
	n, err := c.Conn.Read(p)
	c.rec.SMTPServer(p[:n])
	return n, err
}

func (c *smtpConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(c.writeTimeout)); err != nil {
		return 0, err
	}
	c.rec.SMTPClient(p)
	return c.Conn.Write(p)
}

// abort drops the TCP connection at once, unblocking any read or write.
// It closes the raw connection, not the TLS layer, whose Close could wait
// to send an alert. Safe to call from another goroutine.
func (c *smtpConn) abort() { c.raw.Close() }

func (c *smtpConn) SetDeadline(time.Time) error      { return nil }
func (c *smtpConn) SetReadDeadline(time.Time) error  { return nil }
func (c *smtpConn) SetWriteDeadline(time.Time) error { return nil }

// smtpDebug records the conversation go-smtp shows its DebugWriter: both
// sides in one stream, in clear text after STARTTLS.
type smtpDebug struct{ rec *record.Recorder }

func (d smtpDebug) Write(p []byte) (int, error) {
	d.rec.SMTPEither(p)
	return len(p), nil
}
