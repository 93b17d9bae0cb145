package web

import (
	"image"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/net/html"
)

// langPage is one page of the walk in a language: a link of the site,
// or the answer to a POST.
type langPage struct{ name, link, body string }

// languagePages logs alice in in lang and lists the pages a reader of it
// meets: login, inbox, messages of each kind, compose, reply, source,
// sent, the delete question, an error page.
func languagePages(t *testing.T, h *harness, lang string) []langPage {
	t.Helper()
	res := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "lang": {lang}})
	next, err := url.Parse(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || err != nil {
		t.Fatalf("login in %s: status %d %v", lang, res.status, err)
	}
	tok := next.Query().Get("t")
	list, _ := h.list(tok, 1)
	view := func(s string) string { return list.viewLink(s) }
	plain := parseDoc(t, h.get(view("Paragraphs that flow")).body)
	link := func(d *doc, class string) string {
		t.Helper()
		// The view's actions in their order: back, reply, reply all, forward, source.
		for _, n := range d.all(func(n *html.Node) bool { return n.Data == "nav" && attrOf(n, "class") == "actions" }) {
			var hrefs []string
			for _, a := range (&doc{t: t, root: n}).tag("a") {
				hrefs = append(hrefs, attrOf(a, "href"))
			}
			switch class {
			case "reply":
				return hrefs[1]
			case "source":
				return hrefs[4]
			}
		}
		t.Fatalf("no %s link", class)
		return ""
	}
	q := url.QueryEscape(tok)
	return []langPage{
		{name: "login", link: "/login?lang=" + url.QueryEscape(lang)},
		{name: "list", link: "/list?t=" + q},
		{name: "search", link: "/search?t=" + q + "&after=2000-01-01"},
		{name: "view-plain", link: view("Paragraphs that flow")},
		{name: "view-html", link: view("A quick tour of the message list")},
		{name: "view-attachments", link: view("Your checklist and a list of pages (2 attachments)")},
		{name: "view-attached-message", link: view("Fwd: Release notes for the demo server")},
		{name: "view-japanese", link: view("日本語のテストメール（ISO-2022-JP）")},
		{name: "compose", link: "/compose?t=" + q},
		{name: "reply", link: link(plain, "reply")},
		{name: "source", link: link(plain, "source")},
		{name: "sent", link: "/sent?t=" + q + "&to=bob%40example.org&subject=Hello&n=1&copy=1"},
		{name: "not-found", link: "/nowhere?lang=" + url.QueryEscape(lang)},
		{name: "delete-question", body: h.post("/delete", url.Values{"t": {tok}, "m": refsFor(t, list, "Paragraphs that flow", "Welcome to gomailcgi"), "page": {"1"}}).body},
	}
}

// TestBrowserLanguages looks at the pages in German (long words),
// Japanese and Arabic (right to left) at a desktop and a phone width: the
// heading is on screen, no page scrolls sideways, and the list's subjects
// are not cut off. GOMAILCGI_SCREENSHOTS=DIR keeps the list and a message
// in Arabic and Japanese.
func TestBrowserLanguages(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t)
	dir := os.Getenv("GOMAILCGI_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, lang := range []string{"de", "ja", "ar"} {
		for _, p := range languagePages(t, h, lang) {
			if p.link == "" {
				continue // a POST's answer: TestAccessibilityInLanguages audits it
			}
			served := parseDoc(t, h.get(p.link).body)
			if got := attrOf(served.tag("html")[0], "lang"); got != lang {
				t.Errorf("%s %s: <html lang=%q>", lang, p.name, got)
			}
			wantHeading := text(served.tag("h1")[0])
			wantSubjects := served.subjects()
			for _, size := range []image.Point{{1280, 900}, {375, 800}} {
				name := lang + "-" + p.name + "-" + strconv.Itoa(size.X)
				t.Run(name, func(t *testing.T) {
					v := b.look(siteURL(h, p.link), size.X, size.Y, "light")
					if keep := (lang == "ar" || lang == "ja") && (p.name == "list" || p.name == "view-plain"); keep {
						file := filepath.Join(dir, p.name+"-"+strconv.Itoa(size.X)+"-light-"+lang+".png")
						writePNG(t, file, v.PNG)
						checkScreenshot(t, file, size)
					}
					if got := normSpace(v.Heading.Text); got != wantHeading || wantHeading == "" {
						t.Errorf("visible heading: got %q, want %q", got, wantHeading)
					}
					if !v.Heading.Box.inside(size.X, size.Y) {
						t.Errorf("heading at %+v, want it wholly inside the %v window", v.Heading.Box, size)
					}
					if v.ScrollWidth > v.InnerWidth {
						t.Errorf("page is %d px wide in a %d px window: it scrolls sideways", v.ScrollWidth, v.InnerWidth)
					}
					checkSeenSubjects(t, v.Subjects, wantSubjects, size)
				})
			}
		}
	}
}
