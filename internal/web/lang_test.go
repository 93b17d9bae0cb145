package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/locale"
)

// TestLanguageTravels: the browser's Accept-Language picks the login
// page's language; a ?lang= link of the login page overrides it and the
// login form carries it; after login the token carries it, whatever the
// browser says.
func TestLanguageTravels(t *testing.T) {
	h := newHarness(t)
	get := func(path, accept string) *doc {
		t.Helper()
		req, err := http.NewRequest("GET", h.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		return parseDoc(t, h.do(req).body)
	}
	htmlLang := func(d *doc) string { return attrOf(d.tag("html")[0], "lang") }

	req, err := http.NewRequest("GET", h.srv.URL+"/login", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "de-AT")
	if res := h.do(req); res.header.Get("Content-Language") != "de" || res.header.Get("Vary") != "Accept-Language" {
		t.Errorf("login, Accept-Language de-AT: Content-Language %q, Vary %q", res.header.Get("Content-Language"), res.header.Get("Vary"))
	}
	login := get("/login", "de-AT,de;q=0.9,en;q=0.5")
	if got := htmlLang(login); got != "de" {
		t.Errorf("login, Accept-Language de-AT: <html lang=%q>", got)
	}
	if got := login.title(); !strings.HasPrefix(got, "Anmelden") {
		t.Errorf("login, Accept-Language de-AT: title %q", got)
	}
	if got := htmlLang(get("/login", "tlh")); got != "en" {
		t.Errorf("login, Accept-Language tlh: <html lang=%q>", got)
	}

	// Each offered language is a link, in its own name, to the login form in it.
	links := map[string]string{}
	for _, a := range login.all(func(n *html.Node) bool { return n.Data == "a" && attrOf(n, "hreflang") != "" }) {
		links[attrOf(a, "hreflang")] = attrOf(a, "href")
		if attrOf(a, "lang") != attrOf(a, "hreflang") {
			t.Errorf("the link to %s is not marked lang=%s", attrOf(a, "hreflang"), attrOf(a, "hreflang"))
		}
	}
	set := testLocales(t)
	for _, l := range set.Offered() {
		if l.Code == "de" {
			continue // the page's own language is not a link
		}
		href, ok := links[l.Code]
		if !ok {
			t.Errorf("the login page has no link to %s (%s)", l.Code, l.Name)
			continue
		}
		d := get(href, "de")
		if got := htmlLang(d); got != l.Code {
			t.Errorf("%s: <html lang=%q>", href, got)
		}
		wantDir := "ltr"
		if l.RTL {
			wantDir = "rtl"
		}
		if got := attrOf(d.tag("html")[0], "dir"); got != wantDir {
			t.Errorf("%s: <html dir=%q>, want %q", href, got, wantDir)
		}
		if got := d.field("lang"); got != l.Code {
			t.Errorf("%s: the login form carries lang=%q", href, got)
		}
		if nav := d.link("gomailcgi"); !strings.Contains(nav, "lang="+url.QueryEscape(l.Code)) {
			t.Errorf("%s: the link home %q loses the language", href, nav)
		}
	}

	// The login form's lang goes into the token: later pages need no lang.
	res := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "lang": {"de"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login: status %d", res.status)
	}
	next := res.header.Get("Location")
	if strings.Contains(next, "lang=") {
		t.Errorf("after login the link %q still carries lang", next)
	}
	list := get(next, "en")
	if got := htmlLang(list); got != "de" {
		t.Errorf("list after a German login, Accept-Language en: <html lang=%q>", got)
	}
	if got := list.title(); !strings.HasPrefix(got, "Posteingang") {
		t.Errorf("list title %q", got)
	}
	if !list.hasLink("Verfassen") || !list.hasLink("Abmelden") {
		t.Fatal("the list's navigation is not German")
	}
	// Logging out leaves the token behind; the page saying so is German still.
	if got := htmlLang(get(list.link("Abmelden"), "en")); got != "de" {
		t.Errorf("the logout page after a German login: <html lang=%q>", got)
	}

	// A language that is not offered, asked by link, is the browser's.
	if got := htmlLang(get("/login?lang=xx", "de")); got != "de" {
		t.Errorf("login?lang=xx with Accept-Language de: <html lang=%q>", got)
	}
	// The pseudo-locale can be asked for, but is never offered.
	if _, ok := links[locale.Pseudo]; ok {
		t.Error("the login page offers the pseudo-locale")
	}
}
