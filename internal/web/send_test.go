package web

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"
	"golang.org/x/net/html"
)

// sentMessage is one submitted message, read back.
type sentMessage struct {
	rcpt        []string
	header      gomail.Header
	text        string
	attachments map[string]string // file name -> content
}

func readSent(t *testing.T, rcpt []string, data []byte) sentMessage {
	t.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading the sent message: %v", err)
	}
	m := sentMessage{rcpt: rcpt, header: mr.Header, attachments: map[string]string{}}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading a part: %v", err)
		}
		body, _ := io.ReadAll(p.Body)
		switch hd := p.Header.(type) {
		case *gomail.InlineHeader:
			m.text += string(body)
		case *gomail.AttachmentHeader:
			name, _ := hd.Filename()
			m.attachments[name] = string(body)
		}
	}
	return m
}

// composeForm opens a fresh compose form and returns its token.
func freshComposeToken(t *testing.T, h *harness, tok string) string {
	t.Helper()
	res := h.get("/compose?t=" + url.QueryEscape(tok))
	if res.status != http.StatusOK {
		t.Fatalf("compose: status %d", res.status)
	}
	return parseDoc(t, res.body).token()
}

func TestSendSuccess(t *testing.T) {
	h := newHarness(t)
	tok := freshComposeToken(t, h, h.login())
	form := url.Values{
		"t":       {tok},
		"to":      {`"Bob B." <bob@example.org>`},
		"cc":      {"alice@example.org"},
		"bcc":     {"Hidden Bob <BOB@elsewhere.example>, alice@else.example"},
		"subject": {"Lunch — Freitag?"},
		"body":    {"Hi Bob,\r\n\r\nlunch on Friday?\r\n"},
	}
	res := h.postMultipart("/send", form,
		fileField{"attach", "menu.txt", "text/plain", []byte("soup\nbread\n")},
		fileField{"attach", `C:\Users\a\plan ü.bin`, "application/octet-stream", []byte{0, 1, 2, 255}},
		fileField{"attach", "", "application/octet-stream", nil}, // an empty file input
	)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", res.status, res.body)
	}
	loc, _ := url.Parse(res.header.Get("Location"))
	if loc.Path != "/sent" {
		t.Fatalf("redirect to %q, want /sent", loc.Path)
	}
	sentPage := h.get(loc.RequestURI())
	if sentPage.status != http.StatusOK || parseDoc(t, sentPage.body).title() != "Message sent · gomailcgi" {
		t.Errorf("sent page: status %d", sentPage.status)
	}

	sent := h.mail.Sent()
	if len(sent) != 1 {
		t.Fatalf("messages sent: got %d, want 1", len(sent))
	}
	env := sent[0]
	if env.From != "alice@example.org" {
		t.Errorf("MAIL FROM: got %q, want %q", env.From, "alice@example.org")
	}
	wantRcpt := []string{"bob@example.org", "alice@example.org", "BOB@elsewhere.example", "alice@else.example"}
	if !slices.Equal(env.To, wantRcpt) {
		t.Errorf("RCPT TO: got %q, want %q", env.To, wantRcpt)
	}
	m := readSent(t, env.To, env.Data)
	if got := m.header.Get("Bcc"); got != "" || bytes.Contains(bytes.ToLower(env.Data), []byte("\nbcc:")) {
		t.Errorf("the message has a Bcc header: %q", got)
	}
	if got, _ := m.header.Subject(); got != "Lunch — Freitag?" {
		t.Errorf("Subject: got %q", got)
	}
	if got := m.header.Get("From"); got != "alice@example.org" && got != "<alice@example.org>" {
		t.Errorf("From: got %q", got)
	}
	if !strings.Contains(m.text, "lunch on Friday?") {
		t.Errorf("text: got %q", m.text)
	}
	wantFiles := map[string]string{"menu.txt": "soup\nbread\n", "plan ü.bin": "\x00\x01\x02\xff"}
	if len(m.attachments) != len(wantFiles) {
		t.Errorf("attachments: got %d, want %d", len(m.attachments), len(wantFiles))
	}
	for name, want := range wantFiles {
		if got := strings.ReplaceAll(m.attachments[name], "\r\n", "\n"); got != want {
			t.Errorf("attachment %q: got %q, want %q", name, got, want)
		}
	}
	if n := h.mail.Mailbox(bobUser).Len(); n != 1 {
		t.Errorf("bob's mailbox: got %d messages, want 1", n)
	}
}

