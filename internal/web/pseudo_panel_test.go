package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/locale"
)

// TestPseudoLocaleCoversThePanel walks every state with the explain panel
// on in the pseudo-locale: the panel speaks the page's language (it is
// not marked as another), and every word it shows is wrapped, but for
// the protocol's own text: the POP3 and SMTP lines, paths, parameter
// names and the names of docs/FLOW.md's states, each in <code dir="ltr">
// (or dir="auto" for the user's own name), and the HTTP status with its
// English reason phrase, marked lang="en".
func TestPseudoLocaleCoversThePanel(t *testing.T) {
	h := explainHarness(t)
	lang := locale.Pseudo
	seen := map[string]bool{}
	check := func(name string, res response, wantStatus int, want ...string) {
		t.Helper()
		if res.status != wantStatus {
			t.Fatalf("%s: status %d, want %d:\n%s", name, res.status, wantStatus, res.body)
		}
		d := parseDoc(t, res.body)
		if got := attrOf(d.tag("html")[0], "lang"); got != lang {
			t.Errorf("%s: <html lang=%q>", name, got)
		}
		panels := d.all(func(n *html.Node) bool {
			return (n.Data == "aside" && attrOf(n, "class") == "explain") || (n.Data == "section" && d.tag("h1") != nil && res.status/100 == 3)
		})
		if len(panels) != 1 {
			t.Fatalf("%s: %d panels on the page:\n%s", name, len(panels), res.body)
		}
		panel := panels[0]
		if l := attrOf(panel, "lang"); l != "" {
			t.Errorf("%s: the panel is marked lang=%q", name, l)
		}
		if !strings.Contains(text(panel), "⟦") {
			t.Errorf("%s: nothing of the panel is from the catalog", name)
		}
		// The protocol's text comes out, once checked to be marked.
		var protocol []*html.Node
		for n := range panel.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			switch {
			case n.Data == "code":
				if dir := attrOf(n, "dir"); dir != "ltr" && dir != "auto" {
					t.Errorf("%s: <code>%s</code> is not marked dir=ltr", name, text(n))
				}
				protocol = append(protocol, n)
			case n.Data == "strong" && attrOf(n, "lang") == "en":
				if attrOf(n, "dir") != "ltr" || !strings.HasPrefix(text(n), itoa(res.status)+" ") {
					t.Errorf("%s: the status %q is not the response's, marked ltr", name, text(n))
				}
				protocol = append(protocol, n)
			}
		}
		// Each goes, and the text around it joins up again, so that a
		// sentence wrapped around it reads as one.
		var lines []string
		for _, n := range protocol {
			lines = append(lines, text(n))
			parent := n.Parent
			parent.RemoveChild(n)
			if parent.Data == "strong" && parent.FirstChild == nil {
				parent.Parent.RemoveChild(parent) // <strong><code>View</code></strong>
			}
		}
		joinText(panel)
		all := strings.Join(lines, "\n")
		for _, w := range want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: no protocol line %q in the panel:\n%s", name, w, all)
			}
		}
		for _, bad := range unwrapped(d.root, lang) {
			t.Errorf("%s: shows %q outside the catalog", name, bad)
		}
		// Every kind of step shows, once at least; a sentence Go builds
		// for a sentence of the template (a note of the sync check, a
		// parameter's note) is wrapped twice: its own words come from the
		// catalog too.
		for n := range panel.Descendants() {
			if n.Type != html.ElementNode || n.Data != "li" {
				continue
			}
			seen[attrOf(n, "class")] = true
			if s := text(n); (attrOf(n, "class") == "note" || attrOf(n.Parent, "class") == "explain-params" && strings.Contains(s, "⟦(")) && strings.Count(s, "⟦") < 2 {
				t.Errorf("%s: %q is built of words outside the catalog", name, s)
			}
		}
	}

	check("home", h.get("/?lang="+lang), http.StatusOK, "GET /")
	check("login form", h.get("/login?next=list&lang="+lang), http.StatusOK, "next")
	check("wrong password", h.post("/login", url.Values{"user": {teachUser}, "password": {"x"}, "lang": {lang}}), http.StatusUnauthorized, "PASS ••••", "-ERR")
	check("not found", h.get("/nowhere?lang="+lang), http.StatusNotFound)

	res := h.post("/login", url.Values{"user": {teachUser}, "password": {teachPass}, "next": {"list"}, "lang": {lang}})
	check("login", res, http.StatusSeeOther, "USER "+teachUser, "PASS ••••")
	loc, err := url.Parse(res.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	tok := loc.Query().Get("t")
	res = h.get("/list?t=" + url.QueryEscape(tok))
	check("list", res, http.StatusOK, "UIDL 3", "TOP 3 0")
	ld := parseDoc(t, res.body)
	tok = ld.token()
	view := ld.viewLink("Your password is " + teachPass)
	res = h.get(view)
	check("view", res, http.StatusOK, "RETR ")
	vd := parseDoc(t, res.body)
	check("search", h.get("/search?t="+url.QueryEscape(tok)+"&q=lunch"), http.StatusOK, "TOP 3 0")
	check("source", h.get(vd.link("⟦View source⟧")), http.StatusOK, "RETR ")
	res = h.get(vd.link("⟦Reply⟧"))
	check("reply", res, http.StatusOK, "mode")
	ctok := parseDoc(t, res.body).token()
	res = h.postMultipart("/send", url.Values{"t": {ctok}, "to": {"bob@example.org"}, "subject": {"Hi"}, "body": {"Hello"}})
	check("send", res, http.StatusSeeOther, "MAIL FROM:<dora@example.org>", "RCPT TO:<bob@example.org>", "DATA")
	check("sent", h.get(res.header.Get("Location")), http.StatusOK)
	m := refOf(t, view)
	res = h.post("/delete", url.Values{"t": {tok}, "m": {m}, "page": {"1"}})
	check("confirm", res, http.StatusOK, "POST /delete")
	dtok := parseDoc(t, res.body).token()
	check("delete", h.post("/delete", url.Values{"t": {dtok}, "m": {m}, "page": {"1"}, "confirm": {"1"}}), http.StatusOK, "DELE ")
	check("gone", h.get(view), http.StatusGone, "UIDL")
	check("tampered", h.get("/list?lang="+lang+"&t="+url.QueryEscape(tok[:len(tok)-4]+"AAAA")), http.StatusUnauthorized)
	h.advance(31 * 60e9)
	check("expired", h.get("/list?lang="+lang+"&t="+url.QueryEscape(dtok)), http.StatusUnauthorized)
	check("logout", h.get("/logout?lang="+lang), http.StatusOK)
	for _, cls := range []string{"write", "reply", "note"} {
		if !seen[cls] {
			t.Errorf("no panel showed a step of kind %q", cls)
		}
	}
}

// joinText merges the adjacent text nodes under n.
func joinText(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		for c.Type == html.TextNode && c.NextSibling != nil && c.NextSibling.Type == html.TextNode {
			next := c.NextSibling
			c.Data += next.Data
			n.RemoveChild(next)
		}
		joinText(c)
	}
}
