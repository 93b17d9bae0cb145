package render

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// sanitizer cleans HTML bodies of one message. bluemonday does the
// allowlisting of elements and attributes; rewrite then cleans styles,
// resolves cid: URLs, blocks remote images and re-checks every tag and
// attribute, a second wall should the policy ever let something through.
type sanitizer struct {
	allowRemote bool
	cidURL      func(partID string) string
	imageLabel  func(alt string) string // nil: English
	cids        map[string]string       // Content-ID -> part ID
	used        map[string]bool         // part IDs shown inline
	blocked     int
	policy      *bluemonday.Policy
	styles      map[string]string // style attributes cleaned, and what was left of them
}

// maxStyles is how many different style attributes a sanitizer keeps
// cleaned, each of at most maxStyleLen bytes: a newsletter repeats a few
// dozen short ones on every row, and a hostile message's long ones must
// not fill the memory.
const (
	maxStyles   = 512
	maxStyleLen = 1 << 10
)

// style is cleanStyle, remembered for the style attributes seen before.
func (s *sanitizer) style(v []byte) string {
	if c, ok := s.styles[string(v)]; ok {
		return c
	}
	c := cleanStyle(string(v))
	if s.styles == nil {
		s.styles = map[string]string{}
	}
	if len(s.styles) < maxStyles && len(v) <= maxStyleLen {
		s.styles[string(v)] = c
	}
	return c
}

// sanitize returns safe HTML for one HTML body, without blanks at either
// end.
func (s *sanitizer) sanitize(body string) string {
	var b strings.Builder
	b.Grow(len(body) + len(body)/8)
	w := bufio.NewWriterSize(&b, 32<<10)
	_ = s.sanitizeTo(w, strings.NewReader(body)) // a strings.Builder does not fail
	w.Flush()
	return b.String()
}

// sanitizeTo writes safe HTML for the HTML body read from r to w as it
// reads it, without blanks at either end, and returns the first error of
// r or w. bluemonday reads r in a goroutine of its own and hands its
// output on in pieces of 32 KB, up to four ahead of the second pass, so
// the two passes run side by side and neither holds more than a few
// pieces and the token it is in.
func (s *sanitizer) sanitizeTo(w *bufio.Writer, r io.Reader) error {
	p := newPieces(4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		bw := bufio.NewWriterSize(p, 32<<10)
		err := s.policy.SanitizeReaderToWriter(r, bw)
		if err == nil {
			err = bw.Flush()
		}
		p.close(err)
	}()
	err := s.rewrite(&trimWriter{w: w}, p)
	p.stopReading() // stops the goroutine should rewrite have ended first
	<-done          // r is not read after sanitizeTo returns
	return err
}

// pieces is a pipe that holds up to n pieces written to it: its writer
// goes on with the next while its reader works through those it was
// given (an io.Pipe would have the writer wait for every read).
type pieces struct {
	ch   chan []byte
	free chan []byte // pieces read, for the writer to fill again
	stop chan struct{}
	err  error  // the writer's, set before ch is closed
	cur  []byte // what is left of the piece being read
	read []byte // the whole of that piece
}

func newPieces(n int) *pieces {
	return &pieces{ch: make(chan []byte, n), free: make(chan []byte, n+1), stop: make(chan struct{})}
}

// Write hands a copy of b on as one piece; once the reader has stopped it
// fails with errStopped.
func (p *pieces) Write(b []byte) (int, error) {
	var piece []byte
	select {
	case piece = <-p.free:
	default:
	}
	select {
	case p.ch <- append(piece[:0], b...):
		return len(b), nil
	case <-p.stop:
		return 0, errStopped
	}
}

// close ends the pieces: the reader gets err after the last, or io.EOF
// when err is nil. The writer calls it once.
func (p *pieces) close(err error) {
	p.err = err
	close(p.ch)
}

func (p *pieces) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.read != nil {
			select {
			case p.free <- p.read:
			default:
			}
			p.read = nil
		}
		piece, ok := <-p.ch
		if !ok {
			if p.err != nil {
				return 0, p.err
			}
			return 0, io.EOF
		}
		p.cur, p.read = piece, piece
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// stopReading tells the writer that nothing more is read. The reader
// calls it once.
func (p *pieces) stopReading() { close(p.stop) }

// errStopped ends the first pass when the second has stopped reading it.
var errStopped = errors.New("render: output stopped")

