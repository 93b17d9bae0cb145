package web

import (
	"bytes"
	"cmp"
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
// (viewText) in lines of their own: the bound for every page.
// Under the race detector the view comes near it, so there it is only
// logged.
const viewHeap = 32 << 20

// longText is a mail of 2–3 MB of text in many short lines.
type longText struct {
	name, body, contentType string
	html                    bool // the body frame has a body to show
}

// longTexts are the long texts, each shape costing a renderer something
// else: bare lines, quoted lines, blank lines, links, and many texts of
// their own, alone or beside an HTML body (which the body frame then
// shows, with their start).
func longTexts() []longText {
	return []longText{
		{name: "a lines", body: strings.Repeat("a\r\n", 1_000_000)},
		{name: "quoted lines", body: strings.Repeat("> a\r\n", 600_000)},
		{name: "blank lines", body: strings.Repeat("\r\n", 1_500_000)},
		{name: "links", body: strings.Repeat("http://a.io b\r\n", 200_000)},
		{name: "many texts", body: manyTexts("", 60, 45_000), contentType: `multipart/mixed; boundary="b"`},
		{name: "HTML and many texts", body: manyTexts("--b\r\nContent-Type: text/html\r\n\r\n<p>Hello</p>\r\n", 60, 45_000),
			contentType: `multipart/mixed; boundary="b"`, html: true},
	}
}

// manyTexts is a multipart body (boundary b) of n texts of lines "a"
// each, after the parts in first.
func manyTexts(first string, n, lines int) string {
	var b strings.Builder
	b.WriteString(first)
	for range n {
		b.WriteString("--b\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("a\r\n", lines) + "\r\n")
	}
	b.WriteString("--b--")
	return b.String()
}

// The pages and downloads of a long text mail each take a bounded heap:
// the body frame (which has no HTML body to show) does not render the
// text, a reply or forward keeps only what it quotes, and the source is
// streamed or shown in part. It does not run in parallel, so the heap it
// watches is the site's alone.
func TestLongTextRequestHeap(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	texts := longTexts()
	for _, m := range texts {
		ct := cmp.Or(m.contentType, "text/plain; charset=utf-8")
		h.addMail(aliceUser, "Long text: "+m.name, m.body, "MIME-Version: 1.0", "Content-Type: "+ct)
	}
	list, _ := h.list(tok, 1)
	var page bytes.Buffer
	page.Grow(4 << 20) // the pages read are not the site's heap
	for _, m := range texts {
		t.Run(m.name, func(t *testing.T) {
			h := h.forT(t)
			viewURL := list.viewLink("Long text: " + m.name)
			view := h.page(viewURL, http.StatusOK)
			bodyStatus, bodyWant := http.StatusNotFound, "This message has no HTML body."
			if m.html {
				bodyStatus, bodyWant = http.StatusOK, "Hello"
			}
			for _, c := range []struct {
				name, path string
				status     int
				want       string // in the page
				limit      uint64
			}{
				{"view", viewURL, http.StatusOK, "Long text: " + m.name, viewHeap},
				{"body", strings.Replace(viewURL, "/view?", "/body?", 1), bodyStatus, bodyWant, requestHeap},
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
				if grew > c.limit && !(raceOn && c.limit == viewHeap) {
					t.Errorf("%s: heap grew by %.1f MB, want under %.0f MB", c.name, mb(grew), mb(c.limit))
				}
			}
			var n int64
			grew := heapGrowth(t, func() { n, _ = h.download(view.link("Download (.eml)")) })
			t.Logf("source: heap +%.1f MB", mb(grew))
			if want := int64(len(m.body)); n < want {
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
