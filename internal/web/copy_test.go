package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// "Keep a copy in my inbox": ticked as the site is set up, the copy goes
// to the sender through the same envelope, no header names it, and the
// sent page says what went where.
func TestSendKeepsACopy(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.KeepCopy = true }))
	compose := parseDoc(t, h.get(parseDoc(t, h.get("/list?t="+url.QueryEscape(h.login())).body).link("Write")).body)
	if _, on := attr(compose.inputs("copy")[0], "checked"); !on {
		t.Fatal("Keep a copy is not ticked on a new message")
	}
	form := formValues(t, compose, "/send", url.Values{"to": {"bob@example.org"}, "subject": {"With a copy"}, "body": {"hi"}})
	res := h.postMultipart("/send", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	sent := h.mail.Sent()
	if len(sent) != 1 || !slices.Contains(sent[0].To, "alice@example.org") || !slices.Contains(sent[0].To, "bob@example.org") {
		t.Fatalf("envelope recipients: %+v", sent)
	}
	m := readSent(t, sent[0].To, sent[0].Data)
	if got := m.header.Get("To"); got != "<bob@example.org>" && got != "bob@example.org" {
		t.Errorf("To header: got %q", got)
	}
	if strings.Contains(strings.ToLower(string(sent[0].Data)), "\nbcc:") {
		t.Error("the message names the copy in a Bcc header")
	}
	page := parseDoc(t, h.get(res.header.Get("Location")).body)
	if got := text(page.root); !strings.Contains(got, "“With a copy” was handed to the mail server") ||
		!strings.Contains(got, "bob@example.org") || !strings.Contains(got, "A copy was kept in your inbox.") {
		t.Errorf("sent page: %q", got)
	}
	form.Del("copy")
	res = h.postMultipart("/send", form)
	if len(h.mail.Sent()) != 2 || slices.Contains(h.mail.Sent()[1].To, "alice@example.org") {
		t.Errorf("unticked, the copy still went: %+v", h.mail.Sent()[1].To)
	}
	if got := text(parseDoc(t, h.get(res.header.Get("Location")).body).root); !strings.Contains(got, "No copy was kept.") {
		t.Errorf("sent page: %q", got)
	}
}

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

// The name given at login travels in the token and signs the mail.
func TestLoginNameIsUsedInFrom(t *testing.T) {
	h := newHarness(t)
	res := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "name": {"Alice Liddell"}})
	tok, _ := url.ParseQuery(strings.SplitN(res.header.Get("Location"), "?", 2)[1])
	compose := parseDoc(t, h.get("/compose?t="+url.QueryEscape(tok.Get("t"))).body)
	if got := text(compose.all(func(n *html.Node) bool { return attrOf(n, "class") == "from" })[0]); got != "Alice Liddell <alice@example.org>" {
		t.Errorf("From on the form: got %q", got)
	}
	res = h.postMultipart("/send", formValues(t, compose, "/send", url.Values{"to": {"bob@example.org"}, "subject": {"hi"}, "body": {"x"}}))
	if res.status != http.StatusSeeOther {
		t.Fatalf("send: %d", res.status)
	}
	m := readSent(t, nil, h.mail.Sent()[0].Data)
	if got := m.header.Get("From"); !strings.Contains(got, "Alice Liddell") || !strings.Contains(got, "alice@example.org") {
		t.Errorf("From header: got %q", got)
	}
	bad := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "name": {"Evil\u202eName"}})
	if bad.status != http.StatusBadRequest {
		t.Errorf("a name with a bidi control: status %d, want 400", bad.status)
	}
}
