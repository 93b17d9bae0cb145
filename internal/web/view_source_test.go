package web

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// sourcePre is the text of the source page's <pre class="source">.
func sourcePre(t *testing.T, d *doc) string {
	t.Helper()
	for _, n := range d.all(func(n *html.Node) bool { return n.Data == "pre" && hasClass(n, "source") }) {
		return rawText(n)
	}
	t.Fatal("no source on the page")
	return ""
}

func TestSourcePageEscapes(t *testing.T) {
	h := newHarness(t)
	view := viewOf(t, h, "A quick tour of the message list")
	res := h.get(view.link("View source"))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	if got := res.header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type: got %q", got)
	}
	d := parseDoc(t, res.body)
	checkNoScript(t, d)
	box := h.mail.Mailbox(aliceUser)
	raw, _ := box.Raw(box.UIDs()[1])
	got, want := sourcePre(t, d), strings.ReplaceAll(string(raw), "\r\n", "\n")
	if got != want {
		t.Errorf("source: got %d bytes, want the %d stored (LF line ends):\n%s", len(got), len(want), got)
	}
	if !strings.Contains(got, `<script>alert("this should never run");</script>`) {
		t.Error("the script is not shown as text")
	}
	if d.title() != "Source of “A quick tour of the message list” · gomailcgi" {
		t.Errorf("title: got %q", d.title())
	}
	back := parseDoc(t, h.get(d.link("‹ Back to the message")).body)
	if back.title() != "A quick tour of the message list · gomailcgi" {
		t.Errorf("back to the message: title %q", back.title())
	}
	if dl := h.get(d.link("Download (.eml)")); dl.body != string(raw) {
		t.Errorf("download: got %d bytes, want %d", len(dl.body), len(raw))
	}
}

func TestSourcePageBounded(t *testing.T) {
	h := newHarness(t)
	line := strings.Repeat("0123456789", 7) + "\r\n" // 72 bytes
	h.addMail(aliceUser, "A big one", strings.Repeat(line, 20000))
	tok := h.login()
	list, _ := h.list(tok, 1)
	raw := strings.Replace(list.viewLink("A big one"), "/view?", "/raw?", 1)
	d := parseDoc(t, h.get(raw).body)
	src := sourcePre(t, d)
	if !strings.HasPrefix(src, "From: Erin Example <erin@example.net>\n") {
		t.Errorf("source starts %.40q", src)
	}
	if n := len(src); n > maxRawShown || n < maxRawShown-maxRawShown/10 {
		t.Errorf("shown: %d bytes, want about %d", n, maxRawShown)
	}
	notice := ""
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "role") == "status" }) {
		notice = text(n)
	}
	if !strings.Contains(notice, "the first 1.0 MB are shown") {
		t.Errorf("notice: got %q", notice)
	}
	whole := h.get(d.link("Download the whole message (.eml)"))
	if whole.status != http.StatusOK || len(whole.body) < 20000*len(line) {
		t.Errorf("download: status %d, %d bytes", whole.status, len(whole.body))
	}
}

func TestViewProblemsLinkTheSource(t *testing.T) {
	h := newHarness(t)
	addFixture(t, h, "broken-boundary.eml")
	d := viewOf(t, h, "Boundary never used")
	var notes *html.Node
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "role") == "status" && hasClass(n, "problem") }) {
		notes = n
	}
	if notes == nil {
		t.Fatal("no problem notes")
	}
	if !strings.Contains(text(notes), "This message is not well formed") {
		t.Errorf("notes: got %q", text(notes))
	}
	src := linkIn(notes, "View the message source")
	if src == "" {
		t.Fatal("the notes do not link to the source")
	}
	if got := sourcePre(t, parseDoc(t, h.get(src).body)); !strings.Contains(got, "--actual\nContent-Type: text/plain\n") {
		t.Errorf("source: got %q", got)
	}

	ok := viewOf(t, h, "Welcome to gomailcgi")
	if n := len(ok.all(func(n *html.Node) bool { return hasClass(n, "problem") })); n != 0 {
		t.Errorf("a sound message shows %d problem notes", n)
	}
}

func TestViewAndBodyBadRequests(t *testing.T) {
	h := newHarness(t)
	d := viewOf(t, h, "Five tips for getting around")
	view := pathOf(t, d.link("Plain text"))
	body := pathOf(t, frameSrc(t, d))
	tests := []struct {
		name, path string
		want       int
	}{
		{"unknown format", strings.Replace(view, "fmt=plain", "fmt=pdf", 1), http.StatusBadRequest},
		{"unknown remote", view + "&remote=yes", http.StatusBadRequest},
		{"body unknown format", body + "&fmt=rtf", http.StatusBadRequest},
		{"body of no attached message", body + "&p=2", http.StatusNotFound},
		{"body of the plain version", body + "&fmt=plain", http.StatusNotFound},
		{"body part id too long", body + "&p=" + strings.Repeat("1.", 60), http.StatusBadRequest},
		{"raw without message", "/raw?t=" + query(t, view).Get("t"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := fetch(t, h, tt.path); res.status != tt.want {
				t.Errorf("status %d, want %d", res.status, tt.want)
			}
		})
	}
}
