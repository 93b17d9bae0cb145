package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// The copy against the real Postfix and Dovecot: it lands in the sender's
// own inbox, beside the recipient's, with no Bcc header.
func TestRealKeepsACopy(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	sender, rcpt := realUser(t, env, "webrealcopy1"), realUser(t, env, "webrealcopy2")
	h := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecuritySTARTTLS))
	tok := h.loginAs(sender, realPass, "")
	subject := fmt.Sprintf("Kept copy %d", time.Now().UnixNano())
	compose := h.page("/compose?t="+url.QueryEscape(tok), http.StatusOK)
	form := formValues(t, compose, "/send", url.Values{"to": {rcpt + "@" + env.Domain}, "subject": {subject}, "body": {"one copy for me"}, "copy": {"1"}})
	if res := h.postMultipart("/send", form); res.status != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	env.Drain(t)
	for _, user := range []string{rcpt, sender} {
		if got := boxSubjects(t, env, user); !slices.Contains(got, subject) {
			t.Errorf("%s's inbox: got %q, want the message", user, got)
		}
	}
	d := h.viewOn(h.loginAs(sender, realPass, ""), subject)
	if hv := headerValues(d); hv["To"] != rcpt+"@"+env.Domain {
		t.Errorf("the copy's To: got %q", hv["To"])
	}
	if strings.Contains(headerSection(h.source(d)), "\nbcc:") {
		t.Error("the copy has a Bcc header")
	}
}

// A draft against the real Postfix and Dovecot: saved into the sender's
// own inbox and nowhere else, marked in the list, and brought back whole.
func TestRealDraft(t *testing.T) {
	env := mailstack.Require(t)
	t.Parallel()
	sender, rcpt := realUser(t, env, "webrealdraft1"), realUser(t, env, "webrealdraft2")
	h := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecuritySTARTTLS))
	tok := h.loginAs(sender, realPass, "")
	subject := fmt.Sprintf("Draft %d", time.Now().UnixNano())
	compose := h.page("/compose?t="+url.QueryEscape(tok), http.StatusOK)
	form := formValues(t, compose, "/send", url.Values{"to": {rcpt + "@" + env.Domain}, "bcc": {"hidden@" + env.Domain},
		"subject": {subject}, "body": {"not yet\n"}, "action": {"draft"}})
	res := h.postMultipart("/send", form, fileField{"attach", "part.txt", "text/plain", []byte("half done\n")})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", res.status, res.body)
	}
	env.Drain(t)
	if got := boxSubjects(t, env, rcpt); slices.Contains(got, subject) {
		t.Fatal("the draft reached its recipient")
	}
	list := h.page(res.header.Get("Location"), http.StatusOK)
	if !strings.Contains(text(list.root), "[draft] "+subject) {
		t.Fatalf("the list does not mark the draft")
	}
	again := h.page(parseDoc(t, h.get(list.viewLink(subject)).body).link("Continue editing"), http.StatusOK)
	for field, want := range map[string]string{"to": rcpt + "@" + env.Domain, "bcc": "hidden@" + env.Domain, "subject": subject, "body": "not yet\n"} {
		if got := again.field(field); got != want {
			t.Errorf("%s: got %q, want %q", field, got, want)
		}
	}
	if len(again.inputs("fwdpart")) != 1 {
		t.Error("the draft's attachment is not offered")
	}
}
