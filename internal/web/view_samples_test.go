package web

import (
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The view helpers below read one part of a view page; they take the node
// to look in, so an attached message's headers are not the message's own.

// firstDL is the first header list under n: dt text -> dd text.
func firstDL(t *testing.T, n *html.Node) map[string]string {
	t.Helper()
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.Data == "dl" {
			out := map[string]string{}
			var dt string
			for e := range c.ChildNodes() {
				switch {
				case e.Type != html.ElementNode:
				case e.Data == "dt":
					dt = text(e)
				case e.Data == "dd":
					out[dt] = text(e)
				}
			}
			return out
		}
	}
	t.Fatal("no header list")
	return nil
}

// hasClass reports whether n has the class c.
func hasClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(attrOf(n, "class")), c)
}

// within reports whether n has an ancestor for which match is true.
func within(n *html.Node, match func(*html.Node) bool) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && match(p) {
			return true
		}
	}
	return false
}

// partNames are the texts of the part links in the attachment and inline
// image lists of the page and of its attached messages.
func partNames(d *doc) []string {
	var out []string
	for _, a := range d.tag("a") {
		if within(a, func(p *html.Node) bool { return p.Data == "li" }) &&
			within(a, func(p *html.Node) bool { return hasClass(p, "attachments") || hasClass(p, "nested") }) &&
			strings.Contains(attrOf(a, "href"), "/part?") {
			out = append(out, text(a))
		}
	}
	return out
}

// shownText is everything a reader sees of a view page's bodies: the
// plain-text bodies as they stand (line breaks kept) and the text of every
// framed HTML body, fetched as the browser would.
func shownText(t *testing.T, h *harness, d *doc) string {
	t.Helper()
	var b strings.Builder
	for _, n := range d.all(func(n *html.Node) bool { return hasClass(n, "textbody") }) {
		b.WriteString(rawText(n))
		b.WriteString("\n")
	}
	for _, f := range d.tag("iframe") {
		res := fetch(t, h, attrOf(f, "src"))
		if res.status != http.StatusOK {
			t.Fatalf("framed body %s: status %d", pathOf(t, attrOf(f, "src")), res.status)
		}
		b.WriteString(text(parseDoc(t, res.body).root))
		b.WriteString("\n")
	}
	return b.String()
}

// fetch is h.get failing t, for subtests.
func fetch(t *testing.T, h *harness, path string) response {
	t.Helper()
	res, err := h.client.Get(h.srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", pathOf(t, path), err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", pathOf(t, path), err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

// TestViewEverySample opens every message of the demo mailbox and checks
// what a reader sees: the decoded subject and sender, a piece of the body
// (decoded, flowed text joined) and the names of the attachments.
func TestViewEverySample(t *testing.T) {
	type sample struct {
		file, subject, from string
		snippet             string // in the shown body; line breaks count for text bodies
		parts               []string
	}
	tests := []sample{
		{"01-welcome.eml", "Welcome to gomailcgi", "gomailcgi Team <team@gomailcgi.example>",
			"This is the demo mailbox of gomailcgi, a classic multi-page webmail", nil},
		{"02-html-tour.eml", "A quick tour of the message list", "gomailcgi Team <team@gomailcgi.example>",
			"it is HTML only, so gomailcgi runs it through its allowlist sanitizer", nil},
		{"03-tips-alternative.eml", "Five tips for getting around", "Ada (gomailcgi tips) <tips@gomailcgi.example>",
			"The HTML version of this message is the one you are reading now", nil},
		{"04-attachments.eml", "Your checklist and a list of pages (2 attachments)", "Grace from Support <support@gomailcgi.example>",
			"Attachments are never shown inline: you get a download, with the", []string{"gomailcgi-checklist.txt", "aperçu des pages.csv"}},
		{"05-attachment-2047-name.eml", "The weekly plan, with an old-style attachment name", "Jürgen Müller <juergen@example.net>",
			"but many mail programs send it, so gomailcgi decodes it anyway.", []string{"Wochenplan für März.txt"}},
		{"06-inline-image.eml", "New icon for the inbox (inline image)", "Lin (Design) <design@gomailcgi.example>",
			"Here is the new envelope icon, 16 by 16 pixels", []string{"envelope.png"}},
		{"07-utf8.eml", "Grüße aus Zürich — UTF-8 überall ✓", "Zoë Ångström <zoe@example.net>",
			"Hola, Hallo, Привет, こんにちは, Γειά σου 👋", nil},
		{"08-latin1.eml", "Déjà vu : un message en Latin-1, sans problème", "François Lefèvre <francois@example.fr>",
			"à â ç é è ê ë î ï ô ù û ü ÿ, et aussi « les guillemets » et le", nil},
		{"09-iso2022jp.eml", "日本語のテストメール（ISO-2022-JP）", "山田 花子 <hanako@example.jp>",
			"デモ用メールボックスへようこそ。", nil},
		{"10-koi8r.eml", "Привет из демо-ящика (KOI8-R)", "Иван Петров <ivan@example.ru>",
			"Это письмо написано в кодировке KOI8-R и отправлено как 8bit.", nil},
		{"11-forwarded.eml", "Fwd: Release notes for the demo server", "Demo User <demo@example.org>",
			"The mailbox is filled from testdata/ at start-up and forgets", nil},
		{"12-long-line.eml", "One paragraph, one very long line", "Line Length Lab <lab@gomailcgi.example>",
			"(segment 001 of a long line). Item 2: gomailcgi never splits a line", nil},
		{"13-dot-lines.eml", "Lines that start with a dot", "Line Length Lab <lab@gomailcgi.example>",
			"\n.\n..\n...\n.hidden-config\n. a dot and a space\n..two dots then text\n", nil},
		{"14-reply-quoted.eml", "Re: Re: Does delete really check the message?", "Sam Reader <sam@example.com>",
			"So the worst case is a \"your inbox changed\" page. I can live with that.", nil},
		{"15-format-flowed.eml", "Paragraphs that flow", "Rowan Flow <rowan@example.com>",
			"continues on the next one, so a reader can rewrap the paragraph to any width.", nil},
	}
	files, err := filepath.Glob("../../testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, f := range files {
		if !slices.ContainsFunc(tests, func(tt sample) bool { return tt.file == filepath.Base(f) }) {
			t.Errorf("sample %s is not in the table", filepath.Base(f))
		}
	}

	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			res := fetch(t, h, list.viewLink(tt.subject))
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			d := parseDoc(t, res.body)
			if got := text(d.tag("h1")[0]); got != tt.subject {
				t.Errorf("h1: got %q, want %q", got, tt.subject)
			}
			hv := firstDL(t, d.root)
			if got := hv["Subject"]; got != tt.subject {
				t.Errorf("Subject: got %q, want %q", got, tt.subject)
			}
			if got := hv["From"]; got != tt.from {
				t.Errorf("From: got %q, want %q", got, tt.from)
			}
			if got := shownText(t, h, d); !strings.Contains(got, tt.snippet) {
				t.Errorf("body: want it to contain %q; got %q", tt.snippet, got)
			}
			if got := partNames(d); !slices.Equal(got, tt.parts) {
				t.Errorf("attachments: got %q, want %q", got, tt.parts)
			}
			if strings.Contains(res.body, "\uFFFD") {
				t.Error("the page shows U+FFFD: something was not decoded")
			}
			checkNoScript(t, d)
		})
	}
}
