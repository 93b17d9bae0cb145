package web

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// LoginLimit is how many failed logins a client address, or a user name,
// may have: Burst at once, then one more every Every. Failures past it
// are refused without asking the mail server, so a guesser cannot make
// the POP server ban the webmail's own address.
type LoginLimit struct {
	Burst int
	Every time.Duration
}

// Default login limits.
var (
	DefaultAddrLimit = LoginLimit{Burst: 20, Every: 30 * time.Second}
	DefaultUserLimit = LoginLimit{Burst: 10, Every: time.Minute}
)

// maxThrottled bounds the keys one throttle remembers; when full, those
// whose buckets are full again are forgotten first, then the oldest.
const maxThrottled = 100_000

// throttle is a token bucket per key, in memory: a failed login takes a
// token, time puts them back. Under CGI each request is a new process,
// so the web server in front has to limit instead (see the README).
type throttle struct {
	limit LoginLimit
	now   func() time.Time
	mu    sync.Mutex
	keys  map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

func newThrottle(l LoginLimit, now func() time.Time) *throttle {
	return &throttle{limit: l, now: now, keys: map[string]*bucket{}}
}

// wait says how long key must wait before another try; 0 means now.
func (t *throttle) wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.refill(key)
	if b == nil || b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(t.limit.Every))
}

// failed takes a token from key's bucket.
func (t *throttle) failed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.refill(key)
	if b == nil {
		if len(t.keys) >= maxThrottled {
			t.evict()
		}
		b = &bucket{tokens: float64(t.limit.Burst), at: t.now()}
		t.keys[key] = b
	}
	b.tokens = max(b.tokens-1, 0)
}

// refill brings key's bucket up to date; a full one is forgotten.
func (t *throttle) refill(key string) *bucket {
	b := t.keys[key]
	if b == nil {
		return nil
	}
	now := t.now()
	b.tokens = math.Min(float64(t.limit.Burst), b.tokens+float64(now.Sub(b.at))/float64(t.limit.Every))
	b.at = now
	if b.tokens >= float64(t.limit.Burst) {
		delete(t.keys, key)
		return nil
	}
	return b
}

// evict forgets the buckets that are full again, or else the oldest.
func (t *throttle) evict() {
	var oldest string
	var at time.Time
	for k := range t.keys {
		if t.refill(k) == nil {
			continue
		}
		if b := t.keys[k]; oldest == "" || b.at.Before(at) {
			oldest, at = k, b.at
		}
	}
	if len(t.keys) >= maxThrottled {
		delete(t.keys, oldest)
	}
}

// clientAddr is the address a request comes from: the peer, or, when the
// peer is a trusted proxy, the last address in X-Forwarded-For that is
// not one.
func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops); isTrusted(addr, trusted) && i > 0; i-- {
		next, err := netip.ParseAddr(strings.TrimSpace(hops[i-1]))
		if err != nil {
			break
		}
		addr = next
	}
	return addr.Unmap().String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}
