package devmail

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"gomailcgi/internal/testing/testtls"
)

// smtpMessage has a 6000-character line and lines that start with '.'.
var smtpMessage = "From: Demo User <demo@example.org>\r\n" +
	"To: Demo User <demo@example.org>\r\n" +
	"Subject: to myself\r\n" +
	"Message-ID: <self.1@example.org>\r\n" +
	"\r\n" +
	".first body line starts with a dot\r\n" +
	strings.Repeat("abcdefghij", 600) + "\r\n" +
	".\r\n" +
	"..\r\n" +
	"end\r\n"

// sendSMTP delivers one message with go-smtp's client; auth may be nil.
// tlsConfig, if set, makes it use STARTTLS.
func sendSMTP(t *testing.T, s *Server, tlsConfig *tls.Config, auth sasl.Client, from string, to []string, msg string) error {
	t.Helper()
	var c *smtp.Client
	var err error
	if tlsConfig != nil {
		c, err = smtp.DialStartTLS(s.SMTPAddr(), tlsConfig)
	} else {
		c, err = smtp.Dial(s.SMTPAddr())
	}
	if err != nil {
		t.Fatalf("dial SMTP: %v", err)
	}
	defer c.Close()
	if auth != nil {
		if err := c.Auth(auth); err != nil {
			return err
		}
	}
	if err := c.SendMail(from, to, strings.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

// retrieveAll logs in over POP3 as user and returns every message as
// served by RETR, un-dot-stuffed by the test itself.
func retrieveAll(t *testing.T, s *Server, user, pass string) []string {
	t.Helper()
	p := dialPOP(t, s)
	p.login(user, pass)
	var n, size int
	if _, err := fmt.Sscanf(p.cmd("STAT"), "+OK %d %d", &n, &size); err != nil {
		t.Fatalf("STAT: %v", err)
	}
	var out []string
	for i := 1; i <= n; i++ {
		if got := p.cmd(fmt.Sprintf("RETR %d", i)); !strings.HasPrefix(got, "+OK") {
			t.Fatalf("RETR %d: got %q", i, got)
		}
		body := strings.TrimSuffix(p.multi(), ".\r\n")
		body = strings.ReplaceAll(body, "\r\n..", "\r\n.")
		body = strings.TrimPrefix(body, ".")
		out = append(out, body)
	}
	p.cmd("QUIT")
	return out
}

func TestSMTPRoundTrip(t *testing.T) {
	s := startTest(t, Config{})
	err := sendSMTP(t, s, nil, sasl.NewPlainClient("", testUser, testPass), "demo@example.org", []string{"DEMO@example.org"}, smtpMessage)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	got := retrieveAll(t, s, testUser, testPass)
	if len(got) != 1 || got[0] != smtpMessage {
		t.Fatalf("RETR after SMTP: got %d messages %.200q, want the sent message byte-exact", len(got), got)
	}
	sent := s.Sent()
	if len(sent) != 1 {
		t.Fatalf("Sent: got %d envelopes, want 1", len(sent))
	}
	want := Envelope{From: "demo@example.org", To: []string{"DEMO@example.org"}, Data: []byte(smtpMessage), User: testUser}
	if e := sent[0]; e.From != want.From || strings.Join(e.To, ",") != strings.Join(want.To, ",") || string(e.Data) != smtpMessage || e.User != want.User {
		t.Errorf("Sent[0]: got {%q %q %d bytes %q}, want {%q %q %d bytes %q}", e.From, e.To, len(e.Data), e.User, want.From, want.To, len(want.Data), want.User)
	}
}

func TestSMTPRecipients(t *testing.T) {
	users := map[string]string{"demo": "pw1", "ann": "pw2", "bob@example.net": "pw3"}
	tests := []struct {
		name     string
		catchAll string
		to       []string
		wantErr  int            // SMTP code, 0 for success
		want     map[string]int // messages per mailbox afterwards
	}{
		{"local part", "", []string{"ann@example.org"}, 0, map[string]int{"ann": 1}},
		{"case-insensitive", "", []string{"Ann@Example.ORG"}, 0, map[string]int{"ann": 1}},
		{"full address user", "", []string{"BOB@example.net"}, 0, map[string]int{"bob@example.net": 1}},
		{"two users", "", []string{"ann@x.example", "demo@y.example"}, 0, map[string]int{"ann": 1, "demo": 1}},
		{"same mailbox twice delivers once", "", []string{"ann@x.example", "ANN@y.example"}, 0, map[string]int{"ann": 1}},
		{"unknown rejected", "", []string{"carol@example.org"}, 550, map[string]int{}},
		{"unknown to catch-all", "demo", []string{"carol@example.org"}, 0, map[string]int{"demo": 1}},
		{"known and unknown to catch-all", "demo", []string{"carol@example.org", "ann@example.org"}, 0, map[string]int{"demo": 1, "ann": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startTest(t, Config{Users: users, CatchAll: tt.catchAll})
			err := sendSMTP(t, s, nil, nil, "sender@example.com", tt.to, "Subject: hi\r\n\r\nhello\r\n")
			var se *smtp.SMTPError
			switch {
			case tt.wantErr == 0 && err != nil:
				t.Fatalf("send: %v", err)
			case tt.wantErr != 0 && (!errors.As(err, &se) || se.Code != tt.wantErr):
				t.Fatalf("send: got %v, want SMTP %d", err, tt.wantErr)
			}
			for u := range users {
				if got := s.Mailbox(u).Len(); got != tt.want[u] {
					t.Errorf("mailbox %s: got %d messages, want %d", u, got, tt.want[u])
				}
			}
			wantSent := 0
			if tt.wantErr == 0 {
				wantSent = 1
			}
			if got := len(s.Sent()); got != wantSent {
				t.Errorf("Sent: got %d, want %d", got, wantSent)
			}
		})
	}
}

func TestSMTPAuth(t *testing.T) {
	tests := []struct {
		name     string
		auth     sasl.Client
		wantErr  bool
		wantCode int // checked when not 0
		wantUser string
	}{
		{"none", nil, false, 0, ""},
		{"good", sasl.NewPlainClient("", testUser, testPass), false, 0, testUser},
		{"good with identity", sasl.NewPlainClient(testUser, testUser, testPass), false, 0, testUser},
		{"wrong password", sasl.NewPlainClient("", testUser, "nope"), true, 535, ""},
		{"unknown user", sasl.NewPlainClient("", "nobody", testPass), true, 535, ""},
		{"acting for another identity", sasl.NewPlainClient("root", testUser, testPass), true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startTest(t, Config{})
			err := sendSMTP(t, s, nil, tt.auth, "demo@example.org", []string{"demo@example.org"}, "Subject: a\r\n\r\nb\r\n")
			if tt.wantErr {
				var se *smtp.SMTPError
				if err == nil || (tt.wantCode != 0 && (!errors.As(err, &se) || se.Code != tt.wantCode)) {
					t.Fatalf("send: got %v, want an error (SMTP code %d)", err, tt.wantCode)
				}
				if got := len(s.Sent()); got != 0 {
					t.Errorf("Sent: got %d envelopes, want 0", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			sent := s.Sent()
			if len(sent) != 1 || sent[0].User != tt.wantUser {
				t.Errorf("Sent: got %+v, want one envelope with User %q", sent, tt.wantUser)
			}
		})
	}
}

func TestSMTPStartTLS(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	s := startTest(t, Config{TLSConfig: serverTLS})
	err := sendSMTP(t, s, clientTLS, sasl.NewPlainClient("", testUser, testPass), "demo@example.org", []string{"demo@example.org"}, smtpMessage)
	if err != nil {
		t.Fatalf("send over STARTTLS: %v", err)
	}
	if got := retrieveAll(t, s, testUser, testPass); len(got) != 1 || got[0] != smtpMessage {
		t.Errorf("RETR after STARTTLS send: got %d messages, want the sent message byte-exact", len(got))
	}

	plain := startTest(t, Config{})
	c, err := smtp.Dial(plain.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered without a TLS config")
	}
}

func TestSMTPMessageTooLarge(t *testing.T) {
	s := startTest(t, Config{MaxMessageBytes: 1000})
	err := sendSMTP(t, s, nil, nil, "a@example.org", []string{"demo@example.org"}, "Subject: big\r\n\r\n"+strings.Repeat(strings.Repeat("x", 70)+"\r\n", 3000))
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 552 {
		t.Fatalf("oversized message: got %v, want SMTP 552", err)
	}
	if got := s.Mailbox(testUser).Len(); got != 0 {
		t.Errorf("mailbox: got %d messages, want 0", got)
	}
}
