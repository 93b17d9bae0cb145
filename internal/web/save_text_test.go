package web

import (
	"net/http"
	"strings"
	"testing"
)

// The whole of a text too long for the view downloads as a .txt file
// named after the subject, encoded for any browser (RFC 6266); the same
// part asked for without save still opens in the browser as before.
func TestSaveWholeTextNamedAfterSubject(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	line := "Ein Bericht, Zeile für Zeile, bis der Text zu lang ist.\r\n"
	text := strings.Repeat(line, viewText/len(line)+100)
	h.mail.Mailbox(aliceUser).Add([]byte("From: a@example.net\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe_/_Bericht?=\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text))

	list, _ := h.list(tok, 1)
	d := parseDoc(t, h.get(list.viewLink("Grüße / Bericht")).body)
	link := d.link("Download the whole text")
	res := h.get(link)
	if res.status != http.StatusOK || res.body != text {
		t.Fatalf("status %d, %d bytes, want 200 and the %d bytes of the text", res.status, len(res.body), len(text))
	}
	want := `attachment; filename="Gr__e _ Bericht.txt"; filename*=utf-8''Gr%C3%BC%C3%9Fe%20_%20Bericht.txt`
	if got := res.header.Get("Content-Disposition"); got != want {
		t.Errorf("Content-Disposition %q, want %q", got, want)
	}
	if got := res.header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/plain; charset=utf-8", got)
	}
	shown := h.get(strings.Replace(link, "&save=1", "", 1))
	if got := shown.header.Get("Content-Disposition"); !strings.HasPrefix(got, "inline;") || shown.body != text {
		t.Errorf("without save: Content-Disposition %q, %d bytes; want the text inline", got, len(shown.body))
	}
}
