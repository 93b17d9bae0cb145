package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// evaluate opens url in a new tab with a w×h window and returns what js
// gives, and a picture of the window when shot is not "" (of the window
// only: Chromium paints no frame content outside it).
func evaluate[T any](d devtools, url string, w, h int, js, shot string) T {
	d.t.Helper()
	ctx, cancel := chromedp.NewContext(d.ctx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, browserTimeout)
	defer cancelTime()
	var v T
	err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(url))
	if err == nil {
		v, err = chromedp.Run(ctx, chromedp.Evaluate[T](js))
	}
	if err == nil && shot != "" {
		var png []byte
		png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			writeShot(d.t, shot, png)
		}
	}
	if err != nil {
		d.t.Fatalf("chromium on %s: %v", redactToken(url), err)
	}
	return v
}

// writeShot saves a picture into $GOMAILCGI_SCREENSHOTS, when it is set,
// for a person to look at.
func writeShot(t *testing.T, name string, img []byte) {
	t.Helper()
	dir := os.Getenv("GOMAILCGI_SCREENSHOTS")
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writePNG(t, filepath.Join(dir, name), img)
}

// Every checkbox sits on the line of its label, at a phone's width and a
// desktop's: the box's middle lies within the label's first line.
func TestBrowserCheckboxBesideItsLabel(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	forward := parseDoc(t, h.get(list.viewLink("Your checklist and a list of pages (2 attachments)")).body).link("Forward")
	const js = `[...document.querySelectorAll("input[type=checkbox]")].filter(c => c.labels.length).map(c => {
		const b = c.getBoundingClientRect(), l = c.labels[0].getClientRects()[0];
		return {Label: c.labels[0].innerText.trim(), Box: {X: b.left, Y: b.top, W: b.width, H: b.height}, Line: {X: l.left, Y: l.top, W: l.width, H: l.height}};
	})`
	type pair struct {
		Label     string
		Box, Line box
	}
	for _, width := range []int{1280, 375} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			got := evaluate[[]pair](b, siteURL(h, forward), width, 1700, js, fmt.Sprintf("compose-forward-%d.png", width))
			labels := map[string]bool{}
			for _, p := range got {
				labels[p.Label] = true
				mid := p.Box.Y + p.Box.H/2
				if mid < p.Line.Y || mid > p.Line.Y+p.Line.H || p.Line.X < p.Box.X+p.Box.W {
					t.Errorf("%q: box %+v, label's first line %+v; want the label beside the box", p.Label, p.Box, p.Line)
				}
			}
			if !labels["Keep a copy in my inbox"] || len(got) < 3 {
				t.Errorf("checkboxes with labels: %v; want the copy box and the forwarded attachments", labels)
			}
		})
	}
}
