package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A reply to an HTML-only message quotes its text: paragraphs, list items
// and link targets, with no markup and nothing the sanitizer removed.
func TestReplyToHTMLOnlyQuotesItsText(t *testing.T) {
	h := newHarness(t)
	d := composeFor(t, h, h.login(), "A quick tour of the message list", "Reply")
	body := d.field("body")
	for _, want := range []string{
		"> This message has no plain-text part at all: it is",
		"> - Inbox lists your messages",
		"documentation link <https://www.example.com/gomailcgi/docs>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the quote lacks %q:\n%s", want, body)
		}
	}
	for _, not := range []string{"<p>", "<b>", "alert(", "font-family", "only an HTML body"} {
		if strings.Contains(body, not) {
			t.Errorf("the quote holds %q:\n%s", not, body)
		}
	}
}

// Forwarding a message that carries an attached message offers it with
// the other attachments and sends it along, as an .eml file.
func TestForwardKeepsAttachedMessages(t *testing.T) {
	h := newHarness(t)
	d := composeFor(t, h, h.login(), "Fwd: Release notes for the demo server", "Forward")
	var labels []string
	for _, in := range d.inputs("fwdpart") {
		if _, on := attr(in, "checked"); !on {
			t.Errorf("forwarded part %s is not ticked", attrOf(in, "value"))
		}
		labels = append(labels, attrOf(in, "value"))
	}
	if len(labels) != 1 {
		t.Fatalf("forwardable parts: got %q, want the attached message", labels)
	}
	form := formValues(t, d, "/send", url.Values{"to": {"bob@example.org"}})
	res := h.postMultipart("/send", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", res.status, res.body)
	}
	sent := h.mail.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	m := readSent(t, sent[0].To, sent[0].Data)
	var found bool
	for name, body := range m.attachments {
		if strings.HasSuffix(name, ".eml") && strings.Contains(body, "Subject: Release notes for the demo server") {
			found = true
		}
	}
	if !found {
		t.Errorf("the attached message was not sent along; attachments %v", mapKeys(m.attachments))
	}
}

func mapKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// Browsers without frames (w3m) show the HTML body's text inside the
// iframe: the plain version when the message has one, else the HTML's
// text.
func TestHTMLBodyFrameFallback(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	for _, tt := range []struct{ subject, want, not string }{
		{"A quick tour of the message list", "This message has no plain-text part at all", "<b>"},
		{"Five tips for getting around", "", ""},
	} {
		view := parseDoc(t, h.get(list.viewLink(tt.subject)).body)
		frames := view.tag("iframe")
		if len(frames) == 0 {
			continue
		}
		fallback := rawText(frames[0])
		if tt.want != "" && !strings.Contains(fallback, tt.want) {
			t.Errorf("%s: the frame's fallback lacks %q: %q", tt.subject, tt.want, fallback)
		}
		if strings.TrimSpace(fallback) == "" {
			t.Errorf("%s: the frame has no fallback text", tt.subject)
		}
	}
	body := h.get(attrOf(parseDoc(t, h.get(list.viewLink("A quick tour of the message list")).body).tag("iframe")[0], "src"))
	d := parseDoc(t, body.body)
	if d.title() != "A quick tour of the message list" || len(d.tag("main")) != 1 || attrOf(d.tag("html")[0], "lang") == "" {
		t.Errorf("the body page: title %q, %d main, lang %q", d.title(), len(d.tag("main")), attrOf(d.tag("html")[0], "lang"))
	}
}

// The frame is as tall as the body is estimated to need, and the body's
// own page links back to the message.
func TestHTMLBodyFrameFitsAndOwnPage(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	short := parseDoc(t, h.get(list.viewLink("New icon for the inbox (inline image)")).body)
	long := parseDoc(t, h.get(list.viewLink("A quick tour of the message list")).body)
	fit := func(d *doc) int {
		var n int
		fmt.Sscanf(strings.TrimPrefix(attrOf(d.tag("iframe")[0], "class"), "htmlbody fit-"), "%d", &n)
		return n
	}
	if a, b := fit(short), fit(long); a < 1 || b < 1 || a >= b {
		t.Errorf("frame heights: short mail %d, long mail %d steps; want both set and the short one lower", a, b)
	}
	own := parseDoc(t, h.get(short.link("Open the HTML body on its own page")).body)
	if back := own.link("‹ Back to the message"); !strings.HasPrefix(back, "/view?") {
		t.Errorf("the own page links back to %q", back)
	}
	if len(own.tag("main")) != 1 || own.title() == "" {
		t.Error("the own page lacks a title or a main landmark")
	}
}
