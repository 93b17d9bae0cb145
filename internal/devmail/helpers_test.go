package devmail

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

const (
	testUser = "demo"
	testPass = "demo pass" // a space, as POP3 PASS allows
)

// startTest starts a server for one test and closes it afterwards. Users
// defaults to testUser/testPass.
func startTest(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Users == nil {
		cfg.Users = map[string]string{testUser: testPass}
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 10 * time.Second
	}
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// popConn is a raw POP3 client connection for transcript tests.
type popConn struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

// dialPOP connects and reads the greeting.
func dialPOP(t testing.TB, s *Server) *popConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.POPAddr(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial POP3: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	p := &popConn{t: t, conn: c, r: bufio.NewReader(c)}
	if got := p.line(); !strings.HasPrefix(got, "+OK ") {
		t.Fatalf("greeting: got %q, want +OK", got)
	}
	return p
}

// send writes raw bytes.
func (p *popConn) send(s string) {
	p.t.Helper()
	if _, err := p.conn.Write([]byte(s)); err != nil {
		p.t.Fatalf("write %q: %v", s, err)
	}
}

// line reads one response line, CRLF included.
func (p *popConn) line() string {
	p.t.Helper()
	l, err := p.r.ReadString('\n')
	if err != nil {
		p.t.Fatalf("read line: %v (so far %q)", err, l)
	}
	return l
}

// cmd sends one command and returns the one-line answer without CRLF.
func (p *popConn) cmd(c string) string {
	p.t.Helper()
	p.send(c + "\r\n")
	return strings.TrimSuffix(p.line(), "\r\n")
}

// multi reads a multi-line response body up to and including ".\r\n",
// exactly as sent (still dot-stuffed).
func (p *popConn) multi() string {
	p.t.Helper()
	var b strings.Builder
	for {
		l := p.line()
		b.WriteString(l)
		if l == ".\r\n" {
			return b.String()
		}
	}
}

// login sends USER and PASS and fails the test unless both succeed.
func (p *popConn) login(user, pass string) {
	p.t.Helper()
	if got := p.cmd("USER " + user); !strings.HasPrefix(got, "+OK") {
		p.t.Fatalf("USER: got %q, want +OK", got)
	}
	if got := p.cmd("PASS " + pass); !strings.HasPrefix(got, "+OK") {
		p.t.Fatalf("PASS: got %q, want +OK", got)
	}
}

// stuffed is what a multi-line response carries for data: written here
// independently of the server's loop, by string replacement.
func stuffed(data string) string {
	s := strings.ReplaceAll(data, "\r\n.", "\r\n..")
	if strings.HasPrefix(s, ".") {
		s = "." + s
	}
	return s + ".\r\n"
}

// count returns how many connections s tracks.
func (s *connSet) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