// forbiddenTags never appear in the output, whatever the policy says.
func forbiddenTag(name string) bool {
	switch name {
	case "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
		"form", "input", "button", "select", "option", "textarea", "meta", "base", "link",
		"svg", "math", "template", "noscript", "title", "head", "html", "body", "video",
		"audio", "source", "track", "picture", "portal", "param", "xmp", "plaintext",
		"noembed", "noframes", "isindex", "image":
		return true
	}
	return false
}

// maxHTMLNesting bounds how deeply elements nest in the output; deeper
// tags are dropped (their text is kept), sparing the browser.
const maxHTMLNesting = 200

// rewrite re-serializes sanitized HTML token by token as it reads it.
// It returns the first error of r other than io.EOF, or of out.
func (s *sanitizer) rewrite(out *trimWriter, r io.Reader) error {
	z := xhtml.NewTokenizer(r)
	var open []string           // elements open, outermost first
	skipped := map[string]int{} // start tags dropped for depth, by name
	for out.err == nil {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return err
			}
			return out.err
		case xhtml.TextToken:
			// bluemonday wrote the text escaped as escaped does: without a
			// '<' or '>' it can only be text, and is passed on as written
			if raw := z.Raw(); !bytes.ContainsAny(raw, "<>") {
				out.bytes(raw)
			} else {
				out.escaped(z.Text())
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, more := z.TagName()
			if forbiddenTag(string(name)) || !plainTagName(name) {
				continue
			}
			tag := tagString(name)
			if tt == xhtml.StartTagToken && !voidOrOptionalEnd(tag) {
				if len(open) >= maxHTMLNesting {
					skipped[tag]++
					continue
				}
				open = append(open, tag)
			}
			s.writeStart(out, z, tag, more)
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if forbiddenTag(string(name)) || !plainTagName(name) {
				continue
			}
			tag := tagString(name)
			if skipped[tag] > 0 {
				skipped[tag]--
				continue
			}
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == tag {
					open = open[:i]
					break
				}
			}
			out.str("</")
			out.str(tag)
			out.str(">")
		}
	}
	return out.err
}

// tagString is a tag or attribute name as a string, without a copy for
// the names HTML knows.
func tagString(name []byte) string {
	if a := atom.Lookup(name); a != 0 {
		return a.String()
	}
	return string(name)
}

// plainTagName reports a tag name of lower-case letters and digits.
func plainTagName(name []byte) bool {
	if len(name) == 0 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// voidOrOptionalEnd reports elements that have no end tag, or whose end
// tag the parser implies, so they do not nest without bound.
func voidOrOptionalEnd(name string) bool {
	switch name {
	case "br", "hr", "img", "wbr", "col", "area", "p", "li", "dt", "dd", "td", "th", "tr",
		"tbody", "thead", "tfoot", "colgroup", "rp", "rt", "caption":
		return true
	}
	return false
}

// writeStart writes the start tag z is at, named tag, with checked
// attributes (more: it has some); a blocked or unresolvable image becomes
// a text placeholder.
func (s *sanitizer) writeStart(out *trimWriter, z *xhtml.Tokenizer, tag string, more bool) {
	var buf [8]xhtml.Attribute
	attrs := buf[:0]
	var alt, src, href string
	var haveSrc, haveHref bool // the first of each counts, as browsers take it
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		name := tagString(k) // the tokenizer has lower-cased it
		if strings.HasPrefix(name, "on") || strings.ContainsAny(name, "<>\"'/=` ") {
			continue
		}
		var val string
		if name == "style" {
			val = s.style(v) // a style seen before is not copied
		} else {
			val = string(v)
		}
		switch name {
		case "style":
			if val == "" || !safeCSSValue(val) {
				continue
			}
		case "href":
			if !haveHref {
				href, haveHref = val, true
			}
			continue // handled below
		case "src":
			if !haveSrc {
				src, haveSrc = val, true
			}
			continue // handled below
		case "alt":
			alt = val
		case "rel", "target":
			continue // set below for links
		}
		if isScriptURL(val) {
			continue
		}
		attrs = append(attrs, xhtml.Attribute{Key: name, Val: val})
	}
	switch tag {
	case "img":
		src, ok := s.imageSource(src)
		if !ok {
			writePlaceholder(out, alt, src == "remote", s.imageLabel)
			return
		}
		attrs = append(attrs, xhtml.Attribute{Key: "src", Val: src})
	case "a":
		if href, ok := s.linkTarget(href); ok {
			attrs = append(attrs,
				xhtml.Attribute{Key: "href", Val: href},
				xhtml.Attribute{Key: "rel", Val: "noopener noreferrer"},
				xhtml.Attribute{Key: "target", Val: "_blank"})
		}
	}
	out.str("<")
	out.str(tag)
	for _, a := range attrs {
		out.str(" ")
		out.str(a.Key)
		out.str(`="`)
		out.escapedString(a.Val)
		out.str(`"`)
	}
	out.str(">")
}

