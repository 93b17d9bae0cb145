package web

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/seal"
)

// filler is the Bcc name of issue 19's forged draft: 80 Hangul fillers,
// which a browser draws as nothing at all.
var filler = strings.Repeat("\u3164", 80)

// forgedDraft is the message of issue 19, as anyone can send it from
// outside: From the user, marked as a draft, a Bcc to the attacker behind
// an invisible name, threading headers and an attachment.
func forgedDraft(mark string) string {
	return "From: Alice <alice@example.org>\r\n" +
		"To: Bob <bob@example.org>\r\n" +
		"Bcc: " + filler + " <attacker@evil.test>\r\n" +
		"X-Gomailcgi-Draft-Bcc: " + filler + " <attacker@evil.test>\r\n" +
		"Subject: Quarterly numbers\r\n" +
		"Date: Fri, 27 Mar 2026 10:00:00 +0000\r\n" +
		"Message-ID: <forged.draft@evil.test>\r\n" +
		"In-Reply-To: <thread@example.org>\r\n" +
		"References: <thread@example.org>\r\n" +
		"X-Gomailcgi-Draft: " + mark + "\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
		"\r\n" +
		"--b1\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Please send this on.\r\n" +
		"--b1\r\n" +
		"Content-Type: application/pdf\r\n" +
		"Content-Disposition: attachment; filename=\"invoice.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"JVBERi0xLjQK\r\n" +
		"--b1--\r\n"
}

// draftShown is how the site treats a message with this subject: whether
// the list marks it [draft], whether its view offers Continue editing, and
// what compose-from-draft answers for it (with the page).
type draftShown struct {
	listed, continued bool
	status            int
	compose           *doc
}

func showDraft(t *testing.T, h *harness, tok, subject string) draftShown {
	t.Helper()
	list, _ := h.list(tok, 1)
	var got draftShown
	for _, tr := range list.tag("tr") {
		if row := text(tr); strings.Contains(row, subject) {
			got.listed = strings.Contains(row, "[draft]")
		}
	}
	viewLink := list.viewLink(subject)
	view := parseDoc(t, h.get(viewLink).body)
	got.continued = view.hasLink("Continue editing")
	u, err := url.Parse(viewLink)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("t", view.token())
	q.Set("mode", modeDraft)
	res := h.get("/compose?" + q.Encode())
	got.status, got.compose = res.status, parseDoc(t, res.body)
	return got
}

// wantOrdinary checks a message is treated as anyone's message: no
// [draft], no Continue editing, and compose-from-draft refuses it with a
// user error, not a server error.
func wantOrdinary(t *testing.T, got draftShown) {
	t.Helper()
	if got.listed {
		t.Error("the list marks it [draft]")
	}
	if got.continued {
		t.Error("its view offers Continue editing")
	}
	if got.status != http.StatusBadRequest {
		t.Errorf("compose from it as a draft: status %d, want 400", got.status)
	}
	if a := text(got.compose.root); !strings.Contains(a, "not a draft") {
		t.Errorf("the refusal does not say why: %q", a)
	}
	for _, in := range got.compose.inputs("bcc") {
		t.Errorf("the refusal is a compose form, Bcc %q", attrOf(in, "value"))
	}
}

func wantDraft(t *testing.T, got draftShown) {
	t.Helper()
	if !got.listed || !got.continued || got.status != http.StatusOK {
		t.Fatalf("a draft saved here: listed %v, Continue editing %v, compose status %d; want true, true, 200",
			got.listed, got.continued, got.status)
	}
}

// Issue 19: a message from outside that says it is the user's draft is an
// ordinary message, whatever its X-Gomailcgi-Draft says.
func TestForgedDraftIsAnOrdinaryMessage(t *testing.T) {
	for _, mark := range []string{
		"yes", // the message
		"v1 " + base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		"v1 not-base64!",
		"v1",
		"",
	} {
		t.Run(mark, func(t *testing.T) {
			h := newHarness(t)
			h.mail.Mailbox(aliceUser).Add([]byte(forgedDraft(mark)))
			wantOrdinary(t, showDraft(t, h, h.login(), "Quarterly numbers"))
		})
	}
}

// saveDraft saves a draft through the compose form and returns the raw
// message the mail server keeps for it, and its UIDL.
func saveDraft(t *testing.T, h *harness, tok string, fields url.Values) (string, string) {
	t.Helper()
	compose := parseDoc(t, h.get("/compose?t="+url.QueryEscape(tok)).body)
	fields.Set("action", "draft")
	res := h.postMultipart("/send", formValues(t, compose, "/send", fields),
		fileField{"attach", "notes.txt", "text/plain", []byte("my notes\n")})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save draft: status %d\n%s", res.status, res.body)
	}
	sent := h.mail.Sent()
	user := strings.TrimSuffix(sent[len(sent)-1].To[0], "@example.org")
	box := h.mail.Mailbox(user)
	uids := box.UIDs()
	raw, _ := box.Raw(uids[len(uids)-1])
	return string(raw), uids[len(uids)-1]
}

