package web

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// retrGate stands between the site and the POP server. Once it has
// passed a RETR, it passes at most limit bytes of the server's answers,
// then holds the rest until open is called, or hangs up when drop is set.
type retrGate struct {
	ln     net.Listener
	target string
	limit  int64
	drop   bool
	armed  atomic.Bool
	passed atomic.Int64  // bytes passed to the site since the RETR
	held   chan struct{} // closed when the limit is reached
	opened chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

func newRETRGate(t *testing.T, target string, limit int64, drop bool) *retrGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &retrGate{ln: ln, target: target, limit: limit, drop: drop, held: make(chan struct{}), opened: make(chan struct{})}
	go g.serve()
	t.Cleanup(func() { g.open(); ln.Close(); g.wg.Wait() })
	return g
}

func (g *retrGate) open() { g.once.Do(func() { close(g.opened) }) }

func (g *retrGate) serve() {
	for {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.wg.Go(func() {
			defer c.Close()
			up, err := net.Dial("tcp", g.target)
			if err != nil {
				return
			}
			defer up.Close()
			var retr atomic.Bool
			go func() { // the site's commands
				buf := make([]byte, 4096)
				for {
					n, err := c.Read(buf)
					if g.armed.Load() && bytes.Contains(buf[:n], []byte("RETR")) {
						retr.Store(true) // before the server can answer it
					}
					if _, werr := up.Write(buf[:n]); err != nil || werr != nil {
						up.Close()
						return
					}
				}
			}()
			in := make([]byte, 4096)
			for {
				n, err := up.Read(in)
				buf := in
				if retr.Load() && n > 0 {
					if left := g.limit - g.passed.Load(); int64(n) >= left {
						c.Write(buf[:left])
						g.passed.Add(left)
						close(g.held)
						if g.drop {
							return
						}
						<-g.opened
						retr.Store(false)
						buf, n = buf[left:n], n-int(left)
					} else {
						g.passed.Add(int64(n))
					}
				}
				if _, werr := c.Write(buf[:n]); err != nil || werr != nil {
					return
				}
			}
		})
	}
}

// gatedBigHTML is a site whose POP server is reached through a gate, with
// a 1 MB HTML newsletter in alice's mailbox, and the path of its framed
// body.
func gatedBigHTML(t *testing.T, limit int64, drop bool) (*harness, *retrGate, string, []byte) {
	var g *retrGate
	h := newHarness(t, webOption(func(c *Config) {
		g = newRETRGate(t, c.POP.Server.Addr, limit, drop)
		c.POP.Server.Addr = g.ln.Addr().String()
	}))
	tok := h.login()
	raw := bigHTMLMessage("A streamed newsletter", 1<<20)
	h.mail.Mailbox(aliceUser).Add(raw)
	list, _ := h.list(tok, 1)
	view := h.page(list.viewLink("A streamed newsletter"), http.StatusOK)
	frame := attrOf(view.tag("iframe")[0], "src")
	g.armed.Store(true)
	return h, g, frame, raw
}

// readUntil reads res into got until it holds want, failing after a
// generous wait (a stall, not a speed).
func readUntil(t *testing.T, r io.Reader, got *bytes.Buffer, want string) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		for !bytes.Contains(got.Bytes(), []byte(want)) {
			n, err := r.Read(buf)
			got.Write(buf[:n])
			if err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("read %d bytes, then %v, before %q", got.Len(), err, want)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("%q had not come after %d bytes: the body is not streamed", want, got.Len())
	}
}

