package web

import (
	"bytes"
	"encoding/base64"
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

// attachmentMessage is a short text and a 16 MB base64 attachment.
func attachmentMessage(subject string) []byte {
	var msg bytes.Buffer
	msg.WriteString("From: Ann Lee <ann@example.net>\r\nSubject: " + subject + "\r\n" +
		"Date: Mon, 30 Nov 2026 10:00:00 +0000\r\nMessage-ID: <bench-attach@example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n" +
		"--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe file is attached.\r\n" +
		"--sep\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	raw := make([]byte, 57)
	line := make([]byte, 76)
	for i := range (16 << 20) / 57 {
		for j := range raw {
			raw[j] = byte(i*7 + j)
		}
		base64.StdEncoding.Encode(line, raw)
		msg.Write(line)
		msg.WriteString("\r\n")
	}
	msg.WriteString("--sep--\r\n")
	return msg.Bytes()
}

// BenchmarkLargeAttachment is the view of a message with a 16 MB base64
// attachment (read past, not decoded), and the attachment's download:
// the part found in the message, decoded and sent as it is read from POP.
func BenchmarkLargeAttachment(b *testing.B) {
	const subject = "Bench: a 16 MB attachment"
	h, tok := benchSite(b, func(box *devmail.Mailbox) { box.Add(attachmentMessage(subject)) })
	list, _ := h.list(tok, 1)
	view := list.viewLink(subject)
	part := h.page(view, http.StatusOK).link("data.bin")
	b.Run("view", func(b *testing.B) { benchGet(b, h, view) })
	b.Run("download", func(b *testing.B) { benchGet(b, h, part) })
}
