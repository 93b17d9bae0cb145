package mailtools

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/testing/testtls"
)

// These tests pin down, one by one, the defects of go-pop3 v1.0.0 that
// must not reach a user, against a scripted server (popconn.go lists
// them).

const (
	capaPlain = "+OK\r\nUSER\r\nTOP\r\nUIDL\r\n.\r\n"
	capaNoUID = "+OK\r\nUSER\r\nTOP\r\n.\r\n"
)

// retrHeader is the header of the message used for RETR tests; its
// fingerprint is what a header-matched ref carries.
const retrHeader = "From: a@example.test\r\nSubject: dots\r\n\r\n"

func TestRetrUnstuffsDots(t *testing.T) {
	long := strings.Repeat("x", 6000)
	wire := retrHeader + "..leading dot\r\n...two\r\n" + long + "\r\n.\r\n"
	want := retrHeader + ".leading dot\r\n..two\r\n" + long + "\r\n"
	srv := newScriptServer(t, "+OK ready\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 1 100\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + retrHeader + ".\r\n"},
		{expect: "LIST 1", reply: "+OK 1 100\r\n"},
		{expect: "RETR 1", reply: "+OK\r\n" + wire},
		{expect: "QUIT", reply: "+OK bye\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	ref := Ref{Num: 1, ID: headerFingerprint([]byte(retrHeader))}
	m, err := fetchAll(context.Background(), s, ref)
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if got := string(m.Raw); got != want {
		t.Errorf("raw message differs: got %d bytes, want %d (first diff at %d)", len(got), len(want), firstDiff(got, want))
	}
	if m.Envelope.Subject != "dots" {
		t.Errorf("subject: got %q, want %q", m.Envelope.Subject, "dots")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	srv.transcript()
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A reply we cannot read leaves the session out of step: it must hang up
// at once, not send QUIT and wait out the command timeout for an answer.
func TestUnreadableReplyHangsUpWithoutQuit(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		call  func(*Session) error
	}{
		{
			name:  "STAT bare +OK",
			steps: []step{{expect: "STAT", reply: "+OK\r\n"}},
			call:  func(s *Session) error { _, err := s.Count(context.Background()); return err },
		},
		{
			name:  "reply line too long",
			steps: []step{{expect: "STAT", reply: "+OK 1 10 " + strings.Repeat("x", 5000) + "\r\n"}},
			call:  func(s *Session) error { _, err := s.Count(context.Background()); return err },
		},
		{
			name:  "STAT not numbers",
			steps: []step{{expect: "STAT", reply: "+OK many 10\r\n"}},
			call:  func(s *Session) error { _, err := s.Count(context.Background()); return err },
		},
		{
			name: "UIDL of another message",
			steps: []step{
				{expect: "STAT", reply: "+OK 1 10\r\n"},
				{expect: "CAPA", reply: capaPlain},
				{expect: "UIDL 1", reply: "+OK 2 other\r\n"},
			},
			call: func(s *Session) error {
				_, err := fetchAll(context.Background(), s, Ref{Num: 1, ID: "uabc"})
				return err
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), tt.steps)...)
			s := dialTest(t, testPOP(srv.addr()))
			var pe *ProtocolError
			if err := tt.call(s); !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ProtocolError", err)
			}
			s.Close()
			wrote, closed := srv.transcript()
			if !closed {
				t.Error("the connection was left open after a protocol error")
			}
			if strings.Contains(wrote, "QUIT") {
				t.Errorf("client wrote %q: QUIT after a protocol error, want a hang-up", wrote)
			}
		})
	}
}

func TestCRLFInCredentialsNeverReachesTheWire(t *testing.T) {
	for _, cred := range []Credentials{
		{User: "ann\r\nDELE 1", Password: "pw"},
		{User: "ann", Password: "pw\r\nDELE 1"},
		{User: "ann", Password: "pw\nQUIT"},
		{User: "ann\x00", Password: "pw"},
		{User: "", Password: "pw"},
	} {
		t.Run(strings.ReplaceAll(cred.User+"/"+cred.Password, "\r\n", "CRLF"), func(t *testing.T) {
			srv := newScriptServer(t, "+OK\r\n")
			_, err := testPOP(srv.addr()).Dial(context.Background(), cred)
			if !errors.Is(err, ErrBadCredentials) {
				t.Fatalf("got %v, want ErrBadCredentials", err)
			}
			// No connection was even opened: the script server never saw one.
			srv.ln.Close()
			if got, _ := srv.transcript(); got != "" {
				t.Errorf("client wrote %q, want nothing", got)
			}
		})
	}
}

func TestFailedGreetingClosesTheConnection(t *testing.T) {
	srv := newScriptServer(t, "-ERR too busy\r\n")
	_, err := testPOP(srv.addr()).Dial(context.Background(), testCred)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnavailableError", err)
	}
	if _, closed := srv.transcript(); !closed {
		t.Error("connection leaked after a failed greeting")
	}
}

// After a deletion QUIT's reply says whether it was committed: Close
// waits for it, and reports a refusal.
func TestFailedQuitClosesTheConnection(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 1 100\r\n"},
		{expect: "CAPA", reply: capaPlain},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + hdrA + ".\r\n"},
		{expect: "DELE 1", reply: "+OK\r\n"},
		{expect: "QUIT", reply: "-ERR cannot commit\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	if _, err := s.Delete(context.Background(), []Ref{{1, "uu-a"}}); err == nil {
		t.Error("Delete: got nil, want the QUIT failure")
	}
	if _, closed := srv.transcript(); !closed {
		t.Error("connection leaked after a failed QUIT")
	}
}

