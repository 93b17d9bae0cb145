package mailtools

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/testtls"
)

var smtpCred = &Credentials{User: "user", Password: "pass"}

// smtpAuthPlain is AUTH PLAIN with the base64 of "\x00user\x00pass".
const smtpAuthPlain = "AUTH PLAIN AHVzZXIAcGFzcw=="

// smtpAuthAbort is the "*" go-smtp sends after any refused AUTH reply.
const smtpAuthAbort = "*"

const (
	smtpGreeting  = "220 fake.example ESMTP ready"
	smtpEHLOAuth  = "250-fake.example\r\n250-PIPELINING\r\n250 AUTH LOGIN PLAIN"
	smtpEHLOPlain = "250-fake.example\r\n250 PIPELINING"
)

func testSMTP(addr string, sec Security, clientTLS *tls.Config) *SMTP {
	return &SMTP{
		Server:    Server{Addr: addr, Security: sec, TLSConfig: clientTLS, CommandTimeout: 2 * time.Second},
		LocalName: "client.example",
	}
}

// sendOutgoing is a message with one recipient of each kind.
func sendOutgoing() *Outgoing {
	m := baseOutgoing()
	m.Cc = []mailmsg.Address{{Addr: "carol@example.com"}}
	m.Bcc = []mailmsg.Address{{Name: "Dave", Addr: "dave@example.com"}}
	return m
}

// sendWithin runs Send and fails the test if it has not returned in 10s.
func sendWithin(t *testing.T, ctx context.Context, s *SMTP, cred *Credentials, m *Outgoing) (string, error) {
	t.Helper()
	type result struct {
		id  string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		id, err := s.Send(ctx, cred, m)
		ch <- result{id, err}
	}()
	select {
	case r := <-ch:
		return r.id, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("Send did not return within 10s")
		return "", nil
	}
}

func checkCommands(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands:\ngot  %q\nwant %q", got, want)
	}
}

func TestSMTPSendTranscript(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	mailTail := []string{
		"MAIL FROM:<ann@example.org>",
		"RCPT TO:<bob@example.net>",
		"RCPT TO:<carol@example.com>",
		"RCPT TO:<dave@example.com>",
		"DATA",
		"QUIT",
	}
	okTail := []string{"250 2.1.0 ok", "250 2.1.5 ok", "250 2.1.5 ok", "250 2.1.5 ok", "354 go ahead", "250 2.0.0 queued", "221 bye"}
	for _, c := range []struct {
		name     string
		sec      Security
		implicit bool
		cred     *Credentials
		replies  []string
		want     []string
	}{
		{
			name:    "insecure never starts TLS",
			sec:     SecurityInsecure,
			cred:    smtpCred,
			replies: append([]string{smtpGreeting, "250-fake.example\r\n250-STARTTLS\r\n250 AUTH PLAIN", "235 2.7.0 ok"}, okTail...),
			want:    append([]string{"EHLO client.example", smtpAuthPlain}, mailTail...),
		},
		{
			name: "starttls",
			sec:  SecuritySTARTTLS,
			cred: smtpCred,
			replies: append([]string{smtpGreeting, "250-fake.example\r\n250 STARTTLS", "220 2.0.0 ready",
				smtpEHLOAuth, "235 2.7.0 ok"}, okTail...),
			want: append([]string{"EHLO localhost", "STARTTLS", "<tls>", "EHLO client.example", smtpAuthPlain}, mailTail...),
		},
		{
			name:     "implicit tls",
			sec:      SecurityTLS,
			implicit: true,
			cred:     smtpCred,
			replies:  append([]string{smtpGreeting, smtpEHLOAuth, "235 2.7.0 ok"}, okTail...),
			want:     append([]string{"EHLO client.example", smtpAuthPlain}, mailTail...),
		},
		{
			name:    "no credentials",
			sec:     SecurityInsecure,
			replies: append([]string{smtpGreeting, smtpEHLOAuth}, okTail...),
			want:    append([]string{"EHLO client.example"}, mailTail...),
		},
		{
			name:    "server offers no AUTH",
			sec:     SecurityInsecure,
			cred:    smtpCred,
			replies: append([]string{smtpGreeting, smtpEHLOPlain}, okTail...),
			want:    append([]string{"EHLO client.example"}, mailTail...),
		},
		{
			name:    "LOGIN when PLAIN is not offered",
			sec:     SecurityInsecure,
			cred:    smtpCred,
			replies: append([]string{smtpGreeting, "250-fake.example\r\n250 AUTH LOGIN", "334 UGFzc3dvcmQ6", "235 2.7.0 ok"}, okTail...),
			want:    append([]string{"EHLO client.example", "AUTH LOGIN dXNlcg==", "cGFzcw=="}, mailTail...),
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeSMTP(t, serverTLS, c.implicit, c.replies...)
			id, err := sendWithin(t, context.Background(), testSMTP(f.addr(), c.sec, clientTLS), c.cred, sendOutgoing())
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			checkCommands(t, f.commands(), c.want)
			raw, ended := f.message()
			if !ended {
				t.Fatalf("DATA did not end with the lone dot")
			}
			h, text, _ := readBackMessage(t, []byte(raw))
			if got, _ := h.MessageID(); "<"+got+">" != id {
				t.Errorf("Message-ID: got %q, want the returned %q", got, id)
			}
			if !strings.HasSuffix(id, "@example.org>") {
				t.Errorf("Message-ID %q is not in the sender's domain", id)
			}
			if h.Has("Bcc") || strings.Contains(raw, "dave@example.com") {
				t.Errorf("the Bcc recipient shows in the message:\n%s", raw)
			}
			if to, cc := h.Get("To"), h.Get("Cc"); !strings.Contains(to, "bob@example.net") || !strings.Contains(cc, "carol@example.com") {
				t.Errorf("To %q / Cc %q: want bob and carol", to, cc)
			}
			if text != "Hi Bob.\r\n" {
				t.Errorf("body: got %q, want %q", text, "Hi Bob.\r\n")
			}
		})
	}
}

