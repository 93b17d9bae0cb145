package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// The browser tests that look at a page as a person sees it drive Debian's
// headless Chromium through the DevTools protocol (chromedp): what is
// visible, where it is, and a picture of it. The site stays script-free:
// the page CSP forbids scripts, and DevTools' own questions are not the
// page's scripts.

// devtools is one headless Chromium for a test, with a fresh profile.
type devtools struct {
	t   *testing.T
	ctx context.Context
}

// requireDevtools starts Chromium, or skips (fails when CI=true) if it is
// not installed. The browser ends with the test.
func requireDevtools(t *testing.T) devtools {
	t.Helper()
	c := requireChromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(c.path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium's own temporary files (its singleton socket) go with
		// the test, not into the machine's /tmp
		chromedp.Env("TMPDIR="+t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	return devtools{t: t, ctx: bctx}
}

// box is an element's place on the screen in CSS pixels.
type box struct {
	X, Y, W, H float64
}

// inside reports whether b is not empty and lies wholly within w×h.
func (b box) inside(w, h int) bool {
	return b.W > 0 && b.H > 0 && b.X >= 0 && b.Y >= 0 && b.X+b.W <= float64(w)+0.5 && b.Y+b.H <= float64(h)+0.5
}

// seenText is one element's visible text (innerText: what CSS hides is
// not in it) and its box.
type seenText struct {
	Text string
	Box  box
}

// pageView is what a person sees of a page: its heading, the message
// list's subjects, and whether the page is wider than the window.
type pageView struct {
	Heading     seenText
	Subjects    []seenText
	ScrollWidth int
	InnerWidth  int
	Console     []string // the browser's log: CSP violations land here
	PNG         []byte   // the window as a picture
}

const pageViewJS = `(() => {
	const seen = e => { const r = e.getBoundingClientRect();
		return {Text: e.innerText.trim(), Box: {X: r.left, Y: r.top, W: r.width, H: r.height}}; };
	const h = document.querySelector("h1");
	return {
		Heading: h ? seen(h) : {Text: "", Box: {}},
		Subjects: [...document.querySelectorAll("td.subject a")].map(seen),
		ScrollWidth: document.documentElement.scrollWidth,
		InnerWidth: window.innerWidth,
	};
})()`

// look opens url in a new tab with a w×h window, waits for the page and
// its frames to load, and returns what it shows.
func (d devtools) look(url string, w, h int, scheme string) pageView {
	d.t.Helper()
	ctx, cancel := chromedp.NewContext(d.ctx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, browserTimeout)
	defer cancelTime()
	var mu sync.Mutex
	var console []string
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && e.Entry != nil {
			mu.Lock()
			console = append(console, e.Entry.Text)
			mu.Unlock()
		}
	})
	if err == nil {
		_, err = chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	}
	if err == nil {
		_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(url))
	}
	var v pageView
	if err == nil {
		v, err = chromedp.Run(ctx, chromedp.Evaluate[pageView](pageViewJS))
	}
	if err == nil {
		v.PNG, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		d.t.Fatalf("chromium on %s: %v", redactToken(url), err)
	}
	mu.Lock()
	v.Console = slices.Clone(console)
	mu.Unlock()
	return v
}

// writePNG saves a screenshot for a person to look at.
func writePNG(t *testing.T, file string, png []byte) {
	t.Helper()
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// normSpace collapses runs of white space, as a reader sees them.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// The control for the CSP checks of look: a page whose policy blocks its
// own image shows the violation in what look reports.
func TestDevtoolsSeesCSPViolations(t *testing.T) {
	b := requireDevtools(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		io.WriteString(w, `<!doctype html><title>t</title><h1>Blocked</h1><img src="/pixel.png" alt="">`)
	}))
	defer srv.Close()
	v := b.look(srv.URL+"/", 400, 300, "light")
	var seen []string
	for _, line := range v.Console {
		seen = append(seen, cspViolations(line)...)
	}
	if len(seen) == 0 {
		t.Errorf("no CSP violation reported; browser log: %q", v.Console)
	}
	if v.Heading.Text != "Blocked" {
		t.Errorf("heading: got %q, want %q", v.Heading.Text, "Blocked")
	}
}
