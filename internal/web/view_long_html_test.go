package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gomailcgi/internal/render"
)

// The view page of a long HTML message reads and renders only the start of
// its body: the frame is the tallest, the fallback says where the rest is,
// and the remote images the rest may hold are offered; the framed body
// itself is whole, its remote image blocked like any other.
func TestViewLongHTML(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	var body strings.Builder
	for i := range 400 { // about 60 KB of HTML
		fmt.Fprintf(&body, "<h2>Story %d</h2>\r\n<p>alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo</p>\r\n", i)
	}
	body.WriteString(`<p><img src="https://tracker.example.com/late.gif" alt="late photo"></p><p>The end of the newsletter.</p>` + "\r\n")
	h.addMail(aliceUser, "Long newsletter", body.String(), "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8")

	list, _ := h.list(tok, 1)
	view := h.page(list.viewLink("Long newsletter"), http.StatusOK)
	frames := view.tag("iframe")
	if len(frames) != 1 {
		t.Fatalf("%d frames, want the HTML body framed", len(frames))
	}
	if got, want := attrOf(frames[0], "class"), fmt.Sprintf("fit-%d", render.MaxFit); !strings.Contains(got, want) {
		t.Errorf("frame class %q, want %s", got, want)
	}
	fallback := rawText(frames[0])
	if !strings.Contains(fallback, "Story 0") || strings.Contains(fallback, "Story 399") ||
		!strings.Contains(fallback, "Open the HTML body on its own page to read all of it.") {
		t.Errorf("fallback: want the start and where the rest is; got %d bytes ending %q", len(fallback), fallback[max(0, len(fallback)-120):])
	}
	if !view.hasLink("Show remote images") || !strings.Contains(statusText(view, "remote"), "if it has any, are blocked") {
		t.Errorf("remote images: got %q", statusText(view, "remote"))
	}
	whole := h.get(attrOf(frames[0], "src"))
	if whole.status != http.StatusOK || !strings.Contains(whole.body, "The end of the newsletter.") ||
		!strings.Contains(whole.body, "Story 399") || strings.Contains(whole.body, "tracker.example.com") {
		t.Errorf("framed body: status %d, %d bytes; want it whole with the remote image blocked", whole.status, len(whole.body))
	}
}
