package web

import (
	"io"
	"net/http"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
)

// BenchmarkBodyHTML1MB is the framed body of a 1 MB HTML newsletter over
// HTTP, against the demo POP server in this process: its speed in MB of
// the message, its allocations, and the time to the document's first
// byte, which streaming keeps apart from the body's length.
func BenchmarkBodyHTML1MB(b *testing.B) {
	const subject = "Bench: a 1 MB HTML newsletter"
	raw := bigHTMLMessage(subject, 1<<20)
	h, tok := benchSite(b, func(box *devmail.Mailbox) { box.Add(raw) })
	list, _ := h.list(tok, 1)
	frame := attrOf(h.page(list.viewLink(subject), http.StatusOK).tag("iframe")[0], "src")
	client := &http.Client{}
	var first time.Duration
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		res, err := client.Get(h.srv.URL + frame)
		if err != nil {
			b.Fatal(err)
		}
		var one [1]byte
		if _, err := io.ReadFull(res.Body, one[:]); err != nil {
			b.Fatal(err)
		}
		first += time.Since(start)
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "ms-first-byte")
}
