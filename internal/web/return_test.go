package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// After a login runs out, logging in again leads to the page the user
// asked for, with a fresh token; a return path that is not one of the
// site's own pages leads to the inbox instead.
func TestLoginReturnsToThePageAsked(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	view := list.viewLink("Paragraphs that flow")
	h.advance(2 * time.Hour) // past the idle limit
	res := h.get(view)
	if res.status != http.StatusUnauthorized {
		t.Fatalf("status %d, want 401", res.status)
	}
	relogin := parseDoc(t, res.body)
	ret := relogin.field("return")
	if !strings.HasPrefix(ret, "/view?") || strings.Contains(ret, "t=") {
		t.Fatalf("return field %q: want the view's path without its token", ret)
	}
	form := formValues(t, relogin, "/login", url.Values{"user": {aliceUser}, "password": {alicePass}})
	res = h.post("/login", form)
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/view?") || refOf(t, loc) != refOf(t, view) {
		t.Fatalf("login: %d to %q, want the view of %s", res.status, loc, refOf(t, view))
	}
	if got := headerValues(parseDoc(t, h.get(loc).body))["Subject"]; got != "Paragraphs that flow" {
		t.Errorf("the page returned to shows %q", got)
	}
	for _, bad := range []string{"https://evil.example/view?m=1", "//evil.example/view", "/static/style.css", "/login?x=1", "/view\\\\evil"} {
		res := h.post("/login", url.Values{"user": {aliceUser}, "password": {alicePass}, "return": {bad}})
		if loc := res.header.Get("Location"); !strings.HasPrefix(loc, "/list?") {
			t.Errorf("return %q: led to %q, want the inbox", bad, loc)
		}
	}
}

// A message's page links the messages listed just above and below it.
func TestViewLinksItsNeighbours(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	subjects := list.subjects() // newest first
	view := parseDoc(t, h.get(list.viewLink(subjects[1])).body)
	if got := headerValues(parseDoc(t, h.get(view.link("Newer message")).body))["Subject"]; got != subjects[0] {
		t.Errorf("newer: got %q, want %q", got, subjects[0])
	}
	if got := headerValues(parseDoc(t, h.get(view.link("Older message")).body))["Subject"]; got != subjects[2] {
		t.Errorf("older: got %q, want %q", got, subjects[2])
	}
	newest := parseDoc(t, h.get(list.viewLink(subjects[0])).body)
	if newest.hasLink("Newer message") {
		t.Error("the newest message links a newer one")
	}
}

// A login link cannot turn on how a page shows something: the return
// path keeps where to go (the message, the list page, the compose mode),
// never remote images, ticked boxes or a notice.
func TestLoginReturnKeepsOnlyWhereToGo(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	ref := refOf(t, list.viewLink("Paragraphs that flow"))
	tests := []struct {
		name, ret string
		wantPath  string
		want      url.Values // without t
	}{
		{"remote images", "/view?m=" + url.QueryEscape(ref) + "&remote=1", "/view", url.Values{"m": {ref}}},
		{"remote images, list page and format", "/view?remote=1&page=2&fmt=html&m=" + url.QueryEscape(ref), "/view", url.Values{"m": {ref}, "page": {"2"}}},
		{"every box ticked and a notice", "/list?page=1&all=1&saved=draft", "/list", url.Values{"page": {"1"}}},
		{"reply", "/compose?mode=reply&m=" + url.QueryEscape(ref) + "&remote=1", "/compose", url.Values{"mode": {"reply"}, "m": {ref}}},
		{"a second reference", "/view?m=" + url.QueryEscape(ref) + "&m=9.uX", "/view", url.Values{"m": {ref}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			link := "/login?" + url.Values{"return": {tt.ret}}.Encode()
			form := formValues(t, parseDoc(t, h.get(link).body), "/login", url.Values{"user": {aliceUser}, "password": {alicePass}})
			res := h.post("/login", form)
			loc, err := url.Parse(res.header.Get("Location"))
			if res.status != http.StatusSeeOther || err != nil {
				t.Fatalf("login: %d to %q, want 303", res.status, res.header.Get("Location"))
			}
			q := loc.Query()
			if q.Get("t") == "" {
				t.Errorf("%q carries no token", loc)
			}
			q.Del("t")
			if loc.Path != tt.wantPath || q.Encode() != tt.want.Encode() {
				t.Errorf("led to %s?%s, want %s?%s", loc.Path, q.Encode(), tt.wantPath, tt.want.Encode())
			}
		})
	}
}