func TestSendFailureKeepsTheForm(t *testing.T) {
	tests := []struct {
		name        string
		smtpDown    bool
		to, cc, bcc string
		wantStatus  int
		wantAlert   string
	}{
		{"bad address", false, "bob@example.org, <<not an address", "Ann <ann@example.org>", "", http.StatusUnprocessableEntity, "The To field holds an address that cannot be read"},
		{"bad bcc", false, "bob@example.org", "Ann <ann@example.org>", "a@b@c", http.StatusUnprocessableEntity, "The Bcc field"},
		{"no recipient", false, "", "", "", http.StatusUnprocessableEntity, "at least one recipient"},
		{"SMTP refuses", false, "carol@example.org", "bob@example.org", "", http.StatusBadGateway, "refused the message for carol@example.org: 550"},
		{"SMTP down", true, "bob@example.org", "Ann <ann@example.org>", "", http.StatusServiceUnavailable, "could not be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []harnessOption
			if tt.smtpDown {
				down := closedAddr(t)
				opts = append(opts, webOption(func(c *Config) { c.SMTP.Server.Addr = down }))
			}
			h := newHarness(t, opts...)
			tok := freshComposeToken(t, h, h.login())
			form := url.Values{
				"t": {tok}, "to": {tt.to}, "cc": {tt.cc}, "bcc": {tt.bcc},
				"subject": {"Keep <me> & my text"}, "body": {"\nLine one\n  indented <b>not bold</b>\n"},
				"page": {"2"},
			}
			res := h.postMultipart("/send", form, fileField{"attach", "a.txt", "text/plain", []byte("x")})
			if res.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d\n%s", res.status, tt.wantStatus, res.body)
			}
			d := parseDoc(t, res.body)
			if got := d.alert(); !strings.Contains(got, tt.wantAlert) {
				t.Errorf("alert: got %q, want it to contain %q", got, tt.wantAlert)
			}
			if got := d.alert(); !strings.Contains(got, "chosen again") {
				t.Errorf("alert %q does not say the files must be chosen again", got)
			}
			for _, f := range []struct{ name, want string }{
				{"to", tt.to}, {"cc", tt.cc}, {"bcc", tt.bcc},
				{"subject", "Keep <me> & my text"}, {"body", "\nLine one\n  indented <b>not bold</b>\n"},
				{"page", "2"},
			} {
				if got := d.field(f.name); got != f.want {
					t.Errorf("%s: got %q, want %q", f.name, got, f.want)
				}
			}
			if d.token() == tok {
				t.Error("the form came back with the old token, not a fresh one")
			}
			if n := len(h.mail.Sent()); n != 0 {
				t.Errorf("messages sent: got %d, want 0", n)
			}
		})
	}
}

