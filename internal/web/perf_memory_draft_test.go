package web

import (
	"bytes"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gomailcgi/internal/mailmsg"
)

// withBody is a saved draft's raw message with its body, and the header
// fields that describe the body, replaced: what a copy of the user's
// draft, mailed back with another body, looks like. The draft's mark
// covers its header, not its body, so it stays a draft.
func withBody(t *testing.T, raw string, fields []string, body string) string {
	t.Helper()
	head, _, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		t.Fatalf("the saved draft has no body:\n%s", raw)
	}
	var b strings.Builder
	dropped := false // the field being dropped, which may be folded
	for line := range strings.SplitSeq(head, "\r\n") {
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			if !dropped {
				b.WriteString(line + "\r\n")
			}
			continue
		}
		name, _, _ := strings.Cut(line, ":")
		dropped = strings.HasPrefix(strings.ToLower(name), "content-")
		if !dropped {
			b.WriteString(line + "\r\n")
		}
	}
	for _, f := range fields {
		b.WriteString(f + "\r\n")
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// Issue 19: Continue editing a copy of the user's draft mailed back with
// 2 MB of text takes a bounded heap, whatever the shape of the text, and
// fills the form with the text as kept: whole, or, when it is longer than
// a text part may be, its start and a notice that says so.
func TestLongDraftContinueHeap(t *testing.T) {
	plain := "Content-Type: text/plain; charset=utf-8"
	lines := mailmsg.MaxTextPart / len("a\r\n") // that fit in what is kept
	for _, d := range []struct {
		name   string
		fields []string
		body   string
		want   string // the form's body
		cut    bool
	}{
		{"a lines", []string{plain}, strings.Repeat("a\r\n", 700_000), strings.Repeat("a\n", lines), true},
		{"long lines", []string{plain}, strings.Repeat(strings.Repeat("a", 990)+"\r\n", 2_000),
			strings.Repeat(strings.Repeat("a", 990)+"\n", 2_000), false},
		{"quoted lines", []string{plain}, strings.Repeat("> a\r\n", 400_000), strings.Repeat("> a\n", 400_000), false},
		{"nested quotes", []string{plain}, strings.Repeat("> > a\r\n", 290_000), strings.Repeat("> > a\n", 290_000), false},
		{"blank lines", []string{plain}, strings.Repeat("\r\n", 1_000_000), strings.Repeat("\n", 1_000_000), false},
		{"quoted-printable", []string{plain, "Content-Transfer-Encoding: quoted-printable"},
			strings.Repeat("=C3=A9=\r\n=C3=A9\r\n", 100_000), strings.Repeat("éé\n", 100_000), false},
		{"flowed", []string{plain + "; format=flowed"}, strings.Repeat("a \r\nb\r\n", 280_000), strings.Repeat("a b\n", 280_000), false},
		{"markup", []string{plain}, strings.Repeat("<\"&\r\n", 400_000), strings.Repeat("<\"&\n", 400_000), false},
		// each " is &#34; on the page: 10 MB of escaped text
		{"quotes", []string{plain}, strings.Repeat(strings.Repeat(`"`, 990)+"\r\n", 2_000),
			strings.Repeat(strings.Repeat(`"`, 990)+"\n", 2_000), false},
	} {
		t.Run(d.name, func(t *testing.T) {
			h := newHarness(t)
			tok := h.login()
			subject := "Long draft"
			raw, uid := saveDraft(t, h, tok, url.Values{"to": {"Bob <bob@example.org>"}, "subject": {subject}, "body": {"first words\n"}})
			h.mail.Mailbox(aliceUser).Delete(uid)
			h.mail.Mailbox(aliceUser).Add([]byte(withBody(t, raw, d.fields, d.body)))
			list, _ := h.list(tok, 1)
			view := h.page(list.viewLink(subject), http.StatusOK)
			path := view.link("Continue editing")
			var page bytes.Buffer
			// The page read is not the site's heap: it is made large
			// enough first, and no larger, as a larger heap at rest lets
			// the request's garbage grow further before it is collected.
			page.Grow(len(html.EscapeString(d.want)) + 64<<10)
			var status int
			grew := heapGrowth(t, func() { status = h.getInto(path, &page) })
			t.Logf("continue editing: heap +%.1f MB", mb(grew))
			if grew > requestHeap {
				t.Errorf("continue editing: heap grew by %.1f MB, want under %.0f MB", mb(grew), mb(requestHeap))
			}
			if status != http.StatusOK {
				t.Fatalf("continue editing: status %d, want 200\n%.2000s", status, page.String())
			}
			form := parseDoc(t, page.String())
			if got := form.field("body"); got != d.want {
				t.Errorf("the form's body: got %d bytes %.40q…, want %d bytes %.40q…", len(got), got, len(d.want), d.want)
			}
			var notice string
			for _, p := range form.tag("p") {
				if attrOf(p, "class") == "notice" {
					notice = text(p)
				}
			}
			if said := strings.Contains(notice, "the rest of it is not in the form"); said != d.cut {
				t.Errorf("the notice %q: says the text was cut %v, want %v", notice, said, d.cut)
			}
		})
	}
}
