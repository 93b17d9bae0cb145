package web

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The [browser] tests load the site in Debian's headless Chromium, driven
// through its command line: --dump-dom for the page as loaded, a log on
// stderr for its console (CSP violations), --screenshot for pictures.
// Without Chromium they skip loudly, and fail when CI=true.

// chromiumBinary is where Debian's chromium package puts its launcher.
const chromiumBinary = "/usr/bin/chromium"

// browserTimeout bounds one Chromium run.
const browserTimeout = 60 * time.Second

// chromium runs one headless Chromium per page load.
type chromium struct {
	t    *testing.T
	path string
}

// requireChromium returns the browser, or skips (fails when CI=true) if
// it is not installed.
func requireChromium(t *testing.T) chromium {
	t.Helper()
	path := chromiumBinary
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("chromium"); err != nil {
			msg := "*** CHROMIUM NOT AVAILABLE: the browser tests need Debian's chromium package. " +
				"`make test` installs it (scripts/install-deps.sh); or apt-get install chromium"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	return chromium{t: t, path: path}
}

// load is one finished page load: what --dump-dom printed and the
// browser's log.
type load struct {
	dom string
	log string
}

// run loads url with a fresh profile and the given extra flags; it waits
// until the page and its frames are loaded (virtual time) and returns
// stdout and the log.
func (c chromium) run(url string, extra ...string) load {
	c.t.Helper()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + c.t.TempDir(),
		"--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=5000",
	}
	args = append(append(args, extra...), url)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, args...)
	// its temporary files go with the test, not into the machine's /tmp
	cmd.Env = append(os.Environ(), "TMPDIR="+c.t.TempDir())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		c.t.Fatalf("chromium did not finish within %v; log:\n%s", browserTimeout, stderr.String())
	}
	if err != nil {
		c.t.Fatalf("chromium: %v; log:\n%s", err, stderr.String())
	}
	c.t.Logf("chromium loaded %s in %v", redactToken(url), time.Since(start).Round(time.Millisecond))
	return load{dom: stdout.String(), log: stderr.String()}
}

// dumpDOM loads url and returns the page as the browser built it.
func (c chromium) dumpDOM(url string) load {
	c.t.Helper()
	return c.run(url, "--dump-dom")
}

// cspViolations are the lines of a browser log that report a blocked
// load or script: Chromium words them "Refused to ..." or "... violates
// the following Content Security Policy directive ...". Queries are cut
// from the URLs they name: they carry the token.
func cspViolations(log string) []string {
	query := regexp.MustCompile(`\?[^'"\s]*`)
	var out []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "Refused to") || strings.Contains(line, "Content Security Policy") {
			out = append(out, query.ReplaceAllString(strings.TrimSpace(line), "?…"))
		}
	}
	return out
}

// redactToken keeps tokens out of test logs: it cuts the query.
func redactToken(url string) string {
	before, _, found := strings.Cut(url, "?")
	if found {
		return before + "?…"
	}
	return url
}

// seenRequest is one request a requestLog saw, with its answer.
type seenRequest struct {
	Path        string
	Inline      bool // the query had inline=1
	Status      int
	ContentType string
	Referer     string
}

// requestLog records every request a handler answers, and the
// connections of a server whose ConnState calls connState.
type requestLog struct {
	busy  sync.WaitGroup // requests being answered
	mu    sync.Mutex
	reqs  []seenRequest
	conns int
}

// wrap returns next, recording each request and its answer.
func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.busy.Add(1)
		defer l.busy.Done()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		l.mu.Lock()
		defer l.mu.Unlock()
		l.reqs = append(l.reqs, seenRequest{
			Path: r.URL.Path, Inline: r.URL.Query().Get("inline") == "1",
			Status: rec.status, ContentType: w.Header().Get("Content-Type"), Referer: r.Referer(),
		})
	})
}

func (l *requestLog) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		l.mu.Lock()
		l.conns++
		l.mu.Unlock()
	}
}

// take returns the requests answered and connections opened so far, and
// forgets them. Call it when no client is sending: after a browser exits,
// it waits for the answers still being written.
func (l *requestLog) take() ([]seenRequest, int) {
	l.busy.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	reqs, conns := l.reqs, l.conns
	l.reqs, l.conns = nil, 0
	return reqs, conns
}

// paths are the paths of reqs, sorted.
func paths(reqs []seenRequest) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Path)
	}
	slices.Sort(out)
	return out
}

// countSiteRequests serves h's site again behind a requestLog: from now on
// h's requests and every browser load go through it.
func countSiteRequests(h *harness) *requestLog {
	h.t.Helper()
	l := &requestLog{}
	srv := httptest.NewServer(l.wrap(h.srv.Config.Handler))
	h.t.Cleanup(srv.Close)
	h.srv = srv
	return l
}

// tracker is a second site standing for the senders' servers: it records
// every connection and request, and answers each with a small valid file
// of the kind its name asks for.
type tracker struct {
	*requestLog
	srv *httptest.Server
}

func newTracker(t *testing.T) *tracker {
	t.Helper()
	tr := &tracker{requestLog: &requestLog{}}
	tr.srv = httptest.NewUnstartedServer(tr.wrap(http.HandlerFunc(trackerFile)))
	tr.srv.Config.ConnState = tr.connState
	tr.srv.Start()
	t.Cleanup(tr.srv.Close)
	return tr
}

// url is the tracker's address for path, e.g. "http://127.0.0.1:1234/img.png".
func (tr *tracker) url(path string) string { return tr.srv.URL + path }

// trackerFile answers a tracker request by the path's extension.
func trackerFile(w http.ResponseWriter, r *http.Request) {
	switch filepath.Ext(r.URL.Path) {
	case ".png":
		w.Header().Set("Content-Type", "image/png")
		png.Encode(w, image.NewGray(image.Rect(0, 0, 1, 1)))
	case ".css":
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body { color: red }")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprint(w, "document.title = 'script ran';")
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!DOCTYPE html><p>tracker</p>")
	}
}

// servePlain serves doc as a plain page at every path: no sanitizer, no
// CSP, no sandbox. It is the control of the hostile-mail tests.
func servePlain(t *testing.T, doc string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// siteURL is a link of a page made absolute on h's server.
func siteURL(h *harness, link string) string { return h.srv.URL + link }

// withRemote is a view link with remote images shown.
func withRemote(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("remote", "1")
	u.RawQuery = q.Encode()
	return u.String()
}

// bodyFrame is the src of the view page's one HTML body iframe.
func bodyFrame(t *testing.T, page string) string {
	t.Helper()
	frames := parseDoc(t, page).tag("iframe")
	if len(frames) != 1 {
		t.Fatalf("view page has %d iframes, want 1", len(frames))
	}
	return attrOf(frames[0], "src")
}

// addHTMLMail delivers a text/html message holding doc to alice.
func addHTMLMail(h *harness, subject, doc string) {
	h.t.Helper()
	h.addMail(aliceUser, subject, strings.ReplaceAll(doc, "\n", "\r\n"),
		"MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8")
}

// hostileHTML is a whole HTML document with every vector's markup.
func hostileHTML[V any](vectors []V, markup func(V) string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>hostile</title></head><body>\n<p>Hello.</p>\n")
	for _, v := range vectors {
		b.WriteString(markup(v) + "\n")
	}
	b.WriteString("<p>Bye.</p>\n</body></html>\n")
	return b.String()
}
