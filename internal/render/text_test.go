package render

import (
	"fmt"
	"strings"
	"testing"
)

// blocksString shows blocks as "level|line" rows for comparison.
func blocksString(blocks []TextBlock) string {
	var b strings.Builder
	for _, blk := range blocks {
		for _, ln := range blk.Lines {
			fmt.Fprintf(&b, "%d|", blk.Level)
			for _, s := range ln.Segments {
				if s.URL != "" {
					fmt.Fprintf(&b, "[%s]", s.URL)
				} else {
					b.WriteString(s.Text)
				}
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestTextBlocks(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		flowed, delsp bool
		want          string
	}{
		{"plain lines", "a\r\nb\r\n\r\nc\r\n", false, false, "0|a\n0|b\n0|\n0|c\n"},
		{"quote levels", "x\n> one\n>> two\n> > two spaced\n>three\nback", false, false,
			"0|x\n1|one\n2|two\n2|two spaced\n1|three\n0|back\n"},
		{"not a quote", " > indented\na > b", false, false, "0| > indented\n0|a > b\n"},
		{"flowed join", "one \r\ntwo \r\nthree\r\nfour", true, false, "0|one two three\n0|four\n"},
		{"flowed delsp", "Donau \r\ndampf", true, true, "0|Donaudampf\n"},
		{"flowed stuffing", " From here\r\n >not quoted", true, false, "0|From here\n0|>not quoted\n"},
		{"flowed quotes", "> a \r\n> b\r\n>> c \r\n> d", true, false, "1|a b\n2|c \n1|d\n"},
		{"flowed signature", "text\r\n-- \r\nsig", true, false, "0|text\n0|-- \n0|sig\n"},
		{"flowed soft at end", "dangling ", true, false, "0|dangling \n"},
		{"control characters", "a\x00b\x07c\td", false, false, "0|ab\uFFFDc\td\n"},
		{"deep quote capped", strings.Repeat(">", 50) + "x", false, false, "20|x\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := blocksString(textBlocks(tc.in, tc.flowed, tc.delsp))
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLinkify(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"see https://example.com/a?b=c.", "0|see [https://example.com/a?b=c].\n"},
		{"(http://example.com/x)", "0|([http://example.com/x])\n"},
		{"https://en.wikipedia.org/wiki/Go_(language), ok", "0|[https://en.wikipedia.org/wiki/Go_(language)], ok\n"},
		{"HTTPS://EXAMPLE.COM/UP", "0|[HTTPS://EXAMPLE.COM/UP]\n"},
		{"<https://example.com/in-brackets>", "0|<[https://example.com/in-brackets]>\n"},
		{"xhttps://example.com no", "0|xhttps://example.com no\n"},
		{"javascript:alert(1) http:// ftp://x.example", "0|javascript:alert(1) http:// ftp://x.example\n"},
		{`https://x.example/"><script>alert(1)</script>`, `0|[https://x.example/]"><script>alert(1)</script>` + "\n"},
		{"two http://a.example and https://b.example!", "0|two [http://a.example] and [https://b.example]!\n"},
		{"İhttps://example.com/ after a two-byte letter", "0|İhttps://example.com/ after a two-byte letter\n"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got := blocksString(textBlocks(tc.in, false, false))
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTextHTML checks the escaped HTML rendering of text blocks.
func TestTextHTML(t *testing.T) {
	out := string(textHTML(textBlocks("Hi <b>&\n> see https://x.example/?a=1&b=<2>\n>> deep", false, false)))
	assertSafeHTML(t, out, false)
	if got, want := htmlText(t, out), "Hi <b>&\nsee https://x.example/?a=1&b=<2>\ndeep\n"; got != want {
		t.Errorf("text: got %q, want %q", got, want)
	}
	links := elements(t, out, "a")
	if len(links) != 1 || attr(links[0], "href") != "https://x.example/?a=1&b=" || attr(links[0], "rel") != "noopener noreferrer" {
		t.Fatalf("links: got %d, want one to https://x.example/?a=1&b= with rel (HTML %q)", len(links), out)
	}
	quotes := elements(t, out, "blockquote")
	if len(quotes) != 2 || attr(quotes[0], "class") != "quote quote-1" || attr(quotes[1], "class") != "quote quote-2" {
		t.Errorf("blockquotes: got %d (HTML %q), want classes quote-1, quote-2", len(quotes), out)
	}
}

// Options.Written gives a body's plain text back as it was written: a
// text as it is, a flowed text joined again with its quote marks, more
// texts apart by a blank line, HTML left out.
func TestWritten(t *testing.T) {
	tests := []struct {
		name, body, contentType, want string
	}{
		{"as it is", "> > a\r\n>b\r\n  c \r\nno end", "text/plain", "> > a\r\n>b\r\n  c \r\nno end"},
		{"charset", "Zo\xeb\r\n", "text/plain; charset=iso-8859-1", "Zoë\r\n"},
		{"flowed", "one \r\ntwo\r\n> quoted \r\n> more\r\n  stuffed\r\n-- \r\nsig", "text/plain; format=flowed",
			"one two\n> quoted more\n stuffed\n-- \nsig\n"},
		{"flowed delsp", "Donau \r\ndampf\r\n", "text/plain; format=flowed; delsp=yes", "Donaudampf\n"},
		{"texts", "--b\r\nContent-Type: text/plain\r\n\r\none\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\ntwo\r\n--b--\r\n", `multipart/mixed; boundary="b"`, "one\n\ntwo"},
		{"alternative", "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n--b--\r\n",
			`multipart/alternative; boundary="b"`, "plain"},
		{"html only", "<p>html</p>", "text/html", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "Content-Type: " + tt.contentType + "\r\n\r\n" + tt.body
			v := viewOf([]byte(raw), Options{PreferPlain: true, Written: true})
			if v.Written != tt.want {
				t.Errorf("got %q, want %q", v.Written, tt.want)
			}
			if len(v.Text) > 0 || v.HTML != "" {
				t.Errorf("it built the body too: %d blocks, %d bytes of HTML", len(v.Text), len(v.HTML))
			}
		})
	}
}