func TestSMTPRefusals(t *testing.T) {
	serverTLS, clientTLS := testtls.New(t)
	for _, c := range []struct {
		name    string
		sec     Security
		replies []string
		want    []string
		check   func(t *testing.T, err error)
	}{
		{
			name:    "550 on RCPT",
			replies: []string{smtpGreeting, smtpEHLOPlain, "250 ok", "250 ok", "550 5.1.1 <carol@example.com>: no such user", "221 bye"},
			want:    []string{"EHLO client.example", "MAIL FROM:<ann@example.org>", "RCPT TO:<bob@example.net>", "RCPT TO:<carol@example.com>", "QUIT"},
			check: wantSMTPError(SMTPError{Code: 550, EnhancedCode: "5.1.1", Command: "RCPT", Recipient: "carol@example.com",
				Message: "<carol@example.com>: no such user"}),
		},
		{
			name:    "535 on AUTH",
			replies: []string{smtpGreeting, smtpEHLOAuth, "535 5.7.8 Authentication credentials invalid", "501 5.5.2 no", "221 bye"},
			want:    []string{"EHLO client.example", smtpAuthPlain, smtpAuthAbort, "QUIT"},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrBadCredentials) {
					t.Errorf("got %v, want ErrBadCredentials", err)
				}
			},
		},
		{
			name:    "454 on AUTH is not a bad password",
			replies: []string{smtpGreeting, smtpEHLOAuth, "454 4.7.0 Temporary authentication failure", "501 5.5.2 no", "221 bye"},
			want:    []string{"EHLO client.example", smtpAuthPlain, smtpAuthAbort, "QUIT"},
			check: func(t *testing.T, err error) {
				if errors.Is(err, ErrBadCredentials) {
					t.Errorf("got %v, want not ErrBadCredentials", err)
				}
				wantSMTPError(SMTPError{Code: 454, EnhancedCode: "4.7.0", Command: "AUTH", Message: "Temporary authentication failure"})(t, err)
			},
		},
		{
			name:    "451 on MAIL",
			replies: []string{smtpGreeting, smtpEHLOAuth, "235 ok", "451 try later", "221 bye"},
			want:    []string{"EHLO client.example", smtpAuthPlain, "MAIL FROM:<ann@example.org>", "QUIT"},
			check:   wantSMTPError(SMTPError{Code: 451, Command: "MAIL", Message: "try later"}),
		},
		{
			name:    "554 after the data",
			replies: []string{smtpGreeting, smtpEHLOPlain, "250 ok", "250 ok", "250 ok", "250 ok", "354 go", "554 5.7.1 looks like spam", "221 bye"},
			want: []string{"EHLO client.example", "MAIL FROM:<ann@example.org>", "RCPT TO:<bob@example.net>",
				"RCPT TO:<carol@example.com>", "RCPT TO:<dave@example.com>", "DATA", "QUIT"},
			check: wantSMTPError(SMTPError{Code: 554, EnhancedCode: "5.7.1", Command: "DATA", Message: "looks like spam"}),
		},
		{
			name: "long multi-line reply is cleaned",
			replies: []string{smtpGreeting, smtpEHLOPlain, "550-5.7.1 first line\r\n550 5.7.1 second \x1b[31mline " +
				strings.Repeat("é", 300), "221 bye"},
			want: []string{"EHLO client.example", "MAIL FROM:<ann@example.org>", "QUIT"},
			check: func(t *testing.T, err error) {
				var se *SMTPError
				if !errors.As(err, &se) {
					t.Fatalf("got %v, want *SMTPError", err)
				}
				if strings.ContainsAny(se.Message, "\r\n\x1b") || utf8.RuneCountInString(se.Message) > maxReplyText+1 {
					t.Errorf("Message: got %q, want one short printable line", se.Message)
				}
				if !strings.HasPrefix(se.Message, "first line second [31mline éé") {
					t.Errorf("Message: got %q, want both lines joined", se.Message)
				}
			},
		},
		{
			name:    "starttls mode without STARTTLS sends no credentials",
			sec:     SecuritySTARTTLS,
			replies: []string{smtpGreeting, smtpEHLOAuth},
			want:    []string{"EHLO localhost"},
			check: func(t *testing.T, err error) {
				var ue *UnavailableError
				if !errors.Is(err, ErrNoSTARTTLS) || !errors.As(err, &ue) {
					t.Errorf("got %v, want ErrNoSTARTTLS in an *UnavailableError", err)
				}
			},
		},
		{
			name:    "STARTTLS refused",
			sec:     SecuritySTARTTLS,
			replies: []string{smtpGreeting, "250-fake.example\r\n250-AUTH PLAIN\r\n250 STARTTLS", "454 4.7.0 TLS not available"},
			want:    []string{"EHLO localhost", "STARTTLS"},
			check:   wantSMTPError(SMTPError{Code: 454, EnhancedCode: "4.7.0", Command: "STARTTLS", Message: "TLS not available"}),
		},
		{
			name:    "server offers only unknown AUTH mechanisms",
			replies: []string{smtpGreeting, "250-fake.example\r\n250 AUTH CRAM-MD5 XOAUTH2", "221 bye"},
			want:    []string{"EHLO client.example"},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrNoAuthMechanism) {
					t.Errorf("got %v, want ErrNoAuthMechanism", err)
				}
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			sec := c.sec
			if sec == "" {
				sec = SecurityInsecure
			}
			f := newFakeSMTP(t, serverTLS, false, c.replies...)
			id, err := sendWithin(t, context.Background(), testSMTP(f.addr(), sec, clientTLS), smtpCred, sendOutgoing())
			if err == nil {
				t.Fatalf("Send succeeded with id %q, want an error", id)
			}
			c.check(t, err)
			checkCommands(t, f.commands(), c.want)
		})
	}
}

