package web

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultProxy stands between the site and a mail server and misbehaves on
// demand. It counts the connections it has open, so a test can see that
// the site closed every one.
type faultProxy struct {
	t      *testing.T
	ln     net.Listener
	target string
	mode   atomic.Value // a faultMode
	open   atomic.Int64
	wg     sync.WaitGroup
}

// faultMode is how the proxy treats the next connections.
type faultMode struct {
	silent  bool   // accept, then say nothing
	garbage string // answer this instead of a greeting, then say nothing
	dropOn  string // pass, until the client sends this; then pass a little more and hang up
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{t: t, ln: ln, target: target}
	p.mode.Store(faultMode{})
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *faultProxy) addr() string       { return p.ln.Addr().String() }
func (p *faultProxy) set(m faultMode)    { p.mode.Store(m) }
func (p *faultProxy) openConns() int64   { return p.open.Load() }
func (p *faultProxy) current() faultMode { return p.mode.Load().(faultMode) }

func (p *faultProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.open.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.open.Add(-1)
			defer c.Close()
			p.handle(c, p.current())
		}()
	}
}

func (p *faultProxy) handle(c net.Conn, m faultMode) {
	if m.silent || m.garbage != "" {
		io.WriteString(c, m.garbage)
		io.Copy(io.Discard, c) // until the site hangs up
		return
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	// Once the trigger is seen, each direction passes at most cut more
	// bytes, then both sides are hung up: mid-answer, or mid-upload.
	const cut = 200
	var triggered atomic.Bool
	pass := func(dst, src net.Conn, watch bool) {
		var seen bytes.Buffer
		left := cut
		buf := make([]byte, 64)
		for {
			n, err := src.Read(buf)
			if triggered.Load() {
				n = min(n, left)
				left -= n
			}
			if n > 0 {
				dst.Write(buf[:n])
			}
			if watch && m.dropOn != "" && !triggered.Load() {
				seen.Write(buf[:n])
				if bytes.Contains(seen.Bytes(), []byte(m.dropOn)) {
					triggered.Store(true)
				}
			}
			if err != nil || (triggered.Load() && left <= 0) {
				c.Close()
				up.Close()
				return
			}
		}
	}
	done := make(chan struct{})
	go func() { defer close(done); pass(c, up, false) }()
	pass(up, c, true)
	<-done
}

// settledGoroutines waits until the goroutine count stops falling and
// returns it.
func settledGoroutines(h *harness) int {
	h.client.CloseIdleConnections()
	n := runtime.NumGoroutine()
	for range 100 {
		time.Sleep(20 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return m
		}
		n = m
	}
	return n
}

// checkNothingLeft fails if the proxy still has a connection open or
// goroutines beyond base are left.
func checkNothingLeft(t *testing.T, h *harness, p *faultProxy, base int) {
	t.Helper()
	h.client.CloseIdleConnections()
	for range 250 {
		if p.openConns() == 0 && runtime.NumGoroutine() <= base {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := p.openConns(); n != 0 {
		t.Errorf("%d connections to the mail server left open", n)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left behind:\n%s", n-base, buf[:runtime.Stack(buf, true)])
	}
}

// A POP server that fails in any way gets a page that says to try again,
// keeps what the user typed, and leaves no connection or goroutine behind.
func TestPOPFaults(t *testing.T) {
	loginTests := []struct {
		name       string
		mode       faultMode
		addr       string // instead of the proxy
		wantStatus int
	}{
		{"refusing", faultMode{}, "closed", http.StatusServiceUnavailable},
		{"unknown host", faultMode{}, "pop.nonexistent.invalid:110", http.StatusServiceUnavailable},
		{"silent", faultMode{silent: true}, "", http.StatusServiceUnavailable},
		{"garbage", faultMode{garbage: "HTTP/1.1 400 Bad Request\r\n\r\n"}, "", http.StatusServiceUnavailable},
	}
	for _, tt := range loginTests {
		t.Run("login/"+tt.name, func(t *testing.T) {
			var p *faultProxy
			h := newHarness(t, webOption(func(c *Config) {
				p = newFaultProxy(t, c.POP.Server.Addr)
				p.set(tt.mode)
				c.POP.Server.Addr = p.addr()
				c.POP.Server.CommandTimeout = 300 * time.Millisecond
				switch tt.addr {
				case "closed":
					c.POP.Server.Addr = closedAddr(t)
				case "":
				default:
					c.POP.Server.Addr = tt.addr
				}
			}))
			h.get("/login")
			base := settledGoroutines(h)
			res := h.post("/login", url.Values{"user": {"alice.typed@example.org"}, "password": {"pw"}})
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.status, tt.wantStatus)
			}
			d := parseDoc(t, res.body)
			if a := d.alert(); !strings.Contains(a, "try again") {
				t.Errorf("alert: got %q", a)
			}
			if got := d.field("user"); got != "alice.typed@example.org" {
				t.Errorf("user name: got %q", got)
			}
			checkNothingLeft(t, h, p, base)
		})
	}
	t.Run("view/dropping mid-RETR", func(t *testing.T) {
		var p *faultProxy
		h := newHarness(t, webOption(func(c *Config) {
			p = newFaultProxy(t, c.POP.Server.Addr)
			c.POP.Server.Addr = p.addr()
		}))
		list, _ := h.list(h.login(), 1)
		link := list.viewLink("Your checklist and a list of pages (2 attachments)")
		base := settledGoroutines(h)
		p.set(faultMode{dropOn: "RETR"})
		res := h.get(link)
		if res.status != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", res.status)
		}
		d := parseDoc(t, res.body)
		if a := d.alert(); !strings.Contains(a, "try again") {
			t.Errorf("alert: got %q", a)
		}
		if !d.hasLink("Back to your inbox") && !strings.Contains(res.body, "/list?") {
			t.Error("the page offers no way back to the inbox")
		}
		checkNothingLeft(t, h, p, base)
	})
}

