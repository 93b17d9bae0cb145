package web

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Text from a message cannot turn the page around it (an RLO in a subject
// or a file name), and a display name cannot pass for another address.
func TestBidiAndSpoofedNames(t *testing.T) {
	h := newHarness(t)
	const rlo = "\u202e"
	raw := "From: \"security@bank.example\" <attacker@evil.test>\r\n" +
		"To: alice@example.org\r\nSubject: Invoice " + rlo + "fdp.exe\r\nDate: Fri, 27 Mar 2026 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nPlease pay.\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"invoice" + rlo + "fdp.exe\"\r\n\r\nMZ\r\n" +
		"--b--\r\n"
	h.mail.Mailbox(aliceUser).Add([]byte(raw))
	list, _ := h.list(h.login(), 1)
	var row *html.Node
	for _, tr := range list.all(func(n *html.Node) bool { return n.Data == "tr" }) {
		if strings.Contains(text(tr), "Invoice") {
			row = tr
		}
	}
	if row == nil {
		t.Fatal("the message is not listed")
	}
	var from, subject *html.Node
	for c := range row.Descendants() {
		switch attrOf(c, "class") {
		case "from":
			from = c
		case "subject":
			subject = c
		}
	}
	if got := text(from); got != "security@bank.example <attacker@evil.test>" {
		t.Errorf("list From: got %q, want the real address beside the name", got)
	}
	if !isolated(subject, "Invoice") {
		t.Error("the subject is not in a <bdi>")
	}
	view := parseDoc(t, h.get(list.viewLink("Invoice "+rlo+"fdp.exe")).body)
	var label, link string
	for _, sec := range view.all(func(n *html.Node) bool { return attrOf(n, "aria-label") == "Attachments" }) {
		for a := range sec.Descendants() {
			if a.Data == "a" {
				label, link = rawText(a), attrOf(a, "href")
			}
		}
	}
	if label != "invoicefdp.exe" {
		t.Errorf("attachment label: got %q, want the name without the RLO", label)
	}
	res := h.get(link)
	if res.status != http.StatusOK {
		t.Fatalf("download: status %d", res.status)
	}
	if cd := res.header.Get("Content-Disposition"); strings.Contains(cd, "%E2%80%AE") || strings.Contains(cd, rlo) {
		t.Errorf("Content-Disposition keeps the RLO: %q", cd)
	}
}

// isolated reports whether the text containing want sits in a <bdi>.
func isolated(n *html.Node, want string) bool {
	for c := range n.Descendants() {
		if c.Type == html.TextNode && strings.Contains(c.Data, want) {
			for p := c.Parent; p != nil && p != n.Parent; p = p.Parent {
				if p.Data == "bdi" {
					return true
				}
			}
		}
	}
	return false
}
