package mailstack

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeEnvFile writes an env.json into a temp dir with every address set to addr.
func writeEnvFile(t *testing.T, addr string) string {
	t.Helper()
	dir := t.TempDir()
	body := fmt.Sprintf(`{"dir": %q, "domain": "example.test", "ca_file": "/nonexistent/ca.crt",
		"tls_server_name": "mail.example.test", "pop3": %[2]q, "pop3s": %[2]q,
		"pop3_nouidl": %[2]q, "pop3s_nouidl": %[2]q, "smtp": %[2]q, "submission": %[2]q,
		"users": {"alice": "secret"}, "script": "/nonexistent/mailstack.sh"}`, dir, addr)
	if err := os.WriteFile(filepath.Join(dir, "env.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoad(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name        string
		dir         string
		wantRunning bool
	}{
		{"no env.json", t.TempDir(), false},
		{"ports refuse", writeEnvFile(t, closedAddr), false},
		{"ports listen", writeEnvFile(t, ln.Addr().String()), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Load(tt.dir)
			if tt.wantRunning {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				if got, want := e.Submission, ln.Addr().String(); got != want {
					t.Errorf("Submission: got %q, want %q", got, want)
				}
				if got, want := e.Users["alice"], "secret"; got != want {
					t.Errorf("Users[alice]: got %q, want %q", got, want)
				}
				return
			}
			if !errors.Is(err, ErrNotRunning) {
				t.Errorf("Load error: got %v, want ErrNotRunning", err)
			}
		})
	}
}

func TestCertPoolWithoutCAFileTrustsNothing(t *testing.T) {
	e := Env{CAFile: filepath.Join(t.TempDir(), "missing.crt")}
	if e.CertPool() == nil {
		t.Fatal("CertPool: got nil (would mean system roots), want an empty pool")
	}
}

// greeting connects to addr (with TLS if tlsConf is set) and returns the first line.
func greeting(t *testing.T, addr string, tlsConf *tls.Config) (string, net.Conn) {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	var c net.Conn
	var err error
	if tlsConf != nil {
		c, err = tls.DialWithDialer(d, "tcp", addr, tlsConf)
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read greeting from %s: %v", addr, err)
	}
	return line, c
}

func TestRequireGivesAnsweringServers(t *testing.T) {
	e := Require(t)
	tests := []struct {
		name, addr string
		tls        bool
		wantPrefix string
	}{
		{"pop3", e.POP3, false, "+OK"},
		{"pop3s", e.POP3S, true, "+OK"},
		{"pop3 nouidl", e.POP3NoUIDL, false, "+OK"},
		{"pop3s nouidl", e.POP3SNoUIDL, true, "+OK"},
		{"smtp", e.SMTP, false, "220 "},
		{"submission", e.Submission, false, "220 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conf *tls.Config
			if tt.tls {
				conf = e.TLSConfig() // verifies the chain to the stack's CA and the name
			}
			got, _ := greeting(t, tt.addr, conf)
			if !strings.HasPrefix(got, tt.wantPrefix) {
				t.Errorf("greeting: got %q, want prefix %q", got, tt.wantPrefix)
			}
		})
	}
}

// pop3 is a minimal POP3 client for checking the stack itself.
type pop3 struct {
	t *testing.T
	r *bufio.Reader
	c net.Conn
}

func dialPOP3(t *testing.T, addr, user, pass string) *pop3 {
	t.Helper()
	line, c := greeting(t, addr, nil)
	if !strings.HasPrefix(line, "+OK") {
		t.Fatalf("greeting: got %q, want +OK", line)
	}
	p := &pop3{t: t, r: bufio.NewReader(c), c: c}
	p.cmd("USER " + user)
	p.cmd("PASS " + pass)
	return p
}

func (p *pop3) cmd(line string) string {
	p.t.Helper()
	fmt.Fprintf(p.c, "%s\r\n", line)
	resp, err := p.r.ReadString('\n')
	if err != nil || !strings.HasPrefix(resp, "+OK") {
		p.t.Fatalf("%s: got %q, %v", strings.Fields(line)[0], resp, err)
	}
	return resp
}

