package render

import (
	"bytes"
	"html"
	"net/url"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

// sanitizer cleans HTML bodies of one message. bluemonday does the
// allowlisting; rewrite then resolves cid: URLs, blocks remote images and
// re-checks every tag and attribute, a second wall should the policy ever
// let something through.
type sanitizer struct {
	allowRemote bool
	cidURL      func(partID string) string
	imageLabel  func(alt string) string // nil: English
	cids        map[string]string       // Content-ID -> part ID
	used        map[string]bool         // part IDs shown inline
	blocked     int
	policy      *bluemonday.Policy
}

// sanitize returns safe HTML for one HTML body.
func (s *sanitizer) sanitize(body string) string {
	return s.rewrite(s.policy.Sanitize(body))
}

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

// rewrite re-serializes sanitized HTML token by token.
func (s *sanitizer) rewrite(in string) string {
	z := xhtml.NewTokenizer(strings.NewReader(in))
	var out bytes.Buffer
	out.Grow(len(in) + len(in)/8)
	var open []string           // elements open, outermost first
	skipped := map[string]int{} // start tags dropped for depth, by name
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return out.String()
		case xhtml.TextToken:
			out.WriteString(html.EscapeString(string(z.Text())))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			t := z.Token()
			if forbiddenTag(t.Data) || !plainTagName(t.Data) {
				continue
			}
			if tt == xhtml.StartTagToken && !voidOrOptionalEnd(t.Data) {
				if len(open) >= maxHTMLNesting {
					skipped[t.Data]++
					continue
				}
				open = append(open, t.Data)
			}
			s.writeStart(&out, t)
		case xhtml.EndTagToken:
			t := z.Token()
			if forbiddenTag(t.Data) || !plainTagName(t.Data) {
				continue
			}
			if skipped[t.Data] > 0 {
				skipped[t.Data]--
				continue
			}
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == t.Data {
					open = open[:i]
					break
				}
			}
			out.WriteString("</" + t.Data + ">")
		}
	}
}

// plainTagName reports a tag name of lower-case letters and digits.
func plainTagName(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
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

// writeStart writes a start tag with checked attributes; a blocked or
// unresolvable image becomes a text placeholder.
func (s *sanitizer) writeStart(out *bytes.Buffer, t xhtml.Token) {
	var attrs []xhtml.Attribute
	alt := ""
	for _, a := range t.Attr {
		name := strings.ToLower(a.Key)
		if a.Namespace != "" || strings.HasPrefix(name, "on") || strings.ContainsAny(name, "<>\"'/=` ") {
			continue
		}
		switch name {
		case "style":
			if !safeCSSValue(a.Val) {
				continue
			}
		case "href", "src":
			continue // handled below
		case "alt":
			alt = a.Val
		case "rel", "target":
			continue // set below for links
		}
		if isScriptURL(a.Val) {
			continue
		}
		attrs = append(attrs, xhtml.Attribute{Key: name, Val: a.Val})
	}
	switch t.Data {
	case "img":
		src, ok := s.imageSource(attrValue(t, "src"))
		if !ok {
			writePlaceholder(out, alt, src == "remote", s.imageLabel)
			return
		}
		attrs = append(attrs, xhtml.Attribute{Key: "src", Val: src})
	case "a":
		if href, ok := s.linkTarget(attrValue(t, "href")); ok {
			attrs = append(attrs,
				xhtml.Attribute{Key: "href", Val: href},
				xhtml.Attribute{Key: "rel", Val: "noopener noreferrer"},
				xhtml.Attribute{Key: "target", Val: "_blank"})
		}
	}
	out.WriteString("<" + t.Data)
	for _, a := range attrs {
		out.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
	}
	out.WriteString(">")
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
func writePlaceholder(out *bytes.Buffer, alt string, remote bool, imageLabel func(string) string) {
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
	out.WriteString(`<span class="` + class + `">` + html.EscapeString(label) + `</span>`)
}

func attrValue(t xhtml.Token, key string) string {
	for _, a := range t.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// isScriptURL reports a value that names a script URL anywhere in it,
// also when hidden by case, blanks or control characters.
func isScriptURL(v string) bool {
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

// percentDecodeString decodes %XX escapes in a cid: reference; one with
// a malformed escape is taken as it stands.
func percentDecodeString(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