var draftMarkLine = regexp.MustCompile(`(?m)^X-Gomailcgi-Draft: (.*)\r\n`)

// A real draft's mark holds for that draft only: copied onto other
// headers, or into another user's inbox, it is refused.
func TestDraftMarkCoversItsHeaders(t *testing.T) {
	draft := url.Values{"to": {"Bob <bob@example.org>"}, "cc": {"\"Lee, Carol\" <carol@example.com>"},
		"bcc": {"dave@example.com"}, "subject": {"Plan draft"}, "body": {"first words\n"}}
	tests := []struct {
		name  string
		saver string // whose draft it is
		edit  func(raw, mark string) string
		draft bool
	}{
		{"the draft as saved", aliceUser, func(raw, _ string) string { return raw }, true},
		{"its mark on the attacker's message", aliceUser, func(_, mark string) string {
			return strings.Replace(forgedDraft(mark), "Quarterly numbers", "Plan draft", 1)
		}, false},
		{"its Bcc changed", aliceUser, func(raw, _ string) string {
			return strings.Replace(raw, "X-Gomailcgi-Draft-Bcc: <dave@example.com>", "X-Gomailcgi-Draft-Bcc: <attacker@evil.test>", 1)
		}, false},
		{"a Bcc added", aliceUser, func(raw, _ string) string {
			return strings.Replace(raw, "X-Gomailcgi-Draft-Bcc: <dave@example.com>", "X-Gomailcgi-Draft-Bcc: <dave@example.com>, <attacker@evil.test>", 1)
		}, false},
		{"its To changed", aliceUser, func(raw, _ string) string {
			return strings.Replace(raw, "<bob@example.org>", "<attacker@evil.test>", 1)
		}, false},
		{"threading added", aliceUser, func(raw, _ string) string {
			return "In-Reply-To: <thread@example.org>\r\n" + raw
		}, false},
		{"bob's draft in alice's inbox", bobUser, func(raw, _ string) string { return raw }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			pass := map[string]string{aliceUser: alicePass, bobUser: bobPass}[tt.saver]
			raw, uid := saveDraft(t, h, h.loginAs(tt.saver, pass, ""), draft)
			h.mail.Mailbox(tt.saver).Delete(uid)
			m := draftMarkLine.FindStringSubmatch(raw)
			if m == nil || !strings.HasPrefix(m[1], "v1 ") {
				t.Fatalf("the saved draft has no mark:\n%s", raw)
			}
			h.mail.Mailbox(aliceUser).Add([]byte(tt.edit(raw, m[1])))
			got := showDraft(t, h, h.login(), "Plan draft")
			if tt.draft {
				wantDraft(t, got)
				return
			}
			wantOrdinary(t, got)
		})
	}
}

// A draft saved through the site comes back whole: names with commas and
// accents, the Bcc, the threading of a reply, the attachment.
func TestDraftRoundTrip(t *testing.T) {
	h := newHarness(t)
	h.addMail(aliceUser, "Budget", "What do you think?")
	tok := h.login()
	reply := composeFor(t, h, tok, "Budget", "Reply")
	fields := formValues(t, reply, "/send", url.Values{
		"to": {"\"Lee, Carol\" <carol@example.com>"}, "cc": {"Zoë Ünal <zoe@example.com>"},
		"bcc": {"Dave <dave@example.com>"}, "body": {"Half an answer\n"}, "action": {"draft"}})
	res := h.postMultipart("/send", fields, fileField{"attach", "notes.txt", "text/plain", []byte("my notes\n")})
	if res.status != http.StatusSeeOther {
		t.Fatalf("save draft: status %d\n%s", res.status, res.body)
	}
	got := showDraft(t, h, tok, "Re: Budget")
	wantDraft(t, got)
	for field, want := range map[string]string{
		"to": `"Lee, Carol" <carol@example.com>`, "cc": "Zoë Ünal <zoe@example.com>", "bcc": "Dave <dave@example.com>",
		"subject": "Re: Budget", "body": "Half an answer\n",
		"inreplyto": "<Budget@example.net>", "references": "<Budget@example.net>",
	} {
		if v := got.compose.field(field); v != want {
			t.Errorf("continued %s: got %q, want %q", field, v, want)
		}
	}
	if n := len(got.compose.inputs("fwdpart")); n != 1 {
		t.Errorf("the draft's attachments: got %d, want notes.txt", n)
	}
}

