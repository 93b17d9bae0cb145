package web

import (
	"net/http"
	"net/http/httptest"
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
	// A search steps through five messages at a time, so its results
	// offer the older ones.
	h := newHarness(t, webOption(func(c *Config) { c.SearchMessages = 5 }))
	lang := "lang=" + locale.Pseudo
	check := pseudoCheck(t)

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

	// The search: the form, results streamed with a way on to older
	// messages, a message opened from them, none found, and its refusals.
	check("search form", h.get("/search?t="+tok+"&q="), http.StatusOK)
	found := h.get("/search?t=" + tok + "&after=2000-01-01")
	check("search results", found, http.StatusOK)
	fd := parseDoc(t, found.body)
	if len(fd.subjects()) == 0 || !fd.hasLink("⟦Search older messages⟧") {
		t.Errorf("search results: %d rows and no link to older messages; the walk misses them", len(fd.subjects()))
	} else {
		check("search older", h.get(fd.link("⟦Search older messages⟧")), http.StatusOK)
	}
	for _, a := range fd.tag("a") {
		if href := attrOf(a, "href"); strings.Contains(href, "/view?") {
			view := h.get(href)
			check("view from the results", view, http.StatusOK)
			if !parseDoc(t, view.body).hasLink("⟦‹ Back to the results⟧") {
				t.Error("view from the results: no link back to the results")
			}
			break
		}
	}
	check("search, none found", h.get("/search?t="+tok+"&q=nowhere-to-be-found&in=subject"), http.StatusOK)
	check("search, too many words", h.get("/search?t="+tok+"&q="+url.QueryEscape(strings.Repeat("word ", 11))), http.StatusBadRequest)
	check("search, unknown field", h.get("/search?t="+tok+"&q=x&in=body"), http.StatusBadRequest)
	check("search, bad date", h.get("/search?t="+tok+"&after=31.03.2026"), http.StatusBadRequest)
	check("search, cursor gone", h.get("/search?t="+tok+"&after=2000-01-01&older="+url.QueryEscape(refs[0])), http.StatusConflict)
}

// TestPseudoLocaleCoversServerChoice walks the login of a site of two
// mail servers in the pseudo-locale: the address asked for, the choice of
// server, a forged one, and the header naming the server logged in to.
func TestPseudoLocaleCoversServerChoice(t *testing.T) {
	ts := newTwoServers(t)
	check := pseudoCheck(t)
	login := ts.get("/login?lang=" + locale.Pseudo)
	check("login of two servers", login, http.StatusOK)
	if d := parseDoc(t, login.body); !strings.Contains(text(d.all(func(n *html.Node) bool {
		return n.Data == "label" && attrOf(n, "for") == "user"
	})[0]), "⟦") {
		t.Error("login of two servers: the user field's label is not from the catalog")
	}
	choice := ts.post("/login", url.Values{"user": {"alice@example.com"}, "password": {workPass}, "lang": {locale.Pseudo}})
	check("choose a server", choice, http.StatusOK)
	if d := parseDoc(t, choice.body); len(d.tag("option")) != 3 {
		t.Errorf("choose a server: %d options, want a prompt and two servers", len(d.tag("option")))
	}
	check("forged server", ts.post("/login", url.Values{"user": {"alice@example.org"}, "password": {alicePass},
		"server": {"evil"}, "lang": {locale.Pseudo}}), http.StatusBadRequest)
	res := ts.post("/login", url.Values{"user": {"alice@example.com"}, "password": {workPass}, "server": {"work"}, "lang": {locale.Pseudo}})
	loc, err := url.Parse(res.header.Get("Location"))
	if res.status != http.StatusSeeOther || err != nil {
		t.Fatalf("login with a server chosen: %d %v", res.status, err)
	}
	list := ts.get("/list?t=" + url.QueryEscape(loc.Query().Get("t")))
	check("list on a server of two", list, http.StatusOK)
	header := parseDoc(t, list.body).all(func(n *html.Node) bool { return n.Data == "p" && attrOf(n, "class") == "user" })
	if len(header) != 1 || !strings.Contains(text(header[0]), "Work") {
		t.Errorf("list on a server of two: the header %v does not name the server", header)
	}
}

// TestPseudoLocaleCoversOutsideBase: the page for an address outside
// the base path speaks the catalog's words, the base path among them.
func TestPseudoLocaleCoversOutsideBase(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.BasePath = "/mail" }))
	pseudoCheck(t)("outside the base path", h.get("/elsewhere?lang="+locale.Pseudo), http.StatusNotFound)
}

// TestPseudoLocaleCoversEveryProblem renders every row of the error
// table, and the refusal of a second search, for a login in the
// pseudo-locale.
func TestPseudoLocaleCoversEveryProblem(t *testing.T) {
	s, english := tableServer(t)
	pseudo, _ := s.locales.Lookup(locale.Pseudo)
	login, err := s.login(english.srv, aliceUser, alicePass, "Alice", pseudo)
	if err != nil {
		t.Fatal(err)
	}
	check := pseudoCheck(t)
	failWith := func(err error) response {
		rec := httptest.NewRecorder()
		s.fail(rec, httptest.NewRequest("GET", "/view?t="+url.QueryEscape(login.token), nil), err)
		return response{status: rec.Code, body: rec.Body.String()}
	}
	for key, p := range problems {
		err := errorOfKind[key.kind]
		if key.act != actPage {
			draft := &composeForm{Token: login.token, To: "ann@example.org", Subject: "Kept", Body: "typed text", HadFiles: true}
			err = &actionError{act: key.act, err: err, login: login, page: 1, form: &loginFields{User: "bob"}, draft: draft}
		}
		status, _, _ := p.answer(err, key.act, &s.cfg, login.loc)
		check(kindNames[key.kind]+" while "+actionNames[key.act], failWith(err), status)
	}
	check("a second search", failWith(errSearchBusy), http.StatusTooManyRequests)
}

// pseudoCheck returns a check that a page has the status wanted, is in
// the pseudo-locale and shows no word outside its catalog.
func pseudoCheck(t *testing.T) func(name string, res response, wantStatus int) {
	return func(name string, res response, wantStatus int) {
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
}

// datePattern is the pattern of the search form's date fields.
const datePattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

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
				if a == "placeholder" && attrOf(n, "pattern") == datePattern {
					continue // an example date, year-month-day in every language
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
