package devmail

import (
	"bufio"
	"crypto/tls"
	"strings"
	"testing"

	"gomailcgi/internal/testing/testtls"
)

// upgrade sends STLS, checks the answer and runs the client handshake.
func (p *popConn) upgrade(cfg *tls.Config) {
	p.t.Helper()
	if got := p.cmd("STLS"); got != "+OK begin TLS negotiation" {
		p.t.Fatalf("STLS: got %q", got)
	}
	tc := tls.Client(p.conn, cfg)
	if err := tc.Handshake(); err != nil {
		p.t.Fatalf("TLS handshake: %v", err)
	}
	p.conn = tc
	p.r = bufio.NewReader(tc)
}

func TestPOPSTLS(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	s := startTest(t, Config{TLSConfig: serverTLS})
	fillBox(t, s)
	p := dialPOP(t, s)
	p.upgrade(clientTLS)

	if got := p.cmd("CAPA"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("CAPA: got %q", got)
	}
	if got := p.multi(); strings.Contains(got, "STLS") {
		t.Errorf("CAPA after STLS: got %q, want no STLS", got)
	}
	if got := p.cmd("STLS"); got != "-ERR already using TLS" {
		t.Errorf("second STLS: got %q", got)
	}
	p.login(testUser, testPass)
	if got := p.cmd("RETR 2"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("RETR: got %q", got)
	}
	if got, want := p.multi(), stuffed(msgLong); got != want {
		t.Errorf("RETR over TLS: got %d bytes, want %d", len(got), len(want))
	}
	if got := p.cmd("QUIT"); !strings.HasPrefix(got, "+OK") {
		t.Errorf("QUIT: got %q", got)
	}
}

// TestPOPSTLSInjection checks that a command pipelined in plain text after
// STLS is not run inside the TLS session.
func TestPOPSTLSInjection(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	s := startTest(t, Config{TLSConfig: serverTLS})
	p := dialPOP(t, s)
	p.send("STLS\r\nCAPA\r\n")
	if got := p.line(); got != "+OK begin TLS negotiation\r\n" {
		t.Fatalf("STLS: got %q", got)
	}
	tc := tls.Client(p.conn, clientTLS)
	if err := tc.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	p.conn, p.r = tc, bufio.NewReader(tc)
	if got := p.cmd("NOOP"); got != "+OK" {
		t.Errorf("first answer inside TLS: got %q, want +OK to NOOP", got)
	}
}

func TestPOPSTLSAfterLogin(t *testing.T) {
	serverTLS, _ := testtls.New(t)
	p := dialPOP(t, startTest(t, Config{TLSConfig: serverTLS}))
	p.login(testUser, testPass)
	if got := p.cmd("STLS"); got != "-ERR already logged in" {
		t.Errorf("STLS after login: got %q", got)
	}
	if got := p.cmd("CAPA"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("CAPA: got %q", got)
	}
	if got := p.multi(); strings.Contains(got, "STLS") {
		t.Errorf("CAPA after login: got %q, want no STLS", got)
	}
}

func TestPOPSTLSBadHandshake(t *testing.T) {
	serverTLS, _ := testtls.New(t)
	s := startTest(t, Config{TLSConfig: serverTLS})
	p := dialPOP(t, s)
	p.cmd("STLS")
	p.send("this is not a TLS client hello\r\n")
	// The server gives up on the connection; a new one still works.
	p.r.ReadString(0)
	q := dialPOP(t, s)
	if got := q.cmd("NOOP"); got != "+OK" {
		t.Errorf("NOOP on a new connection: got %q", got)
	}
}