// The framed body of a long HTML message reaches the browser while the
// message is still on its way: with the POP server's answer held after
// its first 64 KB, the browser already has the document's head and the
// newsletter's first sanitized story; once the rest comes, the document
// is whole, and its remote pictures are blocked.
func TestBodyStreamsBeforeTheMessageIsRead(t *testing.T) {
	const limit = 64 << 10
	h, g, frame, raw := gatedBigHTML(t, limit, false)
	res, err := h.client.Get(h.srv.URL + frame)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.ContentLength != -1 {
		t.Fatalf("status %d, length %d; want 200 and a body of unknown length", res.StatusCode, res.ContentLength)
	}
	var got bytes.Buffer
	readUntil(t, res.Body, &got, "Story 2: the café on Müllerstraße")
	select {
	case <-g.held:
	default:
		t.Fatal("the gate was never reached")
	}
	if n := g.passed.Load(); n != limit || n >= int64(len(raw)) {
		t.Fatalf("the site had %d bytes of the %d-byte message", n, len(raw))
	}
	head := got.String()
	for _, want := range []string{`<!DOCTYPE html>`, `<title>A streamed newsletter</title>`, `<main dir="auto">`, `<h2>Story 1: the café on Müllerstraße – a report</h2>`} {
		if !strings.Contains(head, want) {
			t.Errorf("before the message was read: no %q", want)
		}
	}
	if strings.Contains(head, "Unsubscribe") || strings.Contains(head, "news.example.com/img") {
		t.Errorf("the start holds the end, or a remote picture")
	}
	g.open()
	rest, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("after %d bytes: %v; log: %s", got.Len()+len(rest), err, h.logs.String())
	}
	doc := head + string(rest)
	if !strings.HasSuffix(doc, "</p>\n</main></body></html>\n") || !strings.Contains(doc, ">Unsubscribe</a>") ||
		strings.Contains(doc, "news.example.com/img") || !strings.Contains(doc, `class="remote-blocked"`) {
		t.Errorf("the whole document: %d bytes ending %q", len(doc), doc[max(0, len(doc)-120):])
	}
	d := parseDoc(t, doc)
	if n := len(d.tag("h2")); n < 100 {
		t.Errorf("%d stories, want them all", n)
	}
}

// When the POP server hangs up after the body has begun, the status has
// gone out, so the response is dropped: the browser sees a failed load,
// never a document that looks whole.
func TestBodyCutShortIsNotWhole(t *testing.T) {
	h, g, frame, _ := gatedBigHTML(t, 64<<10, true)
	res, err := h.client.Get(h.srv.URL + frame)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := io.ReadAll(res.Body)
	<-g.held
	if err == nil {
		t.Errorf("read %d bytes and no error; want the response dropped", len(doc))
	}
	if !bytes.Contains(doc, []byte("<h2>Story 1:")) || bytes.Contains(doc, []byte("</html>")) {
		t.Errorf("got %d bytes ending %q; want the start, and no end", len(doc), doc[max(0, len(doc)-80):])
	}
}

// Served as under CGI or FastCGI, where a response cannot be dropped and
// a panic would end the program, a body cut short ends with a note that
// says so, in the reader's language, and the handler returns.
func TestBodyCutShortUnderCGISaysSo(t *testing.T) {
	h, g, frame, _ := gatedBigHTML(t, 64<<10, true)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", frame, nil) // no net/http server in its context
	h.srv.Config.Handler.ServeHTTP(rec, req)
	<-g.held
	doc := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(doc, "<h2>Story 1:") {
		t.Fatalf("status %d, %d bytes; want 200 and the start", rec.Code, len(doc))
	}
	d := parseDoc(t, doc)
	if a := d.alert(); !strings.Contains(a, "could not be reached") || !strings.HasSuffix(doc, "</body></html>\n") {
		t.Errorf("alert %q; the end: %q", a, doc[max(0, len(doc)-200):])
	}
	if strings.Contains(doc, "Unsubscribe") {
		t.Error("the end of the newsletter is there")
	}
}

// When the POP server hangs up before the body has begun, nothing is
// written yet, so the answer is the page for a mail server that could not
// be reached, not a document.
func TestBodyCutInTheHeaderIsAnErrorPage(t *testing.T) {
	h, g, frame, _ := gatedBigHTML(t, 100, true)
	res := h.get(frame)
	<-g.held
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", res.status)
	}
	if a := parseDoc(t, res.body).alert(); !strings.Contains(a, "could not be reached") {
		t.Errorf("alert %q", a)
	}
}
