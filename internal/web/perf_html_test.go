package web

import (
	"bytes"
	"fmt"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// bigHTMLMessage is a newsletter as mail programs send them: one
// text/html part in quoted-printable, with a style sheet, a layout table,
// headings, links, lists, remote images and non-ASCII text, whose encoded
// body is at least size bytes. Lines end in LF, as in a Maildir.
func bigHTMLMessage(subject string, size int) []byte {
	var body bytes.Buffer
	qp := quotedprintable.NewWriter(lfOnly{&body})
	fmt.Fprint(qp, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Weekly digest</title>
<style>body{font-family:Georgia,serif;color:#222}td.story{padding:12px 24px}h2{color:#0b5394}</style>
</head><body><table role="presentation" width="100%" cellpadding="0" cellspacing="0">
`)
	for i := 1; body.Len() < size; i++ {
		fmt.Fprintf(qp, `<tr><td class="story"><h2>Story %d: the café on Müllerstraße – a report</h2>
<p><img src="https://news.example.com/img/story-%d.jpg" width="560" height="240" alt="Picture for story %d"></p>
`, i, i, i)
		for k := range 4 {
			fmt.Fprintf(qp, "<p>%s <a href=\"https://news.example.com/story/%d#p%d\">read more</a>, "+
				"or <b>reply</b> and tell us what you <em>think</em>.</p>\n", perfWords(i*7+k, 60), i, k)
		}
		fmt.Fprintf(qp, "<ul><li>%s</li><li>%s</li><li>%s</li></ul></td></tr>\n",
			perfWords(i, 8), perfWords(i+1, 9), perfWords(i+2, 10))
	}
	fmt.Fprint(qp, "</table><p style=\"font-size:small\">You get this because you asked to. "+
		"<a href=\"https://news.example.com/unsubscribe\">Unsubscribe</a></p></body></html>\n")
	qp.Close()
	head := "From: \"News Example\" <news@example.com>\n" +
		"To: webperf-view@example.test\n" +
		"Subject: " + subject + "\n" +
		"Date: Fri, 27 Mar 2026 10:00:00 +0000\n" +
		"Message-ID: <perf-big-html@example.com>\n" +
		"MIME-Version: 1.0\n" +
		"Content-Type: text/html; charset=utf-8\n" +
		"Content-Transfer-Encoding: quoted-printable\n\n"
	return append([]byte(head), body.Bytes()...)
}

// lfOnly drops the CRs of the quoted-printable writer's CRLFs: the text
// has no CR of its own, which the writer would encode as =0D.
type lfOnly struct{ b *bytes.Buffer }

func (w lfOnly) Write(p []byte) (int, error) {
	w.b.Write(bytes.ReplaceAll(p, []byte("\r"), nil))
	return len(p), nil
}

// perfWords is n words of filler text, different for each seed.
func perfWords(seed, n int) string {
	words := strings.Fields("the council met on tuesday to discuss plans for the new library " +
		"which residents have asked about for years while budgets grew tight and " +
		"volunteers kept the old reading room open every weekend with coffee")
	out := make([]string, n)
	for j := range out {
		out[j] = words[(seed*31+j*17)%len(words)]
	}
	return strings.Join(out, " ")
}

func TestBigHTMLMessage(t *testing.T) {
	raw := bigHTMLMessage("s", 1<<20)
	if len(raw) < 1<<20 || len(raw) > 1<<20+8<<10 {
		t.Errorf("%d bytes, want just over 1 MB", len(raw))
	}
	if bytes.Contains(raw, []byte("\r")) {
		t.Error("a CR in the message; want LF line ends")
	}
	for i, line := range bytes.Split(raw, []byte("\n")) {
		if len(line) > 998 {
			t.Fatalf("line %d: %d bytes, past RFC 5322's 998", i+1, len(line))
		}
	}
}
