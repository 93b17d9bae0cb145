package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	th := newThrottle(LoginLimit{Burst: 3, Every: time.Minute}, func() time.Time { return now })
	for i := range 3 {
		if w := th.wait("k"); w != 0 {
			t.Fatalf("after %d failures: wait %v, want 0", i, w)
		}
		th.failed("k")
	}
	if w := th.wait("k"); w != time.Minute {
		t.Errorf("after 3 failures: wait %v, want 1m", w)
	}
	if w := th.wait("other"); w != 0 {
		t.Errorf("another key: wait %v, want 0", w)
	}
	now = now.Add(30 * time.Second)
	if w := th.wait("k"); w != 30*time.Second {
		t.Errorf("30 s later: wait %v, want 30s", w)
	}
	now = now.Add(30 * time.Second)
	if w := th.wait("k"); w != 0 {
		t.Errorf("a minute later: wait %v, want 0", w)
	}
	now = now.Add(3 * time.Minute)
	th.wait("k")
	if len(th.keys) != 0 {
		t.Errorf("a full bucket is still remembered: %d keys", len(th.keys))
	}
}

func TestClientAddr(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		trusted           []netip.Prefix
		want              string
	}{
		{"direct", "192.0.2.7:4711", "", trusted, "192.0.2.7"},
		{"forwarded header from an untrusted peer is ignored", "192.0.2.7:4711", "198.51.100.1", trusted, "192.0.2.7"},
		{"through a trusted proxy", "10.0.0.2:4711", "198.51.100.1", trusted, "198.51.100.1"},
		{"spoofed hop before the real one", "10.0.0.2:4711", "203.0.113.9, 198.51.100.1", trusted, "198.51.100.1"},
		{"two trusted proxies", "10.0.0.2:4711", "198.51.100.1, 10.0.0.3", trusted, "198.51.100.1"},
		{"no proxy trusted", "10.0.0.2:4711", "198.51.100.1", nil, "10.0.0.2"},
		{"IPv6", "[2001:db8::1]:4711", "", trusted, "2001:db8::1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/login", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := clientAddr(r, tt.trusted); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// After too many failed logins the next try, even a right one, is
// answered 429 without asking the mail server; later it goes through.
func TestLoginIsThrottled(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.UserLimit = LoginLimit{Burst: 3, Every: time.Minute} }))
	wrong := url.Values{"user": {aliceUser}, "password": {"guess"}}
	for i := range 3 {
		if res := h.post("/login", wrong); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i+1, res.status)
		}
	}
	before := h.mail.POPLogins()
	res := h.post("/login", url.Values{"user": {strings.ToUpper(aliceUser)}, "password": {alicePass}})
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("after 3 failures: status %d, want 429", res.status)
	}
	if res.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After: got %q, want 60", res.header.Get("Retry-After"))
	}
	if a := parseDoc(t, res.body).alert(); !strings.Contains(a, "try again in 1 minute") {
		t.Errorf("alert: got %q", a)
	}
	if got := h.mail.POPLogins(); got != before {
		t.Errorf("the mail server was asked %d more times", got-before)
	}
	h.advance(time.Minute)
	h.loginAs(aliceUser, alicePass, "")
}
