package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// walk visits every state of the site once, good paths and error paths,
// and returns each response by a name.
func walk(t *testing.T, h *harness) map[string]response {
	t.Helper()
	pages := map[string]response{}
	pages["home"] = h.get("/")
	pages["login"] = h.get("/login?next=compose")
	pages["login wrong password"] = h.post("/login", url.Values{"user": {aliceUser}, "password": {"nope"}})
	tok := h.login()
	listRes := h.get("/list?t=" + url.QueryEscape(tok))
	pages["list"] = listRes
	list := parseDoc(t, listRes.body)
	viewRes := h.get(list.viewLink("Your checklist and a list of pages (2 attachments)"))
	pages["view"] = viewRes
	view := parseDoc(t, viewRes.body)
	pages["view html"] = h.get(list.viewLink("A quick tour of the message list"))
	pages["view forwarded"] = h.get(list.viewLink("Fwd: Release notes for the demo server"))
	tips := parseDoc(t, h.get(list.viewLink("Five tips for getting around")).body)
	pages["view plain version"] = h.get(tips.link("Plain text"))
	tour := parseDoc(t, pages["view html"].body)
	pages["view remote shown"] = h.get(tour.link("Show remote images"))
	pages["view source page"] = h.get(view.link("View source"))
	pages["reply"] = h.get(view.link("Reply"))
	pages["forward"] = h.get(view.link("Forward"))
	pages["source"] = h.get(view.link("Download (.eml)"))
	for _, a := range view.tag("a") {
		if strings.HasPrefix(text(a), "gomailcgi-checklist.txt") {
			pages["part"] = h.get(attrOf(a, "href"))
		}
	}
	compose := parseDoc(t, h.get(list.link("Write")).body)
	pages["compose"] = h.get(list.link("Write"))
	pages["send bad address"] = h.postMultipart("/send", url.Values{"t": {compose.token()}, "to": {"<<"}})
	sent := h.postMultipart("/send", url.Values{"t": {compose.token()}, "to": {"bob@example.org"}, "subject": {"x"}, "body": {"y"}})
	pages["send"] = sent
	pages["sent"] = h.get(sent.header.Get("Location"))
	pages["delete"] = h.post("/delete", url.Values{"t": {tok}, "m": {view.field("m")}})
	pages["delete confirmed"] = h.deleteConfirmed(url.Values{"t": {tok}, "m": {view.field("m")}})
	pages["delete gone"] = h.post("/delete", url.Values{"t": {tok}, "m": {view.field("m")}})
	pages["view gone"] = h.get(list.viewLink("Your checklist and a list of pages (2 attachments)"))
	pages["logout"] = h.get("/logout")
	pages["not found"] = h.get("/nowhere")
	pages["wrong method"] = h.get("/delete")
	pages["static"] = h.get("/static/style.css")
	pages["bad token"] = h.get("/list?t=garbage")
	pages["send bad token"] = h.postMultipart("/send", url.Values{"t": {"garbage"}, "body": {"keep"}})

	want := map[string]int{
		"home": 200, "login": 200, "login wrong password": 401, "list": 200, "view": 200,
		"view html": 200, "view forwarded": 200, "view plain version": 200, "view remote shown": 200,
		"view source page": 200, "reply": 200, "forward": 200, "source": 200, "part": 200,
		"compose": 200, "send bad address": 422, "send": 303, "sent": 200, "delete": 200, "delete confirmed": 200,
		"delete gone": 410, "view gone": 410, "logout": 200, "not found": 404,
		"wrong method": 405, "static": 200, "bad token": 401, "send bad token": 401,
	}
	for name, status := range want {
		if got := pages[name].status; got != status {
			t.Errorf("walk %s: status %d, want %d", name, got, status)
		}
	}
	return pages
}

// wantPageCSP is written out, not taken from the code's constant: a
// change to the policy must change this test too.
const wantPageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	h := newHarness(t)
	for name, res := range walk(t, h) {
		t.Run(name, func(t *testing.T) {
			csp := wantPageCSP
			if name == "part" || name == "source" { // downloads
				csp = "default-src 'none'; sandbox"
			}
			want := map[string]string{
				"Content-Security-Policy": csp,
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
				"Cache-Control":           "no-store",
			}
			for k, v := range want {
				if got := res.header.Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			if c := res.header.Values("Set-Cookie"); len(c) > 0 {
				t.Errorf("sets cookies: %q", c)
			}
		})
	}
}

