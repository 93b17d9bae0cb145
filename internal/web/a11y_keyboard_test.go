package web

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// tabStop is where the keyboard focus is: the element and its box.
type tabStop struct {
	Tag, Text string
	X, Y, W   float64
	Key       string // a unique path, to tell stops apart
}

const focusJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return null;
	const r = e.getBoundingClientRect();
	let path = e.tagName + "#" + (e.id || e.name || "") + "@" + Math.round(r.left) + "," + Math.round(r.top + window.scrollY);
	return {Tag: e.tagName, Text: (e.innerText || e.value || "").trim().slice(0, 40), X: r.left, Y: r.top + window.scrollY, W: r.width, Key: path};
})()`

// focusables lists every control a person could use on the page: links,
// buttons and fields that are shown.
const focusablesJS = `[...document.querySelectorAll("a[href], button, input:not([type=hidden]), textarea, select, iframe")]
	.filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden").length`

// TestKeyboard tabs through the main pages with script off: every control
// is reached, once, and the focus moves down the page as a person reads
// it (left to right within a line).
func TestKeyboard(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	pages := []struct{ name, link string }{
		{"login", "/login"},
		{"list", "/list?t=" + url.QueryEscape(tok)},
		{"search results", "/search?q=the&t=" + url.QueryEscape(tok)},
		{"view", list.viewLink("Your checklist and a list of pages (2 attachments)")},
		{"compose", list.link("Write")},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(b.ctx)
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, time.Minute)
			defer cancelT()
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(siteURL(h, p.link))); err != nil {
				t.Fatal(err)
			}
			want, err := chromedp.Run(ctx, chromedp.Evaluate[int](focusablesJS))
			if err != nil {
				t.Fatal(err)
			}
			var stops []tabStop
			seen := map[string]bool{}
			for range want + 5 {
				for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
					if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
						Type: typ, Key: "Tab", Code: "Tab", WindowsVirtualKeyCode: 9, NativeVirtualKeyCode: 9}); err != nil {
						t.Fatal(err)
					}
				}
				st, err := chromedp.Run(ctx, chromedp.Evaluate[*tabStop](focusJS))
				if err != nil {
					t.Fatal(err)
				}
				if st == nil || seen[st.Key] {
					break // back at the start
				}
				seen[st.Key] = true
				stops = append(stops, *st)
			}
			if len(stops) != want {
				var names []string
				for _, s := range stops {
					names = append(names, fmt.Sprintf("%s %q", s.Tag, s.Text))
				}
				t.Errorf("Tab reached %d controls of %d: %q", len(stops), want, names)
			}
			for i := 1; i < len(stops); i++ {
				a, b := stops[i-1], stops[i]
				sameLine := b.Y < a.Y+20 && b.Y > a.Y-20
				if b.Y < a.Y-20 || (sameLine && b.X+b.W < a.X) {
					t.Errorf("the focus goes back up or left: %s %q at (%.0f,%.0f) after %s %q at (%.0f,%.0f)",
						b.Tag, b.Text, b.X, b.Y, a.Tag, a.Text, a.X, a.Y)
				}
			}
		})
	}
}