// An SMTP server that refuses connections, refuses one recipient, or
// hangs up in the middle of DATA: nothing is claimed sent, the form comes
// back with the draft, and nothing is left open.
func TestSMTPFaults(t *testing.T) {
	draft := strings.Repeat("a long draft line\n", 2000)
	tests := []struct {
		name       string
		closed     bool
		mode       faultMode
		to         string
		wantStatus int
		wantAlert  string
	}{
		{"refusing", true, faultMode{}, "bob@example.org", http.StatusServiceUnavailable, "try again"},
		{"rejecting one recipient", false, faultMode{}, "bob@example.org, carol@example.org", http.StatusBadGateway, "refused the message for carol@example.org"},
		{"dropping mid-DATA", false, faultMode{dropOn: "DATA\r\n"}, "bob@example.org", http.StatusServiceUnavailable, "try again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *faultProxy
			h := newHarness(t, webOption(func(c *Config) {
				p = newFaultProxy(t, c.SMTP.Server.Addr)
				c.SMTP.Server.Addr = p.addr()
				if tt.closed {
					c.SMTP.Server.Addr = closedAddr(t)
				}
			}))
			tok := freshComposeToken(t, h, h.login())
			base := settledGoroutines(h)
			p.set(tt.mode)
			res := h.postMultipart("/send", url.Values{"t": {tok}, "to": {tt.to}, "subject": {"cut"}, "body": {draft}})
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.status, tt.wantStatus)
			}
			d := parseDoc(t, res.body)
			if got := d.field("body"); got != draft {
				t.Errorf("body: got %d bytes back, want the draft", len(got))
			}
			if a := d.alert(); !strings.Contains(a, tt.wantAlert) || !strings.Contains(a, "Nothing was sent") {
				t.Errorf("alert: got %q", a)
			}
			if n := len(h.mail.Sent()); n != 0 {
				t.Errorf("%d messages reached the server", n)
			}
			checkNothingLeft(t, h, p, base)
		})
	}
}
