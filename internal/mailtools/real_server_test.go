package mailtools

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"gomailcgi/internal/testing/mailstack"
)

// The [real servers] tests: mailtools against the project's throw-away
// Dovecot and Postfix (scripts/mailstack.sh start). Without the stack they
// skip loudly, and fail when CI=true. Every test has its own users, named
// "mt..." for this package, since other packages use the same stack at once.

// realPassword is every test user's password; the users are throw-away.
const realPassword = "mt-real-pw1"

// realUser creates (or resets) a user and returns its credentials.
func realUser(t *testing.T, st mailstack.Env, name string) Credentials {
	t.Helper()
	st.AddUser(t, name, realPassword)
	return Credentials{User: name, Password: realPassword}
}

// realPOP is a POP client of one stack endpoint.
func realPOP(addr string, sec Security, conf *tls.Config) *POP {
	return &POP{Server: Server{Addr: addr, Security: sec, TLSConfig: conf,
		DialTimeout: 5 * time.Second, CommandTimeout: 20 * time.Second}}
}

// realDeliver hands raw (CRLF line ends) to the stack's SMTP port, as an
// outside sender would, and waits until Postfix has delivered it.
func realDeliver(t *testing.T, st mailstack.Env, from, rcpt string, raw []byte) {
	t.Helper()
	c, err := smtp.Dial(st.SMTP)
	if err != nil {
		t.Fatalf("smtp dial: %v", err)
	}
	defer c.Close()
	steps := []func() error{
		func() error { return c.Hello("localhost") },
		func() error { return c.StartTLS(st.TLSConfig()) },
		func() error { return c.Mail(from) },
		func() error { return c.Rcpt(rcpt) },
		func() error {
			w, err := c.Data()
			if err != nil {
				return err
			}
			if _, err := w.Write(raw); err != nil {
				return err
			}
			return w.Close()
		},
		c.Quit,
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("smtp step %d: %v", i, err)
		}
	}
	st.Drain(t)
}

// realCheckDelivered asserts that got is sent exactly, after nothing but
// the trace fields a delivering server prepends.
func realCheckDelivered(t *testing.T, got, sent []byte) {
	t.Helper()
	prefix, ok := bytes.CutSuffix(got, sent)
	if !ok {
		i := firstDiff(string(got), string(sent))
		t.Fatalf("fetched %d bytes, delivered %d; first difference at %d: got %q, want %q",
			len(got), len(sent), i, got[i:min(len(got), i+60)], sent[i:min(len(sent), i+60)])
	}
	for _, line := range strings.SplitAfter(string(prefix), "\r\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(name) {
		case "return-path", "delivered-to", "x-original-to", "received":
		default:
			t.Errorf("server prepended %q, want only trace fields", line)
		}
	}
}

// realRelay is a TCP relay in front of a server that records every byte
// clients send, to prove what went over the wire in clear.
type realRelay struct {
	ln   net.Listener
	mu   sync.Mutex
	sent bytes.Buffer
	wg   sync.WaitGroup
}

func startRealRelay(t *testing.T, upstream string) *realRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &realRelay{ln: ln}
	r.wg.Add(1)
	go r.serve(upstream)
	t.Cleanup(func() {
		ln.Close()
		r.wg.Wait()
	})
	return r
}

func (r *realRelay) serve(upstream string) {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer c.Close()
			c.SetDeadline(time.Now().Add(30 * time.Second))
			up, err := net.DialTimeout("tcp", upstream, 5*time.Second)
			if err != nil {
				return
			}
			defer up.Close()
			go io.Copy(c, up)
			io.Copy(up, io.TeeReader(c, r))
		}()
	}
}

// Write records client bytes (io.TeeReader's side).
func (r *realRelay) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent.Write(p)
}

func (r *realRelay) clientBytes() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent.String()
}

func (r *realRelay) addr() string { return r.ln.Addr().String() }

// realEndpoint is one of the stack's POP3 doors.
type realEndpoint struct {
	name   string
	addr   string
	sec    Security
	noUIDL bool // the relay that hides UIDL: refs are header fingerprints
}

// realPOPEndpoints are the stack's four POP3 doors.
func realPOPEndpoints(st mailstack.Env) []realEndpoint {
	return []realEndpoint{
		{"dovecot-stls", st.POP3, SecuritySTARTTLS, false},
		{"dovecot-pop3s", st.POP3S, SecurityTLS, false},
		{"nouidl-stls", st.POP3NoUIDL, SecuritySTARTTLS, true},
		{"nouidl-pop3s", st.POP3SNoUIDL, SecurityTLS, true},
	}
}