func TestEveryPageIsAccessibleHTML(t *testing.T) {
	h := newHarness(t)
	for name, res := range walk(t, h) {
		if !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			if !strings.HasPrefix(res.body, "<!DOCTYPE html>") {
				t.Error("no <!DOCTYPE html>")
			}
			d := parseDoc(t, res.body)
			if htmls := d.tag("html"); len(htmls) != 1 || attrOf(htmls[0], "lang") != "en" {
				t.Error(`no <html lang="en">`)
			}
			if tt := d.title(); !strings.HasSuffix(tt, " · gomailcgi") || len(tt) <= len(" · gomailcgi") {
				t.Errorf("title: got %q", tt)
			}
			if n := len(d.tag("h1")); n != 1 {
				t.Errorf("h1 elements: got %d, want 1", n)
			}
			checkLabels(t, d)
			checkNoScript(t, d)
			ids := map[string]bool{}
			for _, n := range d.all(func(n *html.Node) bool { _, ok := attr(n, "id"); return ok }) {
				id := attrOf(n, "id")
				if ids[id] {
					t.Errorf("duplicate id %q", id)
				}
				ids[id] = true
			}
		})
	}
}

// checkLabels fails for a form control without a label: a <label for>, a
// wrapping <label>, or aria-label.
func checkLabels(t *testing.T, d *doc) {
	t.Helper()
	labelled := map[string]bool{}
	for _, l := range d.tag("label") {
		labelled[attrOf(l, "for")] = true
	}
	for _, n := range d.all(func(n *html.Node) bool {
		return n.Data == "input" || n.Data == "textarea" || n.Data == "select"
	}) {
		switch attrOf(n, "type") {
		case "hidden", "submit", "button":
			continue
		}
		if attrOf(n, "aria-label") != "" || (attrOf(n, "id") != "" && labelled[attrOf(n, "id")]) {
			continue
		}
		inLabel := false
		for p := n.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == "label" {
				inLabel = true
			}
		}
		if !inLabel {
			t.Errorf("%s name=%q has no label", n.Data, attrOf(n, "name"))
		}
	}
}

// checkNoScript fails for anything the page CSP would block or that runs:
// scripts, event handlers, inline styles.
func checkNoScript(t *testing.T, d *doc) {
	t.Helper()
	if n := len(d.tag("script")) + len(d.tag("style")); n > 0 {
		t.Errorf("%d script or style elements", n)
	}
	for _, n := range d.all(func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
				t.Errorf("<%s %s=…> attribute", n.Data, a.Key)
			}
			if (a.Key == "href" || a.Key == "src" || a.Key == "action") && strings.HasPrefix(strings.ToLower(a.Val), "javascript:") {
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			}
		}
	}
}

func TestLogsHoldNoSecrets(t *testing.T) {
	h := newHarness(t)
	pages := walk(t, h)
	logs := h.logs.String()
	if !strings.Contains(logs, "path=/list") {
		t.Fatalf("requests are not logged:\n%s", logs)
	}
	if strings.Contains(logs, alicePass) {
		t.Error("the logs contain the password")
	}
	tokens := regexp.MustCompile(`[?&]t=([A-Za-z0-9_-]{40,})`)
	seen := 0
	for _, res := range pages {
		for _, m := range tokens.FindAllStringSubmatch(res.body+res.header.Get("Location"), -1) {
			seen++
			if strings.Contains(logs, m[1]) {
				t.Fatalf("the logs contain a token")
			}
		}
	}
	if seen == 0 {
		t.Fatal("found no tokens to look for")
	}
	if strings.Contains(logs, "t=") {
		t.Error("the logs contain a query string")
	}
}

func TestBodyDocumentHeaders(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	view := parseDoc(t, h.get(list.viewLink("A quick tour of the message list")).body)
	res := h.get(attrOf(view.tag("iframe")[0], "src"))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	for k, v := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; " +
			"base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox",
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
	} {
		if got := res.header.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
}
