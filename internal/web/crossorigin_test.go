package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// A browser posting from another site's page is refused before anything
// is done: no login (login CSRF), no draft offered back (draft injection).
// The same form from the site's own page, or from a client that sends no
// browser headers, goes through.
func TestCrossOriginPostsAreRefused(t *testing.T) {
	h := newHarness(t)
	login := url.Values{"user": {aliceUser}, "password": {alicePass}, "next": {"list"}}
	draft := url.Values{"to": {"attacker@evil.test"}, "body": {"INJECTED DRAFT"}, "t": {""}}
	tests := []struct {
		name       string
		path       string
		form       url.Values
		headers    map[string]string
		wantStatus int
	}{
		{"login from another site", pathLogin, login, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"login from another origin", pathLogin, login, map[string]string{"Origin": "https://evil.test"}, 403},
		{"draft from another site", pathSend, draft, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"delete from another site", pathDelete, url.Values{"m": {"1.u1"}}, map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"login from our own page", pathLogin, login, map[string]string{"Sec-Fetch-Site": "same-origin"}, 303},
		{"login typed in by a client without browser headers", pathLogin, login, nil, 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", h.srv.URL+tt.path, strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			res := h.do(req)
			if res.status != tt.wantStatus {
				t.Fatalf("status: got %d, want %d", res.status, tt.wantStatus)
			}
			if tt.wantStatus != 403 {
				return
			}
			d := parseDoc(t, res.body)
			if got := d.alert(); !strings.Contains(got, "sent from a page of another site") {
				t.Errorf("alert: got %q", got)
			}
			if strings.Contains(res.body, "INJECTED DRAFT") || strings.Contains(res.body, "attacker@evil.test") {
				t.Error("the refusal offers the other site's draft")
			}
			if loc := res.header.Get("Location"); loc != "" {
				t.Errorf("a refused login redirects to %q", loc)
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q", got)
			}
		})
	}
}

// Behind a proxy that does not pass the Host the browser sent, the site's
// public origin can be named: a form from it goes through, one from any
// other origin is still refused.
func TestTrustedOriginsAreTheSitesOwn(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.TrustedOrigins = []string{"https://mail.example:8443"} }))
	login := url.Values{"user": {aliceUser}, "password": {alicePass}}
	tests := []struct {
		origin     string
		wantStatus int
	}{
		{"https://mail.example:8443", http.StatusSeeOther},
		{"https://mail.example", http.StatusForbidden},
		{"http://mail.example:8443", http.StatusForbidden},
		{"https://evil.example", http.StatusForbidden},
	}
	for _, tt := range tests {
		req, err := http.NewRequest("POST", h.srv.URL+pathLogin, strings.NewReader(login.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", tt.origin)
		if res := h.do(req); res.status != tt.wantStatus {
			t.Errorf("Origin %s: status %d, want %d", tt.origin, res.status, tt.wantStatus)
		}
	}
}

func TestTrustedOriginsMustBeOrigins(t *testing.T) {
	for _, bad := range []string{"mail.example", "https://mail.example/mail", "https://"} {
		cfg := Config{POP: &mailtools.POP{}, SMTP: &mailtools.SMTP{}, Sealer: &seal.Sealer{}, TrustedOrigins: []string{bad}}
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "TrustedOrigins") {
			t.Errorf("TrustedOrigins %q: got %v, want an error naming TrustedOrigins", bad, err)
		}
	}
}
