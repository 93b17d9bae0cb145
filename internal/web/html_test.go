package web

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// doc is a parsed page with finders for the assertions.
type doc struct {
	t    testing.TB
	root *html.Node
}

func parseDoc(t testing.TB, body string) *doc {
	t.Helper()
	root, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing page: %v", err)
	}
	return &doc{t: t, root: root}
}

// all returns every element for which match is true, in document order.
func (d *doc) all(match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for n := range d.root.Descendants() {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	}
	return out
}

func (d *doc) tag(name string) []*html.Node {
	return d.all(func(n *html.Node) bool { return n.Data == name })
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func attrOf(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}

// text is the text content of n, spaces collapsed.
// The isolates that set text from mail apart inside a sentence (the
// template function bdi) are left out: a reader does not see them.
func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(isolates.Replace(b.String())), " ")
}

var isolates = strings.NewReplacer("\u2068", "", "\u2069", "")

// rawText is the text content of n as it stands.
func rawText(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func (d *doc) title() string {
	if ts := d.tag("title"); len(ts) > 0 {
		return text(ts[0])
	}
	return ""
}

// alert is the text of the role="alert" element, or "".
func (d *doc) alert() string {
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "role") == "alert" }) {
		return text(n)
	}
	return ""
}

// link is the href of the first link whose text is s; the test fails if
// there is none.
func (d *doc) link(s string) string {
	d.t.Helper()
	for _, a := range d.tag("a") {
		if text(a) == s {
			return attrOf(a, "href")
		}
	}
	d.t.Fatalf("no link %q on the page", s)
	return ""
}

func (d *doc) hasLink(s string) bool {
	for _, a := range d.tag("a") {
		if text(a) == s {
			return true
		}
	}
	return false
}

// field is the value of the first input or textarea named name.
func (d *doc) field(name string) string {
	d.t.Helper()
	found := d.all(func(n *html.Node) bool {
		return (n.Data == "input" || n.Data == "textarea") && attrOf(n, "name") == name
	})
	if len(found) == 0 {
		d.t.Fatalf("no field %q on the page", name)
		return ""
	}
	if n := found[0]; n.Data == "textarea" {
		return rawText(n)
	}
	return attrOf(found[0], "value")
}

// inputs returns the inputs named name.
func (d *doc) inputs(name string) []*html.Node {
	return d.all(func(n *html.Node) bool { return n.Data == "input" && attrOf(n, "name") == name })
}

// token is the fresh token the page carries in its forms or links.
func (d *doc) token() string {
	d.t.Helper()
	if in := d.inputs("t"); len(in) > 0 {
		return attrOf(in[0], "value")
	}
	for _, a := range d.tag("a") {
		if u, err := url.Parse(attrOf(a, "href")); err == nil && u.Query().Get("t") != "" {
			return u.Query().Get("t")
		}
	}
	d.t.Fatal("no token on the page")
	return ""
}

// rows are the list's message rows, as their subject link texts.
func (d *doc) subjects() []string {
	var out []string
	for _, td := range d.all(func(n *html.Node) bool { return n.Data == "td" && attrOf(n, "class") == "subject" }) {
		for c := range td.Descendants() {
			if c.Type == html.ElementNode && c.Data == "a" {
				out = append(out, text(c))
				break
			}
		}
	}
	return out
}

// viewLink is the view URL of the listed message with this subject.
func (d *doc) viewLink(subject string) string {
	d.t.Helper()
	for _, td := range d.all(func(n *html.Node) bool { return n.Data == "td" && attrOf(n, "class") == "subject" }) {
		for c := range td.Descendants() {
			if c.Type == html.ElementNode && c.Data == "a" && text(c) == subject {
				return attrOf(c, "href")
			}
		}
	}
	d.t.Fatalf("no message %q in the list; have %q", subject, d.subjects())
	return ""
}

// refOf is the m parameter of a URL.
func refOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("m")
}

// pathOf is a link without the host, as h.get takes it.
func pathOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}
