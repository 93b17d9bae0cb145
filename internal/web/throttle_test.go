package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
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

func TestNetKey(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		if got := netKey(tt.addr); got != tt.want {
			t.Errorf("netKey(%q): got %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// postFrom posts a login as if through the trusted proxy on loopback
// from the client at addr.
func postFrom(h *harness, addr string, form url.Values) response {
	h.t.Helper()
	req, err := http.NewRequest("POST", h.srv.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	return h.do(req)
}

// behindProxy trusts the loopback peer's X-Forwarded-For and adds the
// user demo.
func behindProxy() []harnessOption {
	return []harnessOption{
		webOption(func(c *Config) { c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }),
		mailOption(func(c *devmail.Config) { c.Users["demo"] = "demo-right-pw" }),
	}
}

// Failed logins from other networks do not lock a user out: 11 wrong
// passwords for demo from 198.51.100.0/24, then one a minute, and the
// right password from 192.0.2.77 still logs in, each time.
func TestLoginNotLockedOutFromAnotherNetwork(t *testing.T) {
	h := newHarness(t, behindProxy()...)
	wrong := url.Values{"user": {"demo"}, "password": {"guess"}}
	right := url.Values{"user": {"demo"}, "password": {"demo-right-pw"}}
	for i := 1; i <= 11; i++ {
		if res := postFrom(h, fmt.Sprintf("198.51.100.%d", i), wrong); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i, res.status)
		}
	}
	if res := postFrom(h, "192.0.2.77", right); res.status != http.StatusSeeOther {
		t.Fatalf("right password from 192.0.2.77 after 11 failures elsewhere: status %d, want 303", res.status)
	}
	for i := range 10 {
		h.advance(time.Minute)
		postFrom(h, "198.51.100.200", wrong)
		if res := postFrom(h, "192.0.2.77", right); res.status != http.StatusSeeOther {
			t.Fatalf("minute %d of one wrong try a minute: right password got %d, want 303", i+1, res.status)
		}
	}
}

// One network is still limited: for one user (IPv4 by address, IPv6 by
// /64), and for all users together.
func TestLoginThrottlesOneNetwork(t *testing.T) {
	tests := []struct {
		name  string
		addrs func(i int) string
		user  func(i int) string
		tries int
		limit int // tries before the first 429
	}{
		{"40 users from 40 addresses in one IPv6 /64",
			func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) },
			func(i int) string { return fmt.Sprintf("guess%d", i) }, 40, DefaultAddrLimit.Burst},
		{"one user from 20 addresses in one IPv6 /64",
			func(i int) string { return fmt.Sprintf("2001:db8:1:2:%x::1", i+1) },
			func(int) string { return "demo" }, 20, DefaultUserLimit.Burst},
		{"one user from one IPv4 address",
			func(int) string { return "198.51.100.7" },
			func(int) string { return "demo" }, 20, DefaultUserLimit.Burst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, behindProxy()...)
			for i := range tt.tries {
				want := http.StatusUnauthorized
				if i >= tt.limit {
					want = http.StatusTooManyRequests
				}
				before := h.mail.POPLogins()
				res := postFrom(h, tt.addrs(i), url.Values{"user": {tt.user(i)}, "password": {"guess"}})
				if res.status != want {
					t.Fatalf("try %d from %s: status %d, want %d", i+1, tt.addrs(i), res.status, want)
				}
				if asked := h.mail.POPLogins() - before; want == http.StatusTooManyRequests && asked != 0 {
					t.Fatalf("try %d: a throttled login asked the mail server", i+1)
				}
			}
			if res := postFrom(h, "2001:db8:1:3::1", url.Values{"user": {"demo"}, "password": {"demo-right-pw"}}); res.status != http.StatusSeeOther {
				t.Errorf("right password from another /64: status %d, want 303", res.status)
			}
		})
	}
}

// The per-user ceiling bounds guessing from many networks: once used
// up, a network that failed for the user is refused, even with the right
// password; a network that has not failed is still tried.
func TestLoginUserCeiling(t *testing.T) {
	opts := append(behindProxy(), webOption(func(c *Config) { c.UserTotalLimit = LoginLimit{Burst: 5, Every: time.Minute} }))
	h := newHarness(t, opts...)
	wrong := url.Values{"user": {"demo"}, "password": {"guess"}}
	right := url.Values{"user": {"demo"}, "password": {"demo-right-pw"}}
	for i := 1; i <= 5; i++ {
		if res := postFrom(h, fmt.Sprintf("198.51.100.%d", i), wrong); res.status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i, res.status)
		}
	}
	res := postFrom(h, "198.51.100.1", right)
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("right password from a network that failed, ceiling used up: status %d, want 429", res.status)
	}
	if got := res.header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After: got %q, want 60", got)
	}
	if res := postFrom(h, "198.51.100.6", wrong); res.status != http.StatusUnauthorized {
		t.Fatalf("wrong password from a fresh network, ceiling used up: status %d, want 401", res.status)
	}
	if res := postFrom(h, "198.51.100.6", wrong); res.status != http.StatusTooManyRequests {
		t.Fatalf("again from that network: status %d, want 429", res.status)
	}
	if res := postFrom(h, "192.0.2.77", right); res.status != http.StatusSeeOther {
		t.Fatalf("right password from a fresh network, ceiling used up: status %d, want 303", res.status)
	}
	h.advance(time.Minute)
	if res := postFrom(h, "198.51.100.1", right); res.status != http.StatusSeeOther {
		t.Fatalf("a minute later: status %d, want 303", res.status)
	}
}
