package devmail

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/emersion/go-smtp"
)

func TestStartRefusesNonLoopback(t *testing.T) {
	addrs := []string{"0.0.0.0:0", ":0", ":110", "[::]:0", "192.0.2.1:110", "10.0.0.1:25", "example.com:25", "localhost.example.com:25"}
	for _, addr := range addrs {
		for _, which := range []string{"POP", "SMTP"} {
			t.Run(which+" "+addr, func(t *testing.T) {
				cfg := Config{Users: map[string]string{"u": "p"}}
				if which == "POP" {
					cfg.POPAddr = addr
				} else {
					cfg.SMTPAddr = addr
				}
				s, err := Start(cfg)
				if err == nil {
					s.Close()
					t.Fatalf("Start(%s=%q): got nil error, want ErrNotLoopback", which, addr)
				}
				if !errors.Is(err, ErrNotLoopback) {
					t.Errorf("Start(%s=%q): got %v, want ErrNotLoopback", which, addr, err)
				}
			})
		}
	}
}

func TestCheckLoopbackAccepts(t *testing.T) {
	for _, addr := range []string{"", "127.0.0.1:0", "127.0.0.2:1100", "localhost:0", "LOCALHOST:25", "[::1]:0"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q): got %v, want nil", addr, err)
		}
	}
}

func TestStartListensOnGivenLoopbackAddress(t *testing.T) {
	s := startTest(t, Config{POPAddr: "127.0.0.1:0", SMTPAddr: "localhost:0"})
	for _, addr := range []string{s.POPAddr(), s.SMTPAddr()} {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || port == "0" || !net.ParseIP(host).IsLoopback() {
			t.Errorf("listen address %q: want a loopback IP and a real port (err %v)", addr, err)
		}
	}
}

func TestStartValidation(t *testing.T) {
	seed := fstest.MapFS{"a.eml": {Data: []byte("Subject: a\r\n\r\na\r\n")}}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"seed user unknown", Config{Users: map[string]string{"u": "p"}, Seed: seed, SeedUser: "v"}, "seed user"},
		{"seed user empty", Config{Users: map[string]string{"u": "p"}, Seed: seed}, "seed user"},
		{"catch-all unknown", Config{Users: map[string]string{"u": "p"}, CatchAll: "v"}, "catch-all"},
		{"empty user name", Config{Users: map[string]string{"": "p"}}, "invalid user name"},
		{"user name with space", Config{Users: map[string]string{"a b": "p"}}, "invalid user name"},
		{"address without port", Config{POPAddr: "127.0.0.1"}, "listen address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Start(tt.cfg)
			if err == nil {
				s.Close()
				t.Fatal("Start: got nil error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Start: got %q, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestStartSeed(t *testing.T) {
	seed := fstest.MapFS{
		"b.eml":     {Data: []byte("Subject: b\n\nb\n")},
		"a.eml":     {Data: []byte("Subject: a\r\n\r\na\r\n")},
		"notes.txt": {Data: []byte("not mail")},
		"sub/c.eml": {Data: []byte("Subject: c\r\n\r\nc\r\n")},
	}
	s := startTest(t, Config{Users: map[string]string{"demo": "p", "other": "q"}, Seed: seed, SeedUser: "demo"})
	box := s.Mailbox("demo")
	var got []string
	for _, uid := range box.UIDs() {
		raw, _ := box.Raw(uid)
		got = append(got, string(raw))
	}
	want := []string{"Subject: a\r\n\r\na\r\n", "Subject: b\r\n\r\nb\r\n"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("seeded mailbox: got %q, want %q", got, want)
	}
	if n := s.Mailbox("other").Len(); n != 0 {
		t.Errorf("other mailbox: got %d messages, want 0", n)
	}
	if s.Mailbox("nobody") != nil {
		t.Error("Mailbox(nobody): got a mailbox, want nil")
	}
}

func TestCloseCutsLiveConnections(t *testing.T) {
	s, err := Start(Config{Users: map[string]string{testUser: testPass}})
	if err != nil {
		t.Fatal(err)
	}
	s.Mailbox(testUser).Add([]byte("Subject: keep\r\n\r\nkeep\r\n"))
	p := dialPOP(t, s)
	p.login(testUser, testPass)
	if got := p.cmd("DELE 1"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("DELE: got %q", got)
	}
	c, err := smtp.Dial(s.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if _, err := p.r.ReadByte(); err != io.EOF {
		t.Errorf("POP3 connection after Close: got %v, want EOF", err)
	}
	if err := c.Noop(); err == nil {
		t.Error("SMTP connection after Close: NOOP succeeded")
	}
	if got := s.Mailbox(testUser).Len(); got != 1 {
		t.Errorf("cut-off session applied its DELE: got %d messages, want 1", got)
	}
	if _, err := net.DialTimeout("tcp", s.POPAddr(), time.Second); err == nil {
		t.Error("POP3 still accepts connections after Close")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
