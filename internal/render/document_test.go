package render

import (
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/testing/fixtures"
)

func TestHTMLContentSecurityPolicy(t *testing.T) {
	tests := []struct {
		allowRemote bool
		want        string
	}{
		{false, "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"},
		{true, "default-src 'none'; img-src 'self' data: https: http:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"},
	}
	for _, tc := range tests {
		if got := HTMLContentSecurityPolicy(tc.allowRemote); got != tc.want {
			t.Errorf("allowRemote=%v: got %q, want %q", tc.allowRemote, got, tc.want)
		}
	}
}

func TestHTMLDocument(t *testing.T) {
	v := viewOf(fixtures.Hostile(t, "remote-images.eml"), Options{})
	doc := HTMLDocument("A <subject>", "de-AT", nil, v.HTML)
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var charset, referrer, viewport string
	var bodyText strings.Builder
	walkHTML([]*html.Node{root}, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "meta" {
			if c := attr(n, "charset"); c != "" {
				charset = c
			}
			switch attr(n, "name") {
			case "referrer":
				referrer = attr(n, "content")
			case "viewport": // its own page on a phone
				viewport = attr(n, "content")
			}
		}
		if n.Type == html.TextNode && n.Parent != nil && n.Parent.Data != "style" {
			bodyText.WriteString(n.Data)
		}
	})
	if charset != "utf-8" || referrer != "no-referrer" || viewport != "width=device-width, initial-scale=1" {
		t.Errorf("meta: got charset %q, referrer %q, viewport %q; want utf-8, no-referrer, the device's width", charset, referrer, viewport)
	}
	if !strings.HasPrefix(doc, "<!DOCTYPE html>") {
		t.Errorf("doctype: got %q", doc[:min(len(doc), 20)])
	}
	if !strings.Contains(bodyText.String(), "See the deal") {
		t.Errorf("body text: got %q, want it to contain %q", bodyText.String(), "See the deal")
	}
	if n := len(elements(t, doc, "script")); n != 0 {
		t.Errorf("script elements: got %d, want 0", n)
	}
	if ts := elements(t, doc, "title"); len(ts) != 1 || ts[0].FirstChild == nil || ts[0].FirstChild.Data != "A <subject>" {
		t.Errorf("title: want the subject, escaped")
	}
	var lang string
	walkHTML([]*html.Node{root}, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "html" {
			lang = attr(n, "lang")
		}
	})
	if lang != "de-AT" {
		t.Errorf("html lang: got %q, want de-AT", lang)
	}
	if m := elements(t, doc, "main"); len(m) != 1 {
		t.Errorf("main landmarks: got %d, want 1", len(m))
	} else if d := attr(m[0], "dir"); d != "auto" {
		t.Errorf("main dir=%q: want auto, the mail's own direction", d)
	}
	if d := HTMLDocument("x", `en" onload="x`, nil, ""); !strings.Contains(d, `lang="und"`) {
		t.Errorf("a malformed language gets through: %q", d[:80])
	}
}

func TestHeaderFields(t *testing.T) {
	raw := "From: \"Lee, Ann\" <ann@example.org>\r\n" +
		"To: a@example.com, =?utf-8?q?B=C3=A9a?= <bea@example.com>\r\n" +
		"Cc: undisclosed-recipients:;\r\n" +
		"Reply-To: not an address at all <<<\r\n" +
		"Date: Mon, 2 Mar 2026 09:00:00 +0100 (CET)\r\n" +
		"Message-ID: <id@example.org>\r\n\r\nx"
	h := viewOf([]byte(raw), Options{}).Header
	checks := []struct{ name, got, want string }{
		{"from", h.From[0].String(), "Lee, Ann <ann@example.org>"},
		{"to", h.To[0].String() + " / " + h.To[1].String(), "a@example.com / Béa <bea@example.com>"},
		{"cc", h.Cc[0].String(), "undisclosed-recipients:;"},
		{"reply-to", h.ReplyTo[0].String(), "not an address at all <<<"},
		{"date", h.Date.UTC().Format("2006-01-02 15:04"), "2026-03-02 08:00"},
		{"date raw", h.DateRaw, "Mon, 2 Mar 2026 09:00:00 +0100 (CET)"},
		{"message-id", h.MessageID, "<id@example.org>"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	bad := viewOf([]byte("Date: yesterday-ish\r\n\r\n"), Options{}).Header
	if !bad.Date.IsZero() || bad.DateRaw != "yesterday-ish" {
		t.Errorf("bad date: got %v %q, want zero time and the raw text", bad.Date, bad.DateRaw)
	}
}
