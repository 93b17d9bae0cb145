package mailtools

import (
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/record"
	"gomailcgi/internal/testing/mailstack"
)

// The record of a page against the real Dovecot and Postfix: STLS and
// STARTTLS, Dovecot's pipelining, and the sync check in words, with the
// password nowhere in it.
func TestRealRecord(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	cred := realUser(t, st, "mtrecord")
	st.Clear(t, cred.User)
	for _, subject := range []string{"First", "Second"} {
		realDeliver(t, st, "sender@"+st.Domain, cred.User+"@"+st.Domain,
			[]byte("From: sender@"+st.Domain+"\r\nSubject: "+subject+"\r\n\r\nThe password is not "+realPassword+".\r\n"))
	}
	secret := func(t *testing.T, lines []string) {
		t.Helper()
		auth := base64.StdEncoding.EncodeToString([]byte("\x00" + cred.User + "\x00" + cred.Password))
		for _, l := range lines {
			if strings.Contains(l, realPassword) || strings.Contains(l, auth) {
				t.Errorf("a secret in the record: %q", l)
			}
		}
	}
	for _, ep := range realPOPEndpoints(st) {
		t.Run(ep.name, func(t *testing.T) {
			rec := record.New()
			ctx := record.With(context.Background(), rec)
			pop := realPOP(ep.addr, ep.sec, st.TLSConfig())
			s, err := pop.Dial(ctx, cred)
			if err != nil {
				t.Fatal(err)
			}
			l, err := s.List(ctx, 0, 10)
			if err != nil || len(l.Messages) != 2 {
				t.Fatalf("List: %v, %v", l, err)
			}
			st, _, _, err := s.OpenAround(ctx, l.Messages[0].Ref)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, st)
			s.Close()
			lines := transcript(rec)
			text := strings.Join(lines, "\n")
			want := []string{"USER mtrecord", "PASS ••••", "RETR "}
			if ep.sec == SecuritySTARTTLS {
				want = append(want, "C: STLS", "N: TLS ")
			}
			if ep.noUIDL {
				want = append(want, "N: PrintSame num=2 ")
			} else {
				want = append(want, "N: UIDLSame num=2 ", "C: UIDL 2 | UIDL 1 | LIST 2 | RETR 2")
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("the record does not say %q:\n%s", w, text)
				}
			}
			secret(t, lines)
		})
	}
	t.Run("submission", func(t *testing.T) {
		rec := record.New()
		ctx := record.With(context.Background(), rec)
		m := &Outgoing{
			From:    mailmsg.Address{Addr: cred.User + "@" + st.Domain},
			To:      []mailmsg.Address{{Addr: cred.User + "@" + st.Domain}},
			Subject: "About " + realPassword,
			Body:    "It is " + realPassword + "\n",
		}
		if _, err := realSubmission(st).Send(ctx, &cred, m); err != nil {
			t.Fatal(err)
		}
		lines := transcript(rec)
		text := strings.Join(lines, "\n")
		for _, w := range []string{"C: EHLO localhost", "C: STARTTLS", "N: TLS ", "C: EHLO gomailcgi.test",
			"C: AUTH PLAIN ••••", "S: 235", "C: MAIL FROM:<mtrecord@", "bytes of message, then .)", "C: QUIT"} {
			if !strings.Contains(text, w) {
				t.Errorf("the record does not say %q:\n%s", w, text)
			}
		}
		secret(t, lines)
	})
}