func TestSendExpiredLoginKeepsDraft(t *testing.T) {
	h := newHarness(t)
	tok := freshComposeToken(t, h, h.login())
	h.advance(45 * 60e9)
	form := url.Values{"t": {tok}, "to": {"bob@example.org"}, "subject": {"Draft"}, "body": {"A long text I do not want to lose."}}
	res := h.postMultipart("/send", form)
	if res.status != http.StatusUnauthorized {
		t.Fatalf("status: got %d, want 401", res.status)
	}
	d := parseDoc(t, res.body)
	for name, want := range map[string]string{"to": "bob@example.org", "subject": "Draft", "body": "A long text I do not want to lose."} {
		if got := d.field(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	for _, n := range d.all(func(n *html.Node) bool { return n.Data == "textarea" }) {
		if _, ro := attr(n, "readonly"); !ro {
			t.Error("the rescued draft's textarea is not read-only")
		}
	}
	if len(h.mail.Sent()) != 0 {
		t.Fatal("a message was sent with an expired login")
	}

	// Logging in again from that page brings the draft back into the form.
	again := url.Values{"user": {aliceUser}, "password": {alicePass}, "next": {d.field("next")}, "draft": {"1"},
		"to": {d.field("to")}, "subject": {d.field("subject")}, "body": {d.field("body")}}
	res = h.post("/login", again)
	if res.status != http.StatusOK {
		t.Fatalf("login with draft: status %d, want 200", res.status)
	}
	c := parseDoc(t, res.body)
	if got := c.field("body"); got != "A long text I do not want to lose." {
		t.Errorf("body after login: got %q", got)
	}
	if got := c.all(func(n *html.Node) bool { return n.Data == "form" && attrOf(n, "action") == "/send" }); len(got) != 1 {
		t.Error("after login the page is not the compose form")
	}
}

func TestForwardReattachesOriginals(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	d := composeFor(t, h, tok, "Your checklist and a list of pages (2 attachments)", "Forward")
	var parts []string
	for _, b := range d.inputs("fwdpart") {
		parts = append(parts, attrOf(b, "value"))
	}
	form := url.Values{
		"t": {d.token()}, "to": {"bob@example.org"}, "subject": {d.field("subject")},
		"body": {d.field("body")}, "fwd": {d.field("fwd")}, "fwdpart": parts,
	}
	res := h.postMultipart("/send", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", res.status, res.body)
	}
	sent := h.mail.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent: got %d", len(sent))
	}
	m := readSent(t, sent[0].To, sent[0].Data)
	if got := m.attachments["gomailcgi-checklist.txt"]; !strings.HasPrefix(got, "gomailcgi first-run checklist") {
		t.Errorf("checklist attachment: got %q", got)
	}
	if got := m.attachments["aperçu des pages.csv"]; !strings.HasPrefix(got, "page,method,what it does") {
		t.Errorf("csv attachment: got %q", got)
	}
	if !strings.Contains(m.text, "---------- Forwarded message ----------") {
		t.Error("the forwarded text is missing")
	}
}

func TestForwardOriginalGoneSendsNothing(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	d := composeFor(t, h, tok, "Your checklist and a list of pages (2 attachments)", "Forward")
	box := h.mail.Mailbox(aliceUser)
	box.Delete(box.UIDs()[3]) // another mail program deletes the original
	form := url.Values{
		"t": {d.token()}, "to": {"bob@example.org"}, "subject": {d.field("subject")},
		"body": {"my words"}, "fwd": {d.field("fwd")}, "fwdpart": {"2"},
	}
	res := h.postMultipart("/send", form)
	if res.status != http.StatusConflict {
		t.Fatalf("status %d, want 409\n%s", res.status, res.body)
	}
	c := parseDoc(t, res.body)
	if !strings.Contains(c.alert(), "could not be sent along") {
		t.Errorf("alert: got %q", c.alert())
	}
	if got := c.field("body"); got != "my words" {
		t.Errorf("body: got %q", got)
	}
	if len(h.mail.Sent()) != 0 {
		t.Error("a message was sent")
	}
}

func TestSendTooLargeKeepsText(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.MaxUpload = 2000 }))
	tok := freshComposeToken(t, h, h.login())
	form := url.Values{"t": {tok}, "to": {"bob@example.org"}, "subject": {"Big"}, "body": {"keep this"}}
	res := h.postMultipart("/send", form, fileField{"attach", "big.bin", "application/octet-stream", bytes.Repeat([]byte("x"), 2<<20)})
	if res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("body"); got != "keep this" {
		t.Errorf("body: got %q", got)
	}
	if !strings.Contains(d.alert(), "larger than") {
		t.Errorf("alert: got %q", d.alert())
	}
	if len(h.mail.Sent()) != 0 {
		t.Error("a message was sent")
	}
}
