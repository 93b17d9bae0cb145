package render

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"gomailcgi/internal/mailmsg"
)

// testCIDURL is the part URL the tests hand to Message.
func testCIDURL(id string) string { return "/part?id=" + id }

// read parses raw as the site reads a message, with mailmsg.Read, within
// lim.
func read(raw []byte, lim mailmsg.Limits) *mailmsg.Message {
	m, _ := mailmsg.Read(bytes.NewReader(raw), lim) // a bytes.Reader does not fail
	return m
}

// viewOf is what the view page shows of raw, read with the parser's
// default limits.
func viewOf(raw []byte, opt Options) *View {
	return Message(read(raw, mailmsg.Limits{}), opt)
}

// plainText joins the shown plain-text lines with newlines, quote marks
// rendered as "> " per level.
func plainText(blocks []TextBlock) string {
	var b strings.Builder
	for _, blk := range blocks {
		for _, ln := range blk.Lines {
			b.WriteString(strings.Repeat("> ", blk.Level))
			for _, s := range ln.Segments {
				b.WriteString(s.Text)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// parseHTML parses a body fragment as a browser would inside <body>.
func parseHTML(t testing.TB, s string) []*html.Node {
	t.Helper()
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return nodes
}

// walkHTML calls f for every node under nodes.
func walkHTML(nodes []*html.Node, f func(*html.Node)) {
	for _, n := range nodes {
		f(n)
		var kids []*html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			kids = append(kids, c)
		}
		walkHTML(kids, f)
	}
}

// htmlText is the text content of an HTML fragment.
func htmlText(t testing.TB, s string) string {
	var b strings.Builder
	walkHTML(parseHTML(t, s), func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

// unsafeElements may never appear in sanitized output.
var unsafeElements = []string{
	"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
	"input", "button", "select", "textarea", "meta", "base", "link", "svg", "math",
	"template", "noscript", "video", "audio", "source", "title",
}

// htmlViolations lists what in sanitized HTML breaks the rules: unsafe
// elements, event handler attributes, script URLs, URLs that are neither
// http(s), mailto, data:image nor the test part URL, and unsafe styles.
func htmlViolations(t testing.TB, s string, allowRemote bool) []string {
	var bad []string
	walkHTML(parseHTML(t, s), func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		for _, u := range unsafeElements {
			if n.Data == u {
				bad = append(bad, "element <"+n.Data+">")
			}
		}
		for _, a := range n.Attr {
			key := strings.ToLower(a.Key)
			val := strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' {
					return -1
				}
				return r
			}, a.Val))
			switch {
			case strings.HasPrefix(key, "on"):
				bad = append(bad, "handler "+key+" on <"+n.Data+">")
			case strings.Contains(val, "javascript:") || strings.Contains(val, "vbscript:"):
				bad = append(bad, "script URL in "+key)
			case key == "style" && (strings.Contains(val, "url(") || strings.Contains(val, "expression") || strings.Contains(val, `\`)):
				bad = append(bad, "unsafe style "+a.Val)
			case key == "href" || key == "src" || key == "background" || key == "poster" || key == "srcset" || key == "action":
				ok := strings.HasPrefix(val, "https://") || strings.HasPrefix(val, "http://") ||
					strings.HasPrefix(val, "mailto:") || strings.HasPrefix(val, "/part?id=") ||
					strings.HasPrefix(val, "data:image/png;") || strings.HasPrefix(val, "data:image/gif;") ||
					strings.HasPrefix(val, "data:image/jpeg;") || strings.HasPrefix(val, "data:image/webp;")
				if key != "href" && key != "src" {
					ok = false
				}
				if key == "src" && !allowRemote && strings.HasPrefix(val, "http") {
					ok = false
				}
				if !ok {
					bad = append(bad, key+"="+a.Val+" on <"+n.Data+">")
				}
			}
		}
	})
	return bad
}

// assertSafeHTML fails the test for every violation htmlViolations finds.
func assertSafeHTML(t *testing.T, s string, allowRemote bool) {
	t.Helper()
	for _, v := range htmlViolations(t, s, allowRemote) {
		t.Errorf("unsafe HTML: %s", v)
	}
}

// elements returns the elements with the given tag name.
func elements(t testing.TB, s, tag string) []*html.Node {
	var out []*html.Node
	walkHTML(parseHTML(t, s), func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == tag {
			out = append(out, n)
		}
	})
	return out
}

// attr returns an attribute's value, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// attachmentNames lists "ID name" of the attachments.
func attachmentNames(v *View) []string {
	var out []string
	for _, a := range v.Attachments {
		out = append(out, a.ID+" "+a.Filename)
	}
	return out
}
