package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Save draft keeps the message in the sender's inbox, attachments and
// Bcc included; the list marks it; Continue editing brings it all back;
// sending it offers to delete the draft.
func TestDraftSaveContinueSend(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	compose := parseDoc(t, h.get(parseDoc(t, h.get("/list?t="+url.QueryEscape(tok)).body).link("Write")).body)
	form := formValues(t, compose, "/send", url.Values{"to": {"Bob <bob@example.org>"}, "bcc": {"alice@example.org"},
		"subject": {"Plan draft"}, "body": {"first words\n"}, "action": {"draft"}})
	res := h.postMultipart("/send", form, fileField{"attach", "notes.txt", "text/plain", []byte("my notes\n")})
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.Contains(loc, "saved=draft") {
		t.Fatalf("save draft: %d to %q\n%s", res.status, loc, res.body)
	}
	sent := h.mail.Sent()
	if len(sent) != 1 || !slices.Equal(sent[0].To, []string{"alice@example.org"}) {
		t.Fatalf("the draft went to %+v, want alice only", sent)
	}
	if strings.Contains(strings.ToLower(string(sent[0].Data)), "\nbcc:") {
		t.Error("the draft has a Bcc header")
	}
	list := parseDoc(t, h.get(loc).body)
	if n := text(list.root); !strings.Contains(n, "Your draft was saved") || !strings.Contains(n, "[draft] Plan draft") {
		t.Fatalf("the list does not show the saved draft")
	}
	view := parseDoc(t, h.get(list.viewLink("Plan draft")).body)
	again := parseDoc(t, h.get(view.link("Continue editing")).body)
	for field, want := range map[string]string{"to": "Bob <bob@example.org>", "bcc": "alice@example.org", "subject": "Plan draft", "body": "first words\n"} {
		if got := again.field(field); got != want {
			t.Errorf("continued %s: got %q, want %q", field, got, want)
		}
	}
	parts := again.inputs("fwdpart")
	if len(parts) != 1 {
		t.Fatalf("the draft's attachments: got %d offered, want notes.txt", len(parts))
	}
	res = h.postMultipart("/send", formValues(t, again, "/send", url.Values{"body": {"first words, and more\n"}}))
	if res.status != http.StatusSeeOther {
		t.Fatalf("send: %d\n%s", res.status, res.body)
	}
	out := h.mail.Sent()[1]
	if !slices.Equal(out.To, []string{"bob@example.org", "alice@example.org"}) {
		t.Errorf("the message went to %q", out.To)
	}
	m := readSent(t, out.To, out.Data)
	if m.attachments["notes.txt"] != "my notes\n" || strings.Contains(string(out.Data), "X-Gomailcgi-Draft") {
		t.Errorf("the sent message: attachments %v, draft marks left: %v", mapKeys(m.attachments), strings.Contains(string(out.Data), "X-Gomailcgi-Draft"))
	}
	sentPage := parseDoc(t, h.get(res.header.Get("Location")).body)
	asked := parseDoc(t, h.post("/delete", formValues(t, sentPage, "/delete", nil)).body)
	if got := deletedNames(t, h.post("/delete", formValues(t, asked, "/delete", nil))); !slices.Equal(got, []string{"Plan draft"}) {
		t.Errorf("deleting the draft: got %q", got)
	}
	// alice got the message itself too, as its Bcc: that one stays
	n := 0
	for _, s := range h.subjectsIn(aliceUser) {
		if s == "Plan draft" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("alice's inbox holds %d messages called Plan draft, want 1: the draft is gone, the message Bcc'd to her stays", n)
	}
}

// Continue editing puts a draft's text back in the form exactly as it was
// saved: quote marks as written, blanks, the last line end or its
// absence, characters the page escapes, lines long enough to be encoded.
func TestDraftBodyRoundTrip(t *testing.T) {
	for name, body := range map[string]string{
		"plain":          "first words\n",
		"no last break":  "no line end at the end",
		"quotes":         "> > spaced quote\n>> tight quote\n>not a blank\n",
		"blank lines":    "\n\nafter two blank lines\n\n",
		"blanks":         "  indented\ttab\ntrailing spaces   \nsoft-looking \nbreak\n",
		"escaped":        "Zoë's <b>&amp; \"quotes\" + plus</textarea>\n",
		"long line":      strings.Repeat("long ", 400) + "\n",
		"signature":      "text\n-- \nAlice\n",
		"only line ends": "\n\n\n",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.login()
			saveDraft(t, h, tok, url.Values{"to": {"bob@example.org"}, "subject": {"Round trip"}, "body": {body}})
			got := showDraft(t, h, tok, "Round trip")
			wantDraft(t, got)
			if v := got.compose.field("body"); v != body {
				t.Errorf("continued body: got %q, want %q", v, body)
			}
		})
	}
}
