package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"gomailcgi/internal/locale"
)

// TestPseudoLocaleCoversEveryPage walks every page state in the
// pseudo-locale, where every text of the catalog is wrapped in ⟦…⟧, and
// fails on any word a page shows outside the wrapping: a word that does
// not come from the catalog. Text from mail (inside <bdi>, or an element
// with dir="auto"), the languages' own names on the login page (marked
// with their lang) and the site's name are exempt.
func TestPseudoLocaleCoversEveryPage(t *testing.T) {
	h := newHarness(t)
	lang := "lang=" + locale.Pseudo
	check := func(name string, res response, wantStatus int) {
		t.Helper()
		if res.status != wantStatus {
			t.Errorf("%s: status %d, want %d", name, res.status, wantStatus)
		}
		d := parseDoc(t, res.body)
		if got := attrOf(d.tag("html")[0], "lang"); got != locale.Pseudo {
			t.Errorf("%s: <html lang=%q>", name, got)
		}
		for _, bad := range unwrapped(d.root, locale.Pseudo) {
			t.Errorf("%s: shows %q outside the catalog", name, bad)
		}
	}

	// Before login: the language travels in the links.
	check("home", h.get("/?"+lang), http.StatusOK)
	home := parseDoc(t, h.get("/?"+lang).body)
	for _, a := range home.tag("a") {
		if href := attrOf(a, "href"); strings.Contains(href, "/login") && !strings.Contains(href, lang) {
			t.Errorf("home: the login link %q does not carry the language", href)
		}
	}
	check("login", h.get("/login?"+lang), http.StatusOK)
	check("login to send", h.get("/login?next=compose&"+lang), http.StatusOK)
	check("login refused", h.post("/login", url.Values{"user": {aliceUser}, "password": {"wrong"}, "lang": {locale.Pseudo}}), http.StatusUnauthorized)
	check("login empty", h.post("/login", url.Values{"lang": {locale.Pseudo}}), http.StatusBadRequest)
	check("logout", h.get("/logout?"+lang), http.StatusOK)
	check("not found", h.get("/nowhere?"+lang), http.StatusNotFound)
	check("token bad", h.get("/list?t=bogus&"+lang), http.StatusUnauthorized)

	// The login carries the language into the token: no lang from here on.
	res := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "lang": {locale.Pseudo}})
	loc, err := url.Parse(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || err != nil {
		t.Fatalf("login: %d %v", res.status, err)
	}
	tok := url.QueryEscape(loc.Query().Get("t"))
	list := h.get("/list?t=" + tok)
	check("list", list, http.StatusOK)
	check("list, all ticked", h.get("/list?all=1&t="+tok), http.StatusOK)
	check("list, draft saved", h.get("/list?saved=draft&t="+tok), http.StatusOK)
	check("list, bad page", h.get("/list?page=x&t="+tok), http.StatusBadRequest)
	ld := parseDoc(t, list.body)
	var refs []string
	for _, in := range ld.inputs("m") {
		refs = append(refs, attrOf(in, "value"))
	}
	if len(refs) < 10 {
		t.Fatalf("the list shows %d messages", len(refs))
	}
	for _, ref := range refs {
		q := "?t=" + tok + "&page=1&m=" + url.QueryEscape(ref)
		check("view "+ref, h.get("/view"+q), http.StatusOK)
		check("view plain "+ref, h.get("/view"+q+"&fmt=plain"), http.StatusOK)
		check("view remote "+ref, h.get("/view"+q+"&remote=1"), http.StatusOK)
		check("reply "+ref, h.get("/compose"+q+"&mode=reply"), http.StatusOK)
		check("forward "+ref, h.get("/compose"+q+"&mode=forward"), http.StatusOK)
	}
	// An HTML body on a page of its own is in the message's language; the
	// link back above it is in the reader's.
	ownPages, placeholders := 0, 0
	for _, ref := range refs {
		view := parseDoc(t, h.get("/view?t="+tok+"&page=1&m="+url.QueryEscape(ref)).body)
		// What stands in for an image a body does not show is the
		// reader's word, in the frame too.
		for _, frame := range view.tag("iframe") {
			body := parseDoc(t, h.get(attrOf(frame, "src")).body)
			for _, span := range body.all(func(n *html.Node) bool {
				return n.Data == "span" && (attrOf(n, "class") == "remote-blocked" || attrOf(n, "class") == "image-missing")
			}) {
				placeholders++
				if s := outside(text(span)); s != "" {
					t.Errorf("body of %s: the image placeholder shows %q outside the catalog", ref, s)
				}
			}
		}
		for _, a := range view.tag("a") {
			if !strings.Contains(attrOf(a, "href"), "own=1") {
				continue
			}
			ownPages++
			own := parseDoc(t, h.get(attrOf(a, "href")).body)
			navs := own.tag("nav")
			if len(navs) != 1 || attrOf(navs[0], "lang") != locale.Pseudo {
				t.Errorf("body page of %s: no link back in the reader's language", ref)
				continue
			}
			for _, bad := range unwrapped(navs[0], locale.Pseudo) {
				t.Errorf("body page of %s: shows %q outside the catalog", ref, bad)
			}
		}
	}
	if ownPages == 0 || placeholders == 0 {
		t.Errorf("%d HTML bodies on a page of their own, %d image placeholders: the walk misses them", ownPages, placeholders)
	}
	q := "?t=" + tok + "&page=1&m=" + url.QueryEscape(refs[0])
	check("source", h.get("/raw"+q), http.StatusOK)
	check("reply all", h.get("/compose"+q+"&mode=replyall"), http.StatusOK)
	check("not a draft", h.get("/compose"+q+"&mode=draft"), http.StatusBadRequest)
	check("bad ref", h.get("/view?t="+tok+"&m=zz"), http.StatusBadRequest)
	check("compose", h.get("/compose?t="+tok), http.StatusOK)

	tokRaw := loc.Query().Get("t")
	check("send, bad address", h.postMultipart("/send", url.Values{"t": {tokRaw}, "to": {"a@@b, <"}, "subject": {"x"}, "body": {"y"}}), http.StatusUnprocessableEntity)
	check("send, nobody", h.postMultipart("/send", url.Values{"t": {tokRaw}, "subject": {"x"}, "body": {"y"}}), http.StatusUnprocessableEntity)
	sent := h.postMultipart("/send", url.Values{"t": {tokRaw}, "to": {"bob@example.org"}, "subject": {"Hello"}, "body": {"Hi"}, "copy": {"1"}})
	if sent.status != http.StatusSeeOther {
		t.Fatalf("send: status %d", sent.status)
	}
	check("sent", h.get(sent.header.Get("Location")), http.StatusOK)
	// A login that ran out while writing: the form's language comes back.
	compose := parseDoc(t, h.get("/compose?t="+tok).body)
	if got := compose.field("lang"); got != locale.Pseudo {
		t.Errorf("the compose form carries lang=%q", got)
	}
	check("send, expired", h.postMultipart("/send", url.Values{"t": {h.expiredToken()}, "lang": {locale.Pseudo}, "to": {"bob@example.org"}, "subject": {"Kept"}, "body": {"text"}}), http.StatusUnauthorized)

	check("delete one, asked", h.post("/delete", url.Values{"t": {tokRaw}, "m": {refs[0]}, "page": {"1"}}), http.StatusOK)
	check("delete two, asked", h.post("/delete", url.Values{"t": {tokRaw}, "m": refs[:2], "page": {"1"}}), http.StatusOK)
	check("delete none", h.post("/delete", url.Values{"t": {tokRaw}, "page": {"1"}}), http.StatusBadRequest)
	check("deleted", h.post("/delete", url.Values{"t": {tokRaw}, "m": {refs[0]}, "page": {"1"}, "confirm": {"1"}}), http.StatusOK)
	check("deleted, gone", h.post("/delete", url.Values{"t": {tokRaw}, "m": {refs[0]}, "page": {"1"}, "confirm": {"1"}}), http.StatusGone)
	check("view, gone", h.get("/view"+q), http.StatusGone)
}

