package web

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gomailcgi/internal/seal"
)

// connWatch counts what the site reads from each connection, named by the
// client's address, and says when the site has read a given amount of one.
type connWatch struct {
	net.Listener

	mu    sync.Mutex
	read  map[string]int64
	wants map[string]want
}

type want struct {
	n       int64
	reached chan struct{}
}

func newConnWatch() *connWatch {
	return &connWatch{read: map[string]int64{}, wants: map[string]want{}}
}

func (c *connWatch) listen(l net.Listener) net.Listener {
	c.Listener = l
	return c
}

func (c *connWatch) Accept() (net.Conn, error) {
	conn, err := c.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchedConn{Conn: conn, watch: c, name: conn.RemoteAddr().String()}, nil
}

// expect returns a channel closed once the site has read n bytes from the
// client's connection conn.
func (c *connWatch) expect(conn net.Conn, n int64) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := want{n: n, reached: make(chan struct{})}
	c.wants[conn.LocalAddr().String()] = w
	return w.reached
}

// bytesRead is how much the site has read from the client's connection.
func (c *connWatch) bytesRead(conn net.Conn) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.read[conn.LocalAddr().String()]
}

type watchedConn struct {
	net.Conn
	watch *connWatch
	name  string
}

func (w *watchedConn) Read(p []byte) (int, error) {
	n, err := w.Conn.Read(p)
	c := w.watch
	c.mu.Lock()
	before := c.read[w.name]
	c.read[w.name] = before + int64(n)
	if want, ok := c.wants[w.name]; ok && before < want.n && before+int64(n) >= want.n {
		close(want.reached)
	}
	c.mu.Unlock()
	return n, err
}

// slowUpload is one connection that posts a form to /send: its head at
// once, then 1 KB every 0.2 s, as the attack did, until it is answered,
// the test stops it, or maxChunks went out.
type slowUpload struct {
	conn    net.Conn
	sent    int64           // the request's header and the form's head
	reading <-chan struct{} // closed once the site reads past the head
	answer  chan answer
}

// answer is what a slow upload got: status 0 if the connection ended first.
type answer struct {
	status int
	close  bool // the site closes the connection after it
}

const maxChunks = 300 // a minute at the attack's pace

func startSlowUpload(t *testing.T, h *harness, watch *connWatch, contentType string, length int64, head string, stop <-chan struct{}) *slowUpload {
	t.Helper()
	conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	req := fmt.Sprintf("POST /send HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
		h.srv.Listener.Addr(), contentType, length, head)
	u := &slowUpload{conn: conn, sent: int64(len(req)), answer: make(chan answer, 1)}
	u.reading = watch.expect(conn, u.sent+1)
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	answered := make(chan struct{})
	go func() {
		defer close(answered)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			u.answer <- answer{}
			return
		}
		res.Body.Close()
		u.answer <- answer{status: res.StatusCode, close: res.Close}
	}()
	go func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		chunk := strings.Repeat("x", 1024)
		for range maxChunks {
			select {
			case <-stop:
				return
			case <-answered:
				return
			case <-tick.C:
			}
			if _, err := io.WriteString(conn, chunk); err != nil {
				return
			}
		}
	}()
	return u
}

