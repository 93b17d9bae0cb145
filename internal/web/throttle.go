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

// LoginLimit is how many failed logins a client network, or a user name,
// may have: Burst at once, then one more every Every. Failures past it
// are refused without asking the mail server, so a guesser cannot make
// the POP server ban the webmail's own address.
type LoginLimit struct {
	Burst int
	Every time.Duration
}

// Default login limits: per client network (all users), per user from
// one network, and per user from all networks together.
var (
	DefaultAddrLimit      = LoginLimit{Burst: 20, Every: 30 * time.Second}
	DefaultUserLimit      = LoginLimit{Burst: 10, Every: time.Minute}
	DefaultUserTotalLimit = LoginLimit{Burst: 100, Every: time.Minute}
)

// loginThrottle counts failed logins three ways. A client network is an
// IPv4 address or an IPv6 /64 (netKey). A user's failures count per
// network, so guesses from one network cannot lock the user out of
// another. The per-user ceiling across all networks bounds guessing from
// many networks; once it is used up it refuses only the networks that
// have failed for that user within the time the ceiling takes to refill,
// so the user's own network, which has not failed, still logs in.
type loginThrottle struct {
	addr       *throttle // per network, all users
	userNet    *throttle // per user and network
	user       *throttle // per user, all networks
	failedFrom *throttle // per user and network: failed within the ceiling's refill time
}

func newLoginThrottle(addr, user, total LoginLimit, now func() time.Time) *loginThrottle {
	return &loginThrottle{
		addr:       newThrottle(addr, now),
		userNet:    newThrottle(user, now),
		user:       newThrottle(total, now),
		failedFrom: newThrottle(LoginLimit{Burst: 1, Every: time.Duration(total.Burst) * total.Every}, now),
	}
}

// wait says how long a login of user from network must wait; 0 means now.
func (l *loginThrottle) wait(user, network string) time.Duration {
	pair := user + " " + network
	w := max(l.addr.wait(network), l.userNet.wait(pair))
	if ceiling := l.user.wait(user); ceiling > 0 {
		if failed := l.failedFrom.wait(pair); failed > 0 {
			w = max(w, min(ceiling, failed))
		}
	}
	return w
}

// failed counts a wrong password of user from network.
func (l *loginThrottle) failed(user, network string) {
	pair := user + " " + network
	l.addr.failed(network)
	l.userNet.failed(pair)
	l.user.failed(user)
	l.failedFrom.failed(pair)
}

// netKey is the network a client address counts as: an IPv4 address on
// its own, an IPv6 address by its /64, the smallest network a subscriber
// is given, so that one subscriber's many addresses count once.
func netKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

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