func wantSMTPError(want SMTPError) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var se *SMTPError
		if !errors.As(err, &se) {
			t.Fatalf("got %v (%T), want *SMTPError", err, err)
		}
		if *se != want {
			t.Errorf("got %+v, want %+v", *se, want)
		}
	}
}

func TestSMTPUntrustedCertificateSendsNoCredentials(t *testing.T) {
	serverTLS, _ := testtls.New(t)
	f := newFakeSMTP(t, serverTLS, false, smtpGreeting, "250-fake.example\r\n250-AUTH PLAIN\r\n250 STARTTLS", "220 ready", smtpEHLOAuth)
	_, err := sendWithin(t, context.Background(), testSMTP(f.addr(), SecuritySTARTTLS, nil), smtpCred, sendOutgoing())
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v, want *UnavailableError", err)
	}
	checkCommands(t, f.commands(), []string{"EHLO localhost", "STARTTLS", "<tls failed>"})
}

func TestSMTPConnectionDropsMidData(t *testing.T) {
	m := baseOutgoing()
	m.Attachments = []Attachment{{Filename: "big.bin", Body: &patternReader{n: 4 << 20}}}
	f := newFakeSMTP(t, nil, false, smtpGreeting, smtpEHLOPlain, "250 ok", "250 ok", "354 go", smtpClose)
	_, err := sendWithin(t, context.Background(), testSMTP(f.addr(), SecurityInsecure, nil), nil, m)
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %v (%T), want *UnavailableError", err, err)
	}
	var se *SMTPError
	if errors.As(err, &se) {
		t.Errorf("got an *SMTPError %v for a dropped connection", se)
	}
}