// The attack of issue 19: eight uploads without a login, each declaring
// 26,000,000 bytes and trickling its file at 5 KB/s. They take no upload
// slot: each is answered "log in again" after its first part, having been
// read no further, and a logged-in user's Send goes through meanwhile.
func TestSendSlowUploadsWithoutLoginTakeNoSlot(t *testing.T) {
	watch := newConnWatch()
	h := newHarness(t, listenOption(watch.listen))
	tok := freshComposeToken(t, h, h.login())

	const boundary = "attackboundary"
	head := "--" + boundary + "\r\n" +
		`Content-Disposition: form-data; name="attach"; filename="big.bin"` + "\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n"
	stop := make(chan struct{})
	defer close(stop)
	var attacks []*slowUpload
	for range DefaultMaxUploads {
		attacks = append(attacks, startSlowUpload(t, h, watch, "multipart/form-data; boundary="+boundary, 26000000, head, stop))
	}
	// Each attack is answered, or the site reads its file: one that took
	// a slot holds it now.
	for _, a := range attacks {
		select {
		case <-a.reading:
		case got := <-a.answer:
			a.answer <- got
		}
	}

	res := h.postMultipart("/send", url.Values{"t": {tok}, "to": {"bob@example.org"}, "subject": {"Meanwhile"}, "body": {"hello"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("a logged-in send while the uploads trickle: status %d, want 303", res.status)
	}
	if n := len(h.mail.Sent()); n != 1 {
		t.Errorf("sent %d messages, want 1", n)
	}
	for i, a := range attacks {
		got := <-a.answer
		if got.status != http.StatusUnauthorized || !got.close {
			t.Errorf("attack %d: status %d, connection closed %v; want 401 and closed (the rest of the body is not waited for)", i, got.status, got.close)
		}
		if n := watch.bytesRead(a.conn); n > a.sent+maxFormHead {
			t.Errorf("attack %d: the site read %d bytes of it, want no more than the %d of its head", i, n, a.sent)
		}
	}
}

// A form whose token does not open is read no further than the token; an
// expired login of this site gets its text back, its files unread.
func TestSendWithoutLoginReadsNoFurther(t *testing.T) {
	watch := newConnWatch()
	h := newHarness(t, listenOption(watch.listen))
	other := *h.sealer
	otherServers, err := other.Seal(seal.State{User: aliceUser, Password: alicePass, Server: "pop=elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		token     string
		wantDraft bool
	}{
		{"forged token", "garbage", false},
		{"token of other servers", otherServers, false},
		{"expired login", h.expiredToken(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, ct, fileAt := multipartBody(t, [][2]string{{"t", tt.token}, {"to", "bob@example.org"}, {"body", "my words"}}, "big.bin", 4<<20)
			conn, err := net.Dial("tcp", h.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			header := fmt.Sprintf("POST /send HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
				h.srv.Listener.Addr(), ct, len(raw))
			go func() {
				if _, err := io.WriteString(conn, header); err == nil {
					conn.Write(raw) // cut short when the site closes the connection
				}
			}()
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", res.StatusCode)
			}
			if tt.wantDraft {
				if got := parseDoc(t, string(body)).field("body"); got != "my words" {
					t.Errorf("body: got %q, want %q", got, "my words")
				}
			} else if strings.Contains(string(body), "my words") {
				t.Error("the page shows the form's text, which was not to be read")
			}
			limit := int64(len(header)) + maxFormHead
			if tt.wantDraft {
				limit = int64(len(header)+fileAt) + 8<<10
			}
			if n := watch.bytesRead(conn); n > limit {
				t.Errorf("the site read %d bytes, want at most %d", n, limit)
			}
		})
	}
	if n := len(h.mail.Sent()); n != 0 {
		t.Errorf("sent %d messages", n)
	}
}

// One user's forms are read MaxUserUploads at a time: a third is answered
// 429 at once, and another user still sends.
func TestSendUploadSlotsPerUser(t *testing.T) {
	watch := newConnWatch()
	h := newHarness(t, listenOption(watch.listen))
	alice := freshComposeToken(t, h, h.login())
	raw, ct, fileAt := multipartBody(t, [][2]string{{"t", alice}, {"to", "bob@example.org"}}, "slow.bin", 1<<20)
	head := string(raw[:fileAt+64<<10])

	stop := make(chan struct{})
	defer close(stop)
	for range DefaultMaxUserUploads {
		u := startSlowUpload(t, h, watch, ct, int64(len(raw)), head, stop)
		<-u.reading // the site reads the file, in one of alice's slots
	}

	res := h.postMultipart("/send", url.Values{"t": {alice}, "to": {"bob@example.org"}, "body": {"a third"}})
	if res.status != http.StatusTooManyRequests || res.header.Get("Retry-After") == "" {
		t.Errorf("alice's third send: status %d Retry-After %q, want 429 and a Retry-After", res.status, res.header.Get("Retry-After"))
	}
	bob := freshComposeToken(t, h, h.loginAs(bobUser, bobPass, ""))
	if res := h.postMultipart("/send", url.Values{"t": {bob}, "to": {"alice@example.org"}, "body": {"mine"}}); res.status != http.StatusSeeOther {
		t.Errorf("bob's send: status %d, want 303", res.status)
	}
}

// A form that keeps a good pace but goes on past the body's deadline is
// answered 408 with the draft that did arrive.
func TestSendPastTheBodyDeadlineKeepsTheDraft(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.BodyDeadline = 300 * time.Millisecond }))
	tok := freshComposeToken(t, h, h.login())
	raw, ct, fileAt := multipartBody(t, [][2]string{{"t", tok}, {"to", "bob@example.org"}, {"body", "steady words"}}, "a.bin", 20<<20)
	pr, pw := io.Pipe()
	go func() {
		// 8 KB every 20 ms, twice the minimum pace and more, for at most
		// the 20 MB of the form.
		if _, err := pw.Write(raw[:fileAt]); err != nil {
			return
		}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for off := fileAt; off < len(raw); off += 8 << 10 {
			<-tick.C
			if _, err := pw.Write(raw[off:min(off+8<<10, len(raw))]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	defer pr.Close()
	res := h.sendRaw(pr, ct, int64(len(raw)))
	if res.status != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", res.status)
	}
	d := parseDoc(t, res.body)
	if got := d.field("body"); got != "steady words" {
		t.Errorf("body: got %q", got)
	}
	if len(h.mail.Sent()) != 0 {
		t.Error("a message was sent")
	}
}

func TestUploadSlots(t *testing.T) {
	u := newUploadSlots(3, 2)
	take := func(user string, want error) func() {
		t.Helper()
		release, err := u.take(user)
		if err != want {
			t.Fatalf("take(%q): got %v, want %v", user, err, want)
		}
		return release
	}
	a1 := take("ann", nil)
	take("ann", nil)
	take("ann", errUserUploadsBusy)
	b1 := take("bob", nil)
	take("cy", errUploadsBusy)
	a1()
	a1() // a second release gives nothing back
	take("cy", nil)
	take("dee", errUploadsBusy)
	b1()
	take("ann", nil)
	take("ann", errUserUploadsBusy)
}

// The default deadline is the time MaxUpload takes at the minimum pace,
// capped.
func TestDefaultBodyDeadline(t *testing.T) {
	tests := []struct {
		size int64
		want time.Duration
	}{
		{40 << 10, 20 * time.Second}, // 10 s stall + 10 s at 4 KB/s
		{DefaultMaxUpload + formSlack, MaxBodyDeadline},
	}
	for _, tt := range tests {
		if got := defaultBodyDeadline(tt.size, DefaultBodyStall, DefaultMinBodyRate); got != tt.want {
			t.Errorf("defaultBodyDeadline(%d): got %v, want %v", tt.size, got, tt.want)
		}
	}
}