// imageSource decides an img src: a cid: reference becomes the caller's
// part URL, a remote one is kept only with AllowRemote, a data: image is
// kept (the policy has checked it). A blocked remote image returns
// "remote", false.
func (s *sanitizer) imageSource(src string) (string, bool) {
	src = strings.TrimSpace(src)
	lower := strings.ToLower(src)
	switch {
	case strings.HasPrefix(lower, "cid:"):
		return s.resolveCID(src[4:])
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		if s.allowRemote && validLinkURL(src) {
			return src, true
		}
		s.blocked++
		return "remote", false
	case strings.HasPrefix(lower, "data:image/"):
		for _, t := range []string{"png", "gif", "jpeg", "webp"} {
			if strings.HasPrefix(lower, "data:image/"+t+";base64,") {
				return src, true
			}
		}
	}
	return "", false
}

// linkTarget decides an a href: http, https and mailto stay; cid: points
// at the part.
func (s *sanitizer) linkTarget(href string) (string, bool) {
	href = strings.TrimSpace(href)
	lower := strings.ToLower(href)
	switch {
	case isScriptURL(href):
		return "", false
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		return href, validLinkURL(href)
	case strings.HasPrefix(lower, "mailto:"):
		return href, !strings.ContainsFunc(href, isBadControl)
	case strings.HasPrefix(lower, "cid:"):
		return s.resolveCID(href[4:])
	}
	return "", false
}

// resolveCID maps a cid: reference to the URL of this message's part.
func (s *sanitizer) resolveCID(ref string) (string, bool) {
	id := strings.Trim(percentDecodeString(ref), "<> ")
	partID, ok := s.cids[id]
	if !ok || s.cidURL == nil {
		return "", false
	}
	s.used[partID] = true
	return s.cidURL(partID), true
}

// writePlaceholder stands in for an image that is not shown.
func writePlaceholder(out *trimWriter, alt string, remote bool, imageLabel func(string) string) {
	if alt = strings.TrimSpace(alt); len(alt) > 200 {
		alt = strings.ToValidUTF8(alt[:200], "") // drops a rune cut in two
	}
	var label string
	switch {
	case imageLabel != nil:
		label = imageLabel(alt)
	case alt != "":
		label = "[image: " + alt + "]"
	default:
		label = "[image]"
	}
	class := "image-missing"
	if remote {
		class = "remote-blocked"
	}
	out.str(`<span class="` + class + `">`)
	out.escapedString(label)
	out.str(`</span>`)
}

// isScriptURL reports a value that names a script URL anywhere in it,
// also when hidden by case, blanks or control characters.
func isScriptURL(v string) bool {
	if !endsScriptScheme(v) {
		return false
	}
	var b strings.Builder
	for _, r := range v {
		if r <= ' ' || r == 0x7f {
			continue
		}
		b.WriteRune(r)
	}
	l := strings.ToLower(b.String())
	// Anywhere, not only as the scheme: "mailto:javascript:" runs nothing,
	// but it is never a real address either, and a client that reads
	// URLs loosely might run it.
	return strings.Contains(l, "javascript:") || strings.Contains(l, "vbscript:") || strings.Contains(l, "livescript:")
}

// endsScriptScheme reports whether a ':' in v follows a 't', blanks and
// control characters aside: where each of the script schemes ends. Most
// values have none, and need no closer look.
func endsScriptScheme(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] != ':' {
			continue
		}
		j := i - 1
		for j >= 0 && (v[j] <= ' ' || v[j] == 0x7f) {
			j--
		}
		if j >= 0 && (v[j] == 't' || v[j] == 'T') {
			return true
		}
	}
	return false
}

// percentDecodeString decodes %XX escapes in a cid: reference; one with
// a malformed escape is taken as it stands.
func percentDecodeString(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
