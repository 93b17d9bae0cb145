package web

import (
	"net/smtp"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// Issue 19 against the real Postfix and Dovecot: the forged draft, sent
// through SMTP from outside, is an ordinary message in the list, the view
// and compose-from-draft. (TestRealDraft shows a real draft's mark
// surviving the same servers.)
func TestRealForgedDraft(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	user := realUser(t, env, "webrealforged")
	addr := user + "@" + env.Domain
	sendFromOutside(t, env, addr, strings.ReplaceAll(forgedDraft("yes"), "alice@example.org", addr))
	env.Drain(t)
	h := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecuritySTARTTLS))
	wantOrdinary(t, showDraft(t, h, h.loginAs(user, realPass, ""), "Quarterly numbers"))
}

// sendFromOutside hands msg to Postfix's SMTP port as any other server
// on the Internet would: no login.
func sendFromOutside(t *testing.T, env mailstack.Env, rcpt, msg string) {
	t.Helper()
	c, err := smtp.Dial(env.SMTP)
	if err != nil {
		t.Fatalf("smtp dial: %v", err)
	}
	defer c.Close()
	for _, step := range []func() error{
		func() error { return c.Hello("outside.invalid") },
		func() error { return c.Mail("attacker@evil.test") },
		func() error { return c.Rcpt(rcpt) },
		func() error {
			w, err := c.Data()
			if err != nil {
				return err
			}
			if _, err := w.Write([]byte(msg)); err != nil {
				return err
			}
			return w.Close()
		},
		c.Quit,
	} {
		if err := step(); err != nil {
			t.Fatalf("smtp: %v", err)
		}
	}
}
