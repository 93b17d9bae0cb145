package web

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axeVersion is the axe-core release scripts/install-deps.sh installs
// from the npm registry into tmp/npm.
const axeVersion = "4.10.3"

// axeSource reads axe-core, or skips (fails when CI=true) without it.
func axeSource(t *testing.T) string {
	t.Helper()
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "tmp", "npm", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		msg := "*** AXE-CORE NOT AVAILABLE: `make test` installs axe-core@" + axeVersion + " (scripts/install-deps.sh): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return string(b)
}

// axeViolation is one rule axe-core found broken, with where.
type axeViolation struct {
	ID     string
	Impact string
	Help   string
	Nodes  []struct{ Target []string }
}

// audit loads url in a w×h window and runs axe-core on it through the
// DevTools protocol: the page itself runs no script.
func (d devtools) audit(axe, link string, w, h int, scheme string) []axeViolation {
	return d.auditPage(axe, link, "", w, h, scheme)
}

// auditPage is audit; with content set, the page loaded from link (of the
// same site) is replaced by content: the answer to a POST, which a GET
// cannot reach.
func (d devtools) auditPage(axe, link, content string, w, h int, scheme string) []axeViolation {
	d.t.Helper()
	ctx, cancel := chromedp.NewContext(d.ctx)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
		d.t.Fatalf("colour scheme %s: %v", scheme, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(link)); err != nil {
		d.t.Fatalf("load %s: %v", redactToken(link), err)
	}
	if content != "" {
		tree, err := chromedp.Call(ctx, cdppage.GetFrameTree, cdp.Empty{})
		if err == nil {
			_, err = chromedp.Call(ctx, cdppage.SetDocumentContent, cdppage.SetDocumentContentParams{FrameID: tree.FrameTree.Frame.ID, HTML: content})
		}
		if err == nil {
			err = chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("main")))
		}
		if err != nil {
			d.t.Fatalf("set the page's content: %v", err)
		}
		if title, err := chromedp.Run(ctx, chromedp.Title()); err != nil || title == "" || !strings.Contains(content, "<title>"+title) {
			d.t.Fatalf("the page shows %q, not the content given (%v)", title, err)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		d.t.Fatalf("inject axe-core: %v", err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		d.t.Fatalf("run axe-core on %s: %v", redactToken(link), err)
	}
	return res
}

// TestAccessibility runs axe-core on every page of the walk at a desktop
// and a phone width, in both colour schemes, and wants no violation.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	b := requireDevtools(t)
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	view := func(s string) string { return list.viewLink(s) }
	pages := []struct{ name, link string }{
		{"home", "/"},
		{"login", "/login"},
		{"list", "/list?t=" + url.QueryEscape(tok)},
		{"list all ticked", list.link("Select all on this page")},
		{"search", "/search?t=" + url.QueryEscape(tok)},
		{"search results", "/search?q=the&t=" + url.QueryEscape(tok)},
		{"view plain", view("Paragraphs that flow")},
		{"view html", view("A quick tour of the message list")},
		{"view alternative", view("Five tips for getting around")},
		{"view attachments", view("Your checklist and a list of pages (2 attachments)")},
		{"view attached message", view("Fwd: Release notes for the demo server")},
		{"view inline image", view("New icon for the inbox (inline image)")},
		{"compose", list.link("Write")},
		{"reply", parseDoc(t, h.get(view("Paragraphs that flow")).body).link("Reply")},
		{"source", parseDoc(t, h.get(view("Paragraphs that flow")).body).link("View source")},
		{"sent", "/sent?t=" + url.QueryEscape(tok) + "&to=bob%40example.org&subject=Hello&n=1&copy=1"},
		{"not found", "/nowhere"},
		{"logged out", "/list?t=expired"},
	}

	// Answers to a POST: the delete question, and the login page that
	// keeps a draft.
	posted := []struct{ name, body string }{
		{"delete question", h.post("/delete", url.Values{"t": {tok}, "m": refsFor(t, list, "Paragraphs that flow", "Welcome to gomailcgi"), "page": {"1"}}).body},
		{"relogin with a draft", h.postMultipart("/send", url.Values{"t": {h.expiredToken()}, "to": {"bob@example.org"}, "subject": {"Kept"}, "body": {"my words"}}).body},
	}
	for _, p := range posted {
		t.Run(p.name, func(t *testing.T) {
			for _, v := range b.auditPage(axe, siteURL(h, "/nowhere"), p.body, 1280, 900, "light") {
				t.Errorf("%s (%s): %s", v.ID, v.Impact, v.Help)
			}
		})
	}
	states := []struct {
		w, h   int
		scheme string
	}{{1280, 900, "light"}, {375, 800, "light"}, {1280, 900, "dark"}, {375, 800, "dark"}}
	for _, p := range pages {
		for _, st := range states {
			name := fmt.Sprintf("%s-%d-%s", p.name, st.w, st.scheme)
			t.Run(name, func(t *testing.T) {
				for _, v := range b.audit(axe, siteURL(h, p.link), st.w, st.h, st.scheme) {
					var where []string
					for _, n := range v.Nodes {
						where = append(where, strings.Join(n.Target, " "))
					}
					t.Errorf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", "))
				}
			})
		}
	}
}

// The control: axe-core as run here does report what is wrong.
func TestAxeSeesViolations(t *testing.T) {
	axe := axeSource(t)
	b := requireDevtools(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><html><body><img src="/x.png"><input type="text"><p style="color:#bbb;background:#fff">faint</p></body></html>`)
	}))
	defer srv.Close()
	var ids []string
	for _, v := range b.audit(axe, srv.URL+"/", 800, 600, "light") {
		ids = append(ids, v.ID)
	}
	for _, want := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !slices.Contains(ids, want) {
			t.Errorf("axe-core did not report %s; it reported %q", want, ids)
		}
	}
}
