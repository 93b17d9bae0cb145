package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
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