// unwrapped is every text of the page outside the pseudo-locale's ⟦…⟧,
// in text and in the attributes people read, leaving out text from mail,
// text in another language, and what holds no word.
func unwrapped(root *html.Node, lang string) []string {
	var bad []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "bdi", n.Data == "title", n.Data == "textarea", n.Data == "iframe",
				attrOf(n, "dir") == "auto",
				attrOf(n, "lang") != "" && attrOf(n, "lang") != lang:
				return
			}
			for _, a := range []string{"aria-label", "title", "alt", "placeholder"} {
				v := attrOf(n, a)
				if a == "title" && strings.Contains(attrOf(n, "class"), "from") {
					continue // the sender's full address, from mail
				}
				if s := outside(v); s != "" {
					bad = append(bad, a+"="+s)
				}
			}
		}
		if n.Type == html.TextNode {
			if s := outside(n.Data); s != "" {
				bad = append(bad, s)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return bad
}

// outside is what of s lies outside every ⟦…⟧ and holds a letter or a
// digit, but for the site's name; "" when nothing does.
func outside(s string) string {
	var out strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '⟦':
			depth++
		case r == '⟧' && depth > 0:
			depth--
		case depth == 0:
			out.WriteRune(r)
		}
	}
	rest := strings.ReplaceAll(out.String(), "gomailcgi", "")
	if strings.ContainsFunc(rest, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return strings.TrimSpace(rest)
	}
	return ""
}