// Without deletions QUIT commits nothing: Close says it and hangs up
// without waiting for the reply, which here never comes.
func TestCloseWithoutDeletionsDoesNotWait(t *testing.T) {
	hold := make(chan struct{})
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "QUIT", hold: hold},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	close(hold)
	if got, closed := srv.transcript(); !strings.HasSuffix(got, "QUIT\r\n") || !closed {
		t.Errorf("want QUIT and a hang-up; client wrote:\n%s", got)
	}
}

func TestWrongPassword(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n",
		step{expect: "CAPA", reply: capaLogin},
		step{expect: "USER ann", reply: "+OK\r\n"},
		step{expect: "PASS pw", reply: "-ERR [AUTH] Authentication failed.\r\n"},
	)
	_, err := testPOP(srv.addr()).Dial(context.Background(), testCred)
	if !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("got %v, want ErrBadCredentials", err)
	}
	if _, closed := srv.transcript(); !closed {
		t.Error("connection left open after a refused login")
	}
}

// An empty line is no "+OK": a login it answers has not succeeded.
func TestEmptyReplyIsNoLogin(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n",
		step{expect: "CAPA", reply: capaLogin},
		step{expect: "USER ann", reply: "+OK\r\n"},
		step{expect: "PASS pw", reply: "\r\n"},
	)
	_, err := testPOP(srv.addr()).Dial(context.Background(), testCred)
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a *ProtocolError", err)
	}
	if _, closed := srv.transcript(); !closed {
		t.Error("connection left open after an unreadable reply")
	}
}

func TestTemporaryLoginFailureIsNotABadPassword(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n",
		step{expect: "CAPA", reply: capaLogin},
		step{expect: "USER ann", reply: "+OK\r\n"},
		step{expect: "PASS pw", reply: "-ERR [SYS/TEMP] try later\r\n"},
	)
	_, err := testPOP(srv.addr()).Dial(context.Background(), testCred)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnavailableError", err)
	}
	srv.transcript()
}

func TestOpenStreamsBeforeTheMessageEnds(t *testing.T) {
	hold := make(chan struct{})
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 1 100\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + retrHeader + ".\r\n"},
		{expect: "LIST 1", reply: "+OK 1 100\r\n"},
		{expect: "RETR 1", reply: "+OK\r\n" + retrHeader + "first part\r\n"},
		// The rest comes only after the client has read the first part.
		{hold: hold, reply: "second part\r\n.\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	r, err := s.Open(context.Background(), Ref{Num: 1, ID: headerFingerprint([]byte(retrHeader))})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if r.Size != 100 || r.Ref.Num != 1 {
		t.Errorf("got size %d, number %d; want 100, 1", r.Size, r.Ref.Num)
	}
	first := make([]byte, len(retrHeader)+len("first part\r\n"))
	if _, err := io.ReadFull(r, first); err != nil {
		t.Fatalf("reading the start of the stream before the server sent the end: %v", err)
	}
	close(hold)
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading the rest: %v", err)
	}
	if got := string(first) + string(rest); got != retrHeader+"first part\r\nsecond part\r\n" {
		t.Errorf("stream: got %q", got)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	srv.transcript()
}

func TestSilentServerTimesOut(t *testing.T) {
	hold := make(chan struct{})
	defer close(hold)
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", hold: hold},
	})...)
	p := testPOP(srv.addr())
	p.Server.CommandTimeout = 200 * time.Millisecond
	s := dialTest(t, p)
	_, err := s.Count(context.Background())
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnavailableError", err)
	}
	// The server never answers: only the command timeout can end the wait.
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("got %v, want it caused by the command deadline", err)
	}
}

func TestCancelledContextEndsTheCommand(t *testing.T) {
	hold := make(chan struct{})
	defer close(hold)
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", hold: hold},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Count(ctx); err == nil {
		t.Fatal("Count under a cancelled context: got nil error")
	}
}

func TestSTLS(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	srv := newScriptServer(t, "+OK hello\r\n", steps([]step{
		{expect: "STLS", reply: "+OK begin TLS\r\n", upgrade: serverTLS},
	}, loginSteps(), []step{
		{expect: "STAT", reply: "+OK 3 300\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	p := testPOP(srv.addr())
	p.Server.Security = SecuritySTARTTLS
	clientTLS.ServerName = "mail.example.test"
	p.Server.TLSConfig = clientTLS
	s := dialTest(t, p)
	if n, err := s.Count(context.Background()); err != nil || n != 3 {
		t.Fatalf("Count: got %d, %v; want 3", n, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	srv.transcript()
}

func TestSTLSRefusedSendsNoPassword(t *testing.T) {
	srv := newScriptServer(t, "+OK hello\r\n", step{expect: "STLS", reply: "-ERR not here\r\n"})
	p := testPOP(srv.addr())
	p.Server.Security = SecuritySTARTTLS
	_, err := p.Dial(context.Background(), testCred)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnavailableError", err)
	}
	if got, _ := srv.transcript(); strings.Contains(got, "PASS") || strings.Contains(got, "USER") {
		t.Errorf("credentials sent without TLS: %q", got)
	}
}

func TestSTLSWithUntrustedCertificateSendsNoPassword(t *testing.T) {
	serverTLS, _ := testtls.New(t)
	srv := newScriptServer(t, "+OK hello\r\n",
		step{expect: "STLS", reply: "+OK\r\n", upgrade: serverTLS, refused: true})
	p := testPOP(srv.addr())
	p.Server.Security = SecuritySTARTTLS // system roots: the test CA is not among them
	_, err := p.Dial(context.Background(), testCred)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnavailableError", err)
	}
}
