package mailtools

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"gomailcgi/internal/testing/testtls"
)

// recordingBackend is a go-smtp backend that accepts one user and keeps
// every message it is given.
type recordingBackend struct {
	user, password string

	mu   sync.Mutex
	msgs []recordedMail
}

type recordedMail struct {
	authUser string
	from     string
	to       []string
	data     []byte
}

func (b *recordingBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &recordingSession{b: b}, nil
}

func (b *recordingBackend) received() []recordedMail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]recordedMail(nil), b.msgs...)
}

type recordingSession struct {
	b   *recordingBackend
	cur recordedMail
}

func (s *recordingSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *recordingSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if identity != "" && identity != user || user != s.b.user || password != s.b.password {
			return smtp.ErrAuthFailed
		}
		s.cur.authUser = user
		return nil
	}), nil
}

func (s *recordingSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *recordingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *recordingSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = data
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, s.cur)
	s.b.mu.Unlock()
	return nil
}

func (s *recordingSession) Reset()        { s.cur = recordedMail{authUser: s.cur.authUser} }
func (s *recordingSession) Logout() error { return nil }

// startGoSMTP runs go-smtp's server on loopback in the given mode.
func startGoSMTP(t *testing.T, sec Security, serverTLS *tls.Config, be smtp.Backend) string {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var ln net.Listener
	var err error
	switch sec {
	case SecurityTLS:
		ln, err = tls.Listen("tcp", "127.0.0.1:0", serverTLS)
	case SecuritySTARTTLS:
		srv.TLSConfig = serverTLS
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	default:
		srv.AllowInsecureAuth = true
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestSendThroughGoSMTPServer(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	dots := "Hello.\n.\n..two dots\n.leading dot\n"
	bodies := []struct{ name, body string }{
		{"7bit", dots + "end"}, // dot lines travel as they are
		{"quoted-printable", dots + strings.Repeat("abcdefghij", 600) + "\nÜnïcödé line\nend"},
	}
	for _, sec := range []Security{SecurityInsecure, SecuritySTARTTLS, SecurityTLS} {
		for _, b := range bodies {
			t.Run(string(sec)+"/"+b.name, func(t *testing.T) {
				testSendThroughGoSMTP(t, sec, serverTLS, clientTLS, b.body)
			})
		}
	}
}

func testSendThroughGoSMTP(t *testing.T, sec Security, serverTLS, clientTLS *tls.Config, body string) {
	t.Helper()
	wantBody := strings.ReplaceAll(body, "\n", "\r\n")
	be := &recordingBackend{user: "user", password: "pass"}
	addr := startGoSMTP(t, sec, serverTLS, be)
	s := testSMTP(addr, sec, clientTLS)
	m := sendOutgoing()
	m.Subject = "Grüße, round trip"
	m.Body = body
	m.Attachments = []Attachment{{Filename: "notes – ü.txt", Body: strings.NewReader(".\r\n.dot\r\n")}}

	id, err := sendWithin(t, context.Background(), s, smtpCred, m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := be.received()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	rec := got[0]
	if rec.authUser != "user" || rec.from != "ann@example.org" {
		t.Errorf("auth %q from %q, want user / ann@example.org", rec.authUser, rec.from)
	}
	if to, want := strings.Join(rec.to, " "), "bob@example.net carol@example.com dave@example.com"; to != want {
		t.Errorf("RCPT: got %q, want %q", to, want)
	}
	checkWire(t, rec.data)
	h, text, atts := readBackMessage(t, rec.data)
	if text != wantBody {
		t.Errorf("body differs at byte %d:\ngot  %.100q\nwant %.100q",
			diffAt(text, wantBody), text, wantBody)
	}
	if got, _ := h.MessageID(); "<"+got+">" != id {
		t.Errorf("Message-ID: got %q, want %q", got, id)
	}
	if subj, _ := h.Subject(); subj != m.Subject {
		t.Errorf("Subject: got %q, want %q", subj, m.Subject)
	}
	if h.Has("Bcc") || strings.Contains(string(rec.data), "dave@example.com") {
		t.Errorf("the Bcc recipient shows in the delivered message")
	}
	if len(atts) != 1 || atts[0].filename != "notes – ü.txt" || string(atts[0].body) != ".\r\n.dot\r\n" {
		t.Errorf("attachment: got %+v, want notes – ü.txt with its dot lines", atts)
	}
}

func diffAt(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestSendThroughGoSMTPServerWrongPassword(t *testing.T) {
	be := &recordingBackend{user: "user", password: "secret"}
	addr := startGoSMTP(t, SecurityInsecure, nil, be)
	_, err := sendWithin(t, context.Background(), testSMTP(addr, SecurityInsecure, nil), smtpCred, sendOutgoing())
	if !errors.Is(err, ErrBadCredentials) {
		t.Errorf("got %v, want ErrBadCredentials", err)
	}
	if n := len(be.received()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}
