package web

import (
	"bytes"
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
)

// bodyStreamHeap bounds how far the framed body of a 2 MB HTML message
// may grow the heap, the demo POP server's answer included: the body is
// sanitized and sent piece by piece. Read whole, the message, its text,
// the sanitized body and the document took 10 MB.
const bodyStreamHeap = 4 << 20

// The framed body of a 2 MB HTML newsletter grows the heap by under
// 4 MB: the message, its sanitized body and the document are never held
// whole.
func TestBodyHeapOfLongHTML(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	raw := bigHTMLMessage("A long newsletter", 2000<<10)
	h.mail.Mailbox(aliceUser).Add(raw)
	list, _ := h.list(tok, 1)
	view := h.page(list.viewLink("A long newsletter"), http.StatusOK)
	frame := attrOf(view.tag("iframe")[0], "src")
	var page bytes.Buffer
	page.Grow(4 << 20)      // the page read is not the site's heap
	h.getInto(frame, &page) // once, so that what lives as long as the site is there
	// Collect often, so that the heap is what the request holds, not the
	// garbage it leaves
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	for range 3 {
		page.Reset()
		var status int
		grew := heapGrowth(t, func() { status = h.getInto(frame, &page) })
		t.Logf("body of %.1f MB: heap +%.2f MB", mb(uint64(len(raw))), mb(grew))
		if status != http.StatusOK || !strings.HasSuffix(page.String(), "</main></body></html>\n") {
			t.Fatalf("status %d, %d bytes; want the whole document", status, page.Len())
		}
		if grew > bodyStreamHeap {
			t.Errorf("heap grew by %.2f MB, want under %.0f MB", mb(grew), mb(bodyStreamHeap))
		}
	}
}