func TestSMTPSilentServerTimesOut(t *testing.T) {
	okToData := []string{smtpGreeting, smtpEHLOPlain, "250 ok", "250 ok", "354 go"}
	for _, c := range []struct {
		name    string
		replies []string
	}{
		{"no greeting", []string{smtpHang}},
		{"no EHLO reply", []string{smtpGreeting, smtpHang}},
		{"no RCPT reply", []string{smtpGreeting, smtpEHLOPlain, "250 ok", smtpHang}},
		{"no reply to the final dot", append(okToData, smtpHang)},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeSMTP(t, nil, false, c.replies...)
			s := testSMTP(f.addr(), SecurityInsecure, nil)
			s.Server.CommandTimeout = 200 * time.Millisecond
			_, err := sendWithin(t, context.Background(), s, nil, baseOutgoing())
			var ue *UnavailableError
			if !errors.As(err, &ue) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("got %v, want a timeout in an *UnavailableError", err)
			}
		})
	}
}

func TestSMTPContextCancelEndsSend(t *testing.T) {
	f := newFakeSMTP(t, nil, false, smtpGreeting, smtpHang)
	s := testSMTP(f.addr(), SecurityInsecure, nil)
	s.Server.CommandTimeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := sendWithin(t, ctx, s, nil, baseOutgoing())
	var ue *UnavailableError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ue) {
		t.Errorf("got %v, want context.Canceled in an *UnavailableError", err)
	}
}

func TestSMTPBuildFailureNeverEndsData(t *testing.T) {
	boom := errors.New("upload interrupted")
	m := baseOutgoing()
	m.Attachments = []Attachment{{Filename: "a.bin",
		Body: io.MultiReader(bytes.NewReader(make([]byte, 100<<10)), failingReader{boom})}}
	f := newFakeSMTP(t, nil, false, smtpGreeting, smtpEHLOPlain, "250 ok", "250 ok", "354 go", "250 must not be reached")
	_, err := sendWithin(t, context.Background(), testSMTP(f.addr(), SecurityInsecure, nil), nil, m)
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want an error wrapping %v", err, boom)
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		t.Errorf("got an *UnavailableError for a failing attachment: %v", err)
	}
	checkCommands(t, f.commands(), []string{"EHLO client.example", "MAIL FROM:<ann@example.org>", "RCPT TO:<bob@example.net>", "DATA"})
	if _, ended := f.message(); ended {
		t.Errorf("the server got the final dot: a truncated message was submitted")
	}
}

func TestSMTPRefusesBeforeConnecting(t *testing.T) {
	// Nothing listens here: reaching the network would give *UnavailableError.
	s := testSMTP("127.0.0.1:1", SecurityInsecure, nil)
	t.Run("bad message", func(t *testing.T) {
		m := baseOutgoing()
		m.Subject = "Subject: x\r\nBcc: evil@example.com"
		var ie *InputError
		if _, err := s.Send(context.Background(), smtpCred, m); !errors.As(err, &ie) || ie.Field != "subject" {
			t.Errorf("got %v, want *InputError for subject", err)
		}
	})
	t.Run("CRLF in credentials", func(t *testing.T) {
		cred := &Credentials{User: "user", Password: "pass\r\nMAIL FROM:<x@y>"}
		if _, err := s.Send(context.Background(), cred, baseOutgoing()); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("got %v, want ErrBadCredentials", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		var ue *UnavailableError
		if _, err := s.Send(context.Background(), nil, baseOutgoing()); !errors.As(err, &ue) {
			t.Errorf("got %v, want *UnavailableError", err)
		}
	})
}
