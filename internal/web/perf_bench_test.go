package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"gomailcgi/internal/devmail"
)

// benchSite is the site with its demo mail servers, a user with a filled
// mailbox, and no log.
func benchSite(b *testing.B, fill func(box *devmail.Mailbox)) (h *harness, tok string) {
	h = newHarness(b, mailOption(func(c *devmail.Config) {
		c.Users["bench"] = "bench-pw"
	}), webOption(func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }))
	fill(h.mail.Mailbox("bench"))
	return h, h.loginAs("bench", "bench-pw", "")
}

// benchGet fetches path b.N times and reads every body.
func benchGet(b *testing.B, h *harness, path string) {
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Get(h.srv.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
		b.SetBytes(n)
	}
}

// BenchmarkListPage is a list page of 50 rows of a 100-message mailbox,
// over HTTP, against the demo POP server in this process.
func BenchmarkListPage(b *testing.B) {
	h, tok := benchSite(b, func(box *devmail.Mailbox) {
		for i := range 100 {
			box.Add([]byte(fmt.Sprintf("From: Sender %d <s%d@example.net>\r\nTo: bench@example.org\r\n"+
				"Subject: Message number %d about the plans\r\nDate: Mon, 30 Nov 2026 10:%02d:00 +0000\r\n"+
				"Message-ID: <m%d@example.net>\r\n\r\nHello %d\r\n", i, i, i, i%60, i, i)))
		}
	})
	benchGet(b, h, "/list?t="+tok)
}

// BenchmarkViewHTML1MB is the view page of a 1 MB HTML message, and the
// framed body a browser loads with it.
func BenchmarkViewHTML1MB(b *testing.B) {
	const subject = "Bench: a 1 MB HTML newsletter"
	h, tok := benchSite(b, func(box *devmail.Mailbox) { box.Add(bigHTMLMessage(subject, 1<<20)) })
	list, _ := h.list(tok, 1)
	view := list.viewLink(subject)
	b.Run("view", func(b *testing.B) { benchGet(b, h, view) })
	frame := attrOf(h.page(view, http.StatusOK).tag("iframe")[0], "src")
	b.Run("body", func(b *testing.B) { benchGet(b, h, frame) })
}