// realTLSMessages are delivered to the TLS test's mailbox, oldest first:
// dot lines, a long line, trailing blanks and 8-bit text must all come
// back byte for byte.
var realTLSMessages = []string{
	"From: Outside Sender <outside@example.test>\r\nTo: mttls@example.test\r\n" +
		"Subject: dots and long lines\r\nMessage-ID: <mttls-1@example.test>\r\n" +
		"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		".leading dot\r\n..two dots\r\n.\r\n" + strings.Repeat("0123456789", 99) + "\r\n" +
		"trailing blanks   \r\n\ttab first\r\nGr\u00fc\u00dfe \u20ac\r\n\r\nlast line\r\n",
	"From: outside@example.test\r\nTo: mttls@example.test\r\nSubject: second\r\n" +
		"Message-ID: <mttls-2@example.test>\r\nDate: Mon, 2 Nov 2026 10:01:00 +0000\r\n\r\n" +
		"short\r\n",
}

func TestRealPOPOverTLS(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	cred := realUser(t, st, "mttls")
	st.Clear(t, cred.User)
	for _, m := range realTLSMessages {
		realDeliver(t, st, "outside@example.test", "mttls@"+st.Domain, []byte(m))
	}
	for _, ep := range realPOPEndpoints(st) {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, err := realPOP(ep.addr, ep.sec, st.TLSConfig()).Dial(ctx, cred)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer s.Close()
			l, err := s.List(ctx, 0, 10)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if l.Count != 2 || len(l.Messages) != 2 {
				t.Fatalf("List: got count %d and %d rows, want 2 and 2", l.Count, len(l.Messages))
			}
			for i, row := range l.Messages {
				want := realTLSMessages[len(realTLSMessages)-1-i]
				if row.Ref.Num != 2-i || (row.Ref.ID[0] == 'h') != ep.noUIDL {
					t.Errorf("row %d: got ref %v, want number %d in the right mode", i, row.Ref, 2-i)
				}
				msg, err := fetchAll(ctx, s, row.Ref)
				if err != nil {
					t.Fatalf("Fetch %v: %v", row.Ref, err)
				}
				realCheckDelivered(t, msg.Raw, []byte(want))
				if row.Envelope.Subject != msg.Envelope.Subject || !strings.Contains(want, "Subject: "+msg.Envelope.Subject+"\r\n") {
					t.Errorf("row %d: got subject %q listed, %q fetched", i, row.Envelope.Subject, msg.Envelope.Subject)
				}
				r, err := s.Open(ctx, row.Ref)
				if err != nil {
					t.Fatalf("Open %v: %v", row.Ref, err)
				}
				size := r.Size
				streamed, err := io.ReadAll(r)
				if err != nil {
					t.Fatalf("reading %v: %v", row.Ref, err)
				}
				if !bytes.Equal(streamed, msg.Raw) || size != int64(len(msg.Raw)) || row.Size != size {
					t.Errorf("Open: got %d bytes (size %d, listed %d), want the %d bytes Fetch gave",
						len(streamed), size, row.Size, len(msg.Raw))
				}
			}
		})
	}
}

func TestRealPOPWrongPassword(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	cred := realUser(t, st, "mtbadpw")
	for _, ep := range realPOPEndpoints(st) {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			pop := realPOP(ep.addr, ep.sec, st.TLSConfig())
			err := pop.Login(context.Background(), Credentials{User: cred.User, Password: "not-" + cred.Password})
			if !errors.Is(err, ErrBadCredentials) {
				t.Errorf("wrong password: got %v, want ErrBadCredentials", err)
			}
			if err := pop.Login(context.Background(), cred); err != nil {
				t.Errorf("right password: got %v, want nil", err)
			}
		})
	}
}

func TestRealPOPUntrustedCA(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	cred := realUser(t, st, "mtuntrusted")
	for _, ep := range realPOPEndpoints(st) {
		t.Run(ep.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			// Control: trusted, through a recording relay: logs in, and the
			// password never crosses the wire in clear.
			trusted := startRealRelay(t, ep.addr)
			if err := realPOP(trusted.addr(), ep.sec, st.TLSConfig()).Login(ctx, cred); err != nil {
				t.Fatalf("trusted login through the relay: %v", err)
			}
			if sent := trusted.clientBytes(); strings.Contains(sent, cred.Password) || strings.Contains(sent, "USER") {
				t.Errorf("login sent credentials in clear: %q", sent)
			}
			// The system roots do not know the stack's CA.
			untrusted := startRealRelay(t, ep.addr)
			conf := &tls.Config{ServerName: st.TLSServerName, MinVersion: tls.VersionTLS12}
			_, err := realPOP(untrusted.addr(), ep.sec, conf).Dial(ctx, cred)
			var ue *UnavailableError
			if !errors.As(err, &ue) || errors.Is(err, ErrBadCredentials) {
				t.Fatalf("untrusted CA: got %v (%T), want *UnavailableError", err, err)
			}
			if sent := untrusted.clientBytes(); strings.Contains(sent, cred.Password) || strings.Contains(sent, "USER") || strings.Contains(sent, "PASS") {
				t.Errorf("untrusted server was sent a login: %q", sent)
			}
		})
	}
}
