// Package mailtools reads mail over POP3 and sends it over SMTP, with
// no HTTP in it. Its central promise is the sync check:
// a message is shown or deleted only after the server proves, by UIDL or by
// a header fingerprint, that it is still the message the caller listed.
//
// POP3 has one path: a Session's every command, from USER to QUIT, goes
// through Session.exchange, pipelined when the server offers PIPELINING,
// over one popConn. The client is our own; popconn.go says why go-pop3 is
// not the session here. go-pop3 stays where it serves: as a client written
// by others, it checks that the demo POP3 server speaks RFC 1939 to more
// than our own client (internal/devmail's pop3_interop_test.go).
//
// Tests in real_*_test.go run against the real Dovecot and Postfix
// (mailstack.Require, skipped without them); perf_*_test.go measure
// allocations and memory. The rest need nothing outside the test process.
package mailtools

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Security is how a connection to a mail server is protected.
type Security string

// The connection security modes.
const (
	SecurityTLS      Security = "tls"      // implicit TLS from the first byte
	SecuritySTARTTLS Security = "starttls" // plain connect, then STLS / STARTTLS
	SecurityInsecure Security = "insecure" // plain text; only when named so
)

// ParseSecurity checks a security mode given by name.
func ParseSecurity(s string) (Security, error) {
	switch sec := Security(strings.ToLower(strings.TrimSpace(s))); sec {
	case SecurityTLS, SecuritySTARTTLS, SecurityInsecure:
		return sec, nil
	}
	return "", fmt.Errorf("security %q: want tls, starttls or insecure", s)
}

// Default timeouts, used where a Server leaves them zero.
const (
	DefaultDialTimeout    = 10 * time.Second
	DefaultCommandTimeout = 30 * time.Second
)

// Server is one mail server endpoint: where it is and how to talk to it.
type Server struct {
	Addr      string      // host:port
	Security  Security    // tls, starttls or insecure
	TLSConfig *tls.Config // roots and the like; ServerName defaults to Addr's host
	// Roots, when set, gives the certificates to trust in place of
	// TLSConfig's RootCAs. It is asked on each TLS dial, so a process
	// that dials none never makes them: loading the system's roots takes
	// longer than a whole CGI request for a page that asks no mail server.
	Roots          func() *x509.CertPool
	DialTimeout    time.Duration
	CommandTimeout time.Duration
}

// Validate reports whether the server is usable.
func (s Server) Validate() error {
	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil || host == "" || port == "" {
		return fmt.Errorf("address %q: want host:port", s.Addr)
	}
	if _, err := ParseSecurity(string(s.Security)); err != nil {
		return err
	}
	return nil
}

func (s Server) dialTimeout() time.Duration {
	if s.DialTimeout > 0 {
		return s.DialTimeout
	}
	return DefaultDialTimeout
}

func (s Server) commandTimeout() time.Duration {
	if s.CommandTimeout > 0 {
		return s.CommandTimeout
	}
	return DefaultCommandTimeout
}

// tlsConfig returns the TLS settings for this server, with ServerName set.
func (s Server) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if s.TLSConfig != nil {
		cfg = s.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if s.Roots != nil {
		cfg.RootCAs = s.Roots()
	}
	if cfg.ServerName == "" {
		host, _, _ := net.SplitHostPort(s.Addr)
		cfg.ServerName = host
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// dial opens a TCP connection (TLS-wrapped for SecurityTLS) within ctx and
// the dial timeout.
func (s Server) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: s.dialTimeout()}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return nil, &UnavailableError{Addr: s.Addr, Err: err}
	}
	if s.Security != SecurityTLS {
		return conn, nil
	}
	tc := tls.Client(conn, s.tlsConfig())
	hctx, cancel := context.WithTimeout(ctx, s.dialTimeout())
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		conn.Close()
		return nil, &UnavailableError{Addr: s.Addr, Err: fmt.Errorf("TLS handshake: %w", err)}
	}
	return tc, nil
}

// Credentials are a mail account's login.
type Credentials struct {
	User     string
	Password string
}

// validate refuses what cannot be sent safely as a protocol argument.
func (c Credentials) validate() error {
	if c.User == "" {
		return ErrBadCredentials
	}
	if strings.ContainsAny(c.User, "\r\n\x00 ") || strings.ContainsAny(c.Password, "\r\n\x00") {
		return ErrBadCredentials
	}
	return nil
}

// Typed errors. Callers map them to pages with errors.Is / errors.As.
var (
	// ErrBadCredentials: the server refused the user name or password.
	ErrBadCredentials = errors.New("mailtools: user name or password refused")
	// ErrInboxChanged: the message at that number is no longer the one listed.
	ErrInboxChanged = errors.New("mailtools: the inbox changed since it was listed")
	// ErrMessageGone: the message listed is no longer on the server.
	ErrMessageGone = errors.New("mailtools: the message is no longer on the server")
	// ErrBadRef: a message reference that is not well formed.
	ErrBadRef = errors.New("mailtools: malformed message reference")
)

// UnavailableError means the server could not be reached or stopped answering.
type UnavailableError struct {
	Addr string
	Err  error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("mail server %s unavailable: %v", e.Addr, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// ProtocolError is a reply the client did not expect, kept for the log.
type ProtocolError struct {
	Command string // the command verb, never its arguments
	Reply   string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%s: unexpected reply %q", e.Command, e.Reply)
}