func (p *pop3) lines(line string) []string {
	p.t.Helper()
	p.cmd(line)
	var out []string
	for {
		l, err := p.r.ReadString('\n')
		if err != nil {
			p.t.Fatalf("%s: %v", line, err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "." {
			return out
		}
		out = append(out, l)
	}
}

func (p *pop3) count() int {
	p.t.Helper()
	var n, size int
	if _, err := fmt.Sscanf(p.cmd("STAT"), "+OK %d %d", &n, &size); err != nil {
		p.t.Fatalf("STAT: %v", err)
	}
	return n
}

func TestNoUIDLRelayHidesUIDL(t *testing.T) {
	e := Require(t)
	const user, pass = "mailstack-pkgtest", "pkgtest-pw"
	e.AddUser(t, user, pass)
	tests := []struct {
		name, addr string
		wantUIDL   bool
	}{
		{"dovecot", e.POP3, true},
		{"relay", e.POP3NoUIDL, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialPOP3(t, tt.addr, user, pass)
			caps := strings.Join(p.lines("CAPA"), " ")
			if got := strings.Contains(caps, "UIDL"); got != tt.wantUIDL {
				t.Errorf("CAPA %q lists UIDL: got %v, want %v", caps, got, tt.wantUIDL)
			}
			fmt.Fprintf(p.c, "UIDL\r\n")
			resp, _ := p.r.ReadString('\n')
			if got := strings.HasPrefix(resp, "+OK"); got != tt.wantUIDL {
				t.Errorf("UIDL answer %q: got ok=%v, want %v", resp, got, tt.wantUIDL)
			}
		})
	}
}

func TestFillClearDrain(t *testing.T) {
	e := Require(t)
	const user, pass, n = "mailstack-pkgtest", "pkgtest-pw", 12
	e.AddUser(t, user, pass)

	e.Fill(t, user, n)
	p := dialPOP3(t, e.POP3, user+"@"+e.Domain, pass)
	if got := p.count(); got != n {
		t.Fatalf("after Fill: got %d messages, want %d", got, n)
	}
	for i := 1; i <= n; i++ {
		want := fmt.Sprintf("Subject: Test message %d of %d", i, n)
		var got string
		for _, l := range p.lines(fmt.Sprintf("TOP %d 0", i)) {
			if strings.HasPrefix(l, "Subject:") {
				got = l
			}
		}
		if got != want {
			t.Errorf("message %d: got %q, want %q", i, got, want)
		}
	}
	p.cmd("QUIT")

	e.Clear(t, user)
	if got := dialPOP3(t, e.POP3, user, pass).count(); got != 0 {
		t.Fatalf("after Clear: got %d messages, want 0", got)
	}

	to := user + "@" + e.Domain
	msg := "From: x@" + e.Domain + "\r\nTo: " + to + "\r\nSubject: drain\r\n\r\nhello\r\n"
	sendSMTP(t, e, to, msg)
	e.Drain(t)
	if got := dialPOP3(t, e.POP3, user, pass).count(); got != 1 {
		t.Fatalf("after SMTP and Drain: got %d messages, want 1", got)
	}
	e.Clear(t, user)
}

// sendSMTP sends msg to rcpt through the stack's SMTP port after STARTTLS.
func sendSMTP(t *testing.T, e Env, rcpt, msg string) {
	t.Helper()
	c, err := smtp.Dial(e.SMTP)
	if err != nil {
		t.Fatalf("smtp dial: %v", err)
	}
	defer c.Close()
	steps := []struct {
		name string
		do   func() error
	}{
		{"EHLO", func() error { return c.Hello("mailstack-test.invalid") }},
		{"STARTTLS", func() error { return c.StartTLS(e.TLSConfig()) }},
		{"MAIL", func() error { return c.Mail("x@" + e.Domain) }},
		{"RCPT", func() error { return c.Rcpt(rcpt) }},
		{"DATA", func() error {
			w, err := c.Data()
			if err != nil {
				return err
			}
			if _, err := w.Write([]byte(msg)); err != nil {
				return err
			}
			return w.Close()
		}},
		{"QUIT", c.Quit},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("smtp %s: %v", s.name, err)
		}
	}
}

// The second domain's users are others: NAME@Domain2 has a password, a
// mailbox and mail of its own, and NAME of the first domain is not it.
func TestSecondDomain(t *testing.T) {
	e := Require(t)
	if e.Domain2 == "" {
		t.Fatal("env.json names no second domain")
	}
	const name = "mailstack-second"
	other := name + "@" + e.Domain2
	e.AddUser(t, name, "first-pw")
	e.AddUser(t, other, "second-pw")
	e.Fill(t, name, 3)
	e.Fill(t, other, 5)
	for _, tt := range []struct {
		user, pass string
		want       int
	}{{name, "first-pw", 3}, {name + "@" + e.Domain, "first-pw", 3}, {other, "second-pw", 5}} {
		p := dialPOP3(t, e.POP3, tt.user, tt.pass)
		if got := p.count(); got != tt.want {
			t.Errorf("%s: got %d messages, want %d", tt.user, got, tt.want)
		}
		p.cmd("QUIT")
	}
	for _, tt := range []struct{ user, pass string }{{other, "first-pw"}, {name, "second-pw"}} {
		if err := popLogin(e.POP3, tt.user, tt.pass); err == nil {
			t.Errorf("%s logged in with the other domain's password", tt.user)
		}
	}
	msg := "From: x@" + e.Domain + "\r\nTo: " + other + "\r\nSubject: second\r\n\r\nhello\r\n"
	sendSMTP(t, e, other, msg)
	e.Drain(t)
	if got := dialPOP3(t, e.POP3, other, "second-pw").count(); got != 6 {
		t.Errorf("after mail to %s: got %d messages, want 6", other, got)
	}
	if got := dialPOP3(t, e.POP3, name, "first-pw").count(); got != 3 {
		t.Errorf("after mail to %s: %s has %d messages, want 3", other, name, got)
	}
	e.Clear(t, other)
	e.Clear(t, name)
}