// keysOf is a key file's keys, each a SHA-256 of its name.
func keysOf(t *testing.T, names ...string) *seal.Keys {
	t.Helper()
	var file strings.Builder
	for _, n := range names {
		sum := sha256.Sum256([]byte("test key " + n))
		file.WriteString(base64.StdEncoding.EncodeToString(sum[:]) + "\n")
	}
	ks, err := seal.ParseKeys([]byte(file.String()))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// A draft saved under key A stays a draft after a rotation to [B, A],
// and becomes an ordinary message once A has left the key file.
func TestDraftSurvivesKeyRotation(t *testing.T) {
	withKeys := func(names ...string) harnessOption {
		return webOption(func(c *Config) { c.Sealer.Keys = keysOf(t, names...) })
	}
	before := newHarness(t, withKeys("A"))
	saveDraft(t, before, before.login(), url.Values{"to": {"bob@example.org"}, "subject": {"Kept draft"}})
	wantDraft(t, showDraft(t, before, before.login(), "Kept draft"))

	rotated := newHarness(t, sharedMail(before), withKeys("B", "A"))
	wantDraft(t, showDraft(t, rotated, rotated.login(), "Kept draft"))

	retired := newHarness(t, sharedMail(before), withKeys("B"))
	wantOrdinary(t, showDraft(t, retired, retired.login(), "Kept draft"))
}

// headerValue is a view page's header field, as shown.
func headerValue(d *doc, name string) string {
	for _, dt := range d.tag("dt") {
		if text(dt) == name {
			for dd := dt.NextSibling; dd != nil; dd = dd.NextSibling {
				if dd.Type == html.ElementNode && dd.Data == "dd" {
					return text(dd)
				}
			}
		}
	}
	return ""
}

// A display name that shows nothing is dropped, on every page: the
// address is what the user sees, and what a reply or a draft's Bcc box
// holds.
func TestInvisibleNamesAreDropped(t *testing.T) {
	names := map[string]string{
		"hangul filler":       filler,
		"encoded filler":      "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\u3164", 10))) + "?=",
		"braille blank":       "\u2800\u2800\u2800",
		"jamo fillers":        "\u115f\u1160\uffa0",
		"zero width":          "\u200b\u200c\u200d\u2060\ufeff",
		"blanks":              "\u00a0\u2003\u3000",
		"combining only":      "\u0301\u0301\u0308",
		"quoted filler":       `"` + filler + `"`,
		"fillers and joiners": "\u3164\u200d\u3164\u034f",
	}
	for label, name := range names {
		t.Run(label, func(t *testing.T) {
			h := newHarness(t)
			for _, subject := range []string{"Invoice", "Invoice 2"} {
				h.mail.Mailbox(aliceUser).Add([]byte("From: " + name + " <attacker@evil.test>\r\n" +
					"Reply-To: " + name + " <attacker@evil.test>\r\n" +
					"To: " + name + " <alice@example.org>\r\n" +
					"Subject: " + subject + "\r\nDate: Fri, 27 Mar 2026 10:00:00 +0000\r\n" +
					"Content-Type: text/plain; charset=utf-8\r\n\r\nPay it.\r\n"))
			}
			tok := h.login()

			list, _ := h.list(tok, 1)
			for _, td := range list.all(func(n *html.Node) bool { return attrOf(n, "class") == "from" }) {
				if strings.Contains(attrOf(td, "title"), "attacker") {
					if got := text(td); got != "attacker@evil.test" {
						t.Errorf("the list's From: got %q, want %q", got, "attacker@evil.test")
					}
				}
			}
			view := parseDoc(t, h.get(list.viewLink("Invoice 2")).body)
			for field, want := range map[string]string{"From": "attacker@evil.test", "Reply-To": "attacker@evil.test", "To": "alice@example.org"} {
				if got := headerValue(view, field); got != want {
					t.Errorf("the view's %s: got %q, want %q", field, got, want)
				}
			}
			reply := composeFor(t, h, tok, "Invoice", "Reply")
			if got := reply.field("to"); got != "attacker@evil.test" {
				t.Errorf("the reply's To box: got %q, want %q", got, "attacker@evil.test")
			}
			all := composeFor(t, h, tok, "Invoice 2", "Reply all")
			if got := all.field("to"); got != "attacker@evil.test" {
				t.Errorf("reply all's To box: got %q, want %q", got, "attacker@evil.test")
			}

			// A Bcc pasted with such a name into a draft comes back as the
			// address alone.
			if strings.HasPrefix(name, "=?") {
				return // a user types no encoded words
			}
			saveDraft(t, h, tok, url.Values{"bcc": {name + " <attacker@evil.test>"}, "subject": {"Pasted"}})
			got := showDraft(t, h, tok, "Pasted")
			wantDraft(t, got)
			if v := got.compose.field("bcc"); v != "attacker@evil.test" {
				t.Errorf("the draft's Bcc box: got %q, want %q", v, "attacker@evil.test")
			}
		})
	}
}
