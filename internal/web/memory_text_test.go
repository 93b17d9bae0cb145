package web

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// requestHeap bounds how far one request on a message may grow the heap
// above its size at rest, whatever the message: the body frame, the
// compose form of a reply or forward, the source page and the download.
const requestHeap = 16 << 20

// viewHeap bounds the view page of a long text, which shows its start
// (viewText) in lines of their own.
const viewHeap = 32 << 20

// longTexts are text mails of 2–3 MB in many short lines, each shape
// costing a renderer something else: bare lines, quoted lines, blank
// lines, links.
var longTexts = []struct {
	name, line string
	lines      int
}{
	{"a lines", "a\r\n", 1_000_000},
	{"quoted lines", "> a\r\n", 600_000},
	{"blank lines", "\r\n", 1_500_000},
	{"links", "http://a.io b\r\n", 200_000},
}

// The pages and downloads of a long text mail each take a bounded heap:
// the body frame (which has no HTML body to show) does not render the
// text, a reply or forward keeps only what it quotes, and the source is
// streamed or shown in part. It does not run in parallel, so the heap it
// watches is the site's alone.
func TestLongTextRequestHeap(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	for _, m := range longTexts {
		h.addMail(aliceUser, "Long text: "+m.name, strings.Repeat(m.line, m.lines), "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8")
	}
	list, _ := h.list(tok, 1)
	var page bytes.Buffer
	page.Grow(4 << 20) // the pages read are not the site's heap
	for _, m := range longTexts {
		t.Run(m.name, func(t *testing.T) {
			h := h.forT(t)
			viewURL := list.viewLink("Long text: " + m.name)
			view := h.page(viewURL, http.StatusOK)
			for _, c := range []struct {
				name, path string
				status     int
				want       string // in the page
				limit      uint64
			}{
				{"view", viewURL, http.StatusOK, "Long text: " + m.name, viewHeap},
				{"body", strings.Replace(viewURL, "/view?", "/body?", 1), http.StatusNotFound, "This message has no HTML body.", requestHeap},
				{"reply", view.link("Reply"), http.StatusOK, "the rest of the original is not included here", requestHeap},
				{"reply all", view.link("Reply all"), http.StatusOK, "the rest of the original is not included here", requestHeap},
				{"forward", view.link("Forward"), http.StatusOK, "the rest of the original is not included here", requestHeap},
				{"raw", view.link("View source"), http.StatusOK, "Long text: " + m.name, requestHeap},
			} {
				page.Reset()
				var status int
				grew := heapGrowth(t, func() { status = h.getInto(c.path, &page) })
				t.Logf("%s: heap +%.1f MB", c.name, mb(grew))
				if status != c.status || !strings.Contains(page.String(), c.want) {
					t.Errorf("%s: status %d, want %d with %q", c.name, status, c.status, c.want)
				}
				if grew > c.limit {
					t.Errorf("%s: heap grew by %.1f MB, want under %.0f MB", c.name, mb(grew), mb(c.limit))
				}
			}
			var n int64
			grew := heapGrowth(t, func() { n, _ = h.download(view.link("Download (.eml)")) })
			t.Logf("source: heap +%.1f MB", mb(grew))
			if want := int64(len(m.line) * m.lines); n < want {
				t.Errorf("source: got %d bytes, want the whole message (over %d)", n, want)
			}
			if grew > requestHeap {
				t.Errorf("source: heap grew by %.1f MB, want under %.0f MB", mb(grew), mb(requestHeap))
			}
		})
	}
}

// Four requests on a long text mail at once take no more than four
// times one: nothing is held whole, however many ask.
func TestLongTextParallelHeap(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	h.addMail(aliceUser, "Long text", strings.Repeat("a\r\n", 1_000_000), "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8")
	list, _ := h.list(tok, 1)
	viewURL := list.viewLink("Long text")
	view := h.page(viewURL, http.StatusOK)
	paths := []string{
		strings.Replace(viewURL, "/view?", "/body?", 1),
		view.link("Reply"),
		view.link("Forward"),
		view.link("Reply all"),
	}
	statuses := make([]int, len(paths))
	grew := heapGrowth(t, func() {
		var wg sync.WaitGroup
		for i, p := range paths {
			wg.Go(func() {
				res, err := h.client.Get(h.srv.URL + p)
				if err != nil {
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			})
		}
		wg.Wait()
	})
	t.Logf("four at once: heap +%.1f MB", mb(grew))
	if want := []int{http.StatusNotFound, http.StatusOK, http.StatusOK, http.StatusOK}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %v, want %v", statuses, want)
	}
	if limit := uint64(3 * requestHeap); grew > limit {
		t.Errorf("four at once: heap grew by %.1f MB, want under %.0f MB", mb(grew), mb(limit))
	}
}

// getInto fetches a site path into page, which the caller has made large
// enough, and returns the status: reading the page takes no heap of its
// own.
func (h *harness) getInto(path string, page *bytes.Buffer) int {
	h.t.Helper()
	res, err := h.client.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	if _, err := page.ReadFrom(res.Body); err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode
}
