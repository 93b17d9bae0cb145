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
