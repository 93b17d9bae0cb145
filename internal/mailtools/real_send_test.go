package mailtools

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/mailstack"
)

// realSubmission is the stack's submission port as the web app uses it.
func realSubmission(st mailstack.Env) *SMTP {
	return &SMTP{LocalName: "gomailcgi.test", Server: Server{Addr: st.Submission, Security: SecuritySTARTTLS,
		TLSConfig: st.TLSConfig(), DialTimeout: 5 * time.Second, CommandTimeout: 20 * time.Second}}
}

// realWaitForMail polls a mailbox until it holds want messages.
func realWaitForMail(t *testing.T, st mailstack.Env, cred Credentials, want int) {
	t.Helper()
	st.Drain(t)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ids, err := realMailboxIDs(st.POP3, cred.User, cred.Password)
		if err != nil {
			t.Fatalf("%s: %v", cred.User, err)
		}
		if len(ids) == want {
			return
		}
		if len(ids) > want || time.Now().After(deadline) {
			t.Fatalf("%s holds %d messages, want %d", cred.User, len(ids), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// realFetchOnly fetches the one message in a mailbox over STLS.
func realFetchOnly(t *testing.T, st mailstack.Env, cred Credentials) []byte {
	t.Helper()
	ctx := context.Background()
	s, err := realPOP(st.POP3, SecuritySTARTTLS, st.TLSConfig()).Dial(ctx, cred)
	if err != nil {
		t.Fatalf("Dial %s: %v", cred.User, err)
	}
	defer s.Close()
	l, err := s.List(ctx, 0, 10)
	if err != nil || len(l.Messages) != 1 {
		t.Fatalf("List %s: got %v, %v; want one message", cred.User, l, err)
	}
	m, err := fetchAll(ctx, s, l.Messages[0].Ref)
	if err != nil {
		t.Fatalf("Fetch %s: %v", cred.User, err)
	}
	return m.Raw
}

func TestRealSendThroughSubmission(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	sender := realUser(t, st, "mtsender")
	to, cc, bcc := realUser(t, st, "mtto"), realUser(t, st, "mtcc"), realUser(t, st, "mtbcc")
	for _, c := range []Credentials{to, cc, bcc} {
		st.Clear(t, c.User)
	}
	addr := func(c Credentials) string { return c.User + "@" + st.Domain }
	long := strings.Repeat("0123456789", 600) // one 6,000-char line
	body := "Hello,\n" + long + "\n.\n.leading dot\n..two dots\nGr\u00fc\u00dfe \u20ac\n\ttab\nend\n"
	m := &Outgoing{
		From:    mailmsg.Address{Name: "M T Sender", Addr: addr(sender)},
		To:      []mailmsg.Address{{Name: "To Person", Addr: addr(to)}},
		Cc:      []mailmsg.Address{{Addr: addr(cc)}},
		Bcc:     []mailmsg.Address{{Addr: addr(bcc)}},
		Subject: "Real submission \u00e4\u00f6\u00fc test",
		Body:    body,
	}
	id, err := realSubmission(st).Send(context.Background(), &sender, m)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	wantText := strings.ReplaceAll(body, "\n", "\r\n")
	for _, rc := range []Credentials{to, cc, bcc} {
		t.Run(rc.User, func(t *testing.T) {
			realWaitForMail(t, st, rc, 1)
			raw := realFetchOnly(t, st, rc)
			h, text, _ := readBackMessage(t, raw)
			if text != wantText {
				i := firstDiff(text, wantText)
				t.Errorf("body differs at %d of %d/%d: got %q, want %q", i, len(text), len(wantText),
					text[i:min(len(text), i+40)], wantText[i:min(len(wantText), i+40)])
			}
			if got := h.Get("Message-Id"); "<"+got+">" != id && got != id {
				t.Errorf("Message-ID: got %q, want %q", got, id)
			}
			if got, err := h.Subject(); err != nil || got != m.Subject {
				t.Errorf("Subject: got %q (%v), want %q", got, err, m.Subject)
			}
			if h.Has("Bcc") {
				t.Errorf("delivered message has a Bcc field: %q", h.Get("Bcc"))
			}
			header := rawHeaderOf(raw)
			if rc != bcc && strings.Contains(strings.ToLower(string(raw)), addr(bcc)) {
				t.Errorf("the Bcc address shows in %s's copy:\n%s", rc.User, header)
			}
			for field, want := range map[string]string{"To": addr(to), "Cc": addr(cc)} {
				list, err := h.AddressList(field)
				if err != nil || len(list) != 1 || list[0].Address != want {
					t.Errorf("%s: got %v (%v), want %s", field, list, err, want)
				}
			}
		})
	}
}

// rawHeaderOf returns the header block of a CRLF message.
func rawHeaderOf(raw []byte) string {
	h, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	return string(h)
}

func TestRealSendRefused(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	sender := realUser(t, st, "mtrefsender")
	rcpt := realUser(t, st, "mtrefrcpt")
	st.Clear(t, rcpt.User)
	msg := func(to string) *Outgoing {
		return &Outgoing{From: mailmsg.Address{Addr: sender.User + "@" + st.Domain}, To: []mailmsg.Address{{Addr: to}},
			Subject: "refused", Body: "never delivered\n"}
	}
	for _, c := range []struct {
		name     string
		cred     *Credentials
		to       string
		wantCode int // 0: any 5xx
	}{
		{"no login", nil, rcpt.User + "@" + st.Domain, 0},
		{"relay", &sender, "someone@elsewhere.invalid", 554},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := realSubmission(st).Send(context.Background(), c.cred, msg(c.to))
			var se *SMTPError
			if !errors.As(err, &se) {
				t.Fatalf("got %v (%T), want *SMTPError", err, err)
			}
			t.Logf("refused: %v", se)
			if se.Command != "RCPT" || se.Code/100 != 5 || (c.wantCode != 0 && se.Code != c.wantCode) {
				t.Errorf("got %s %d, want RCPT %d", se.Command, se.Code, max(c.wantCode, 500))
			}
			if se.Recipient != c.to {
				t.Errorf("Recipient: got %q, want %q", se.Recipient, c.to)
			}
		})
	}
	realWaitForMail(t, st, rcpt, 0)
}
