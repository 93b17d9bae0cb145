package render

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"sync"

	"gomailcgi/internal/mailmsg"
)

// piece is one displayable text part of a body, decoded to UTF-8.
type piece struct {
	html, cut     bool // cut: only the start was read (mailmsg.Limits.HTMLStart)
	text          string
	flowed, delsp bool
}

// builder turns the nodes of one message, and its attached messages, into
// Views.
type builder struct {
	opt Options
	iss *mailmsg.Issues
}

// bodyState collects what one message's walk finds.
type bodyState struct {
	v      *View
	pieces []piece
}

// view builds the View of a message whose root entity is root.
func (b *builder) view(root *mailmsg.Entity, partID string) *View {
	v := &View{PartID: partID, Header: root.Envelope()}
	st := &bodyState{v: v}
	b.collect(root, st)
	b.finish(st, root)
	return v
}

// nested builds the View of an attached message, named as its part is.
func (b *builder) nested(n *mailmsg.Entity) *View {
	v := b.view(n.Attached, n.ID)
	v.Filename, v.Size = n.Filename, n.Size
	return v
}

// collect walks the body structure, choosing what to show.
func (b *builder) collect(n *mailmsg.Entity, st *bodyState) {
	switch {
	case n.Attached != nil:
		st.v.Nested = append(st.v.Nested, b.nested(n))
	case n.Multipart && n.MediaType == "multipart/alternative":
		b.alternative(n, st)
	case n.Multipart && n.MediaType == "multipart/related":
		b.related(n, st)
	case n.Multipart:
		for _, c := range n.Children {
			b.collect(c, st)
		}
	case n.Broken || n.IsTextCandidate():
		st.pieces = append(st.pieces, b.piece(n))
		if n.Size > int64(len(n.Body)) {
			st.v.Shortened = append(st.v.Shortened, attachment(n))
		}
	default:
		st.v.Attachments = append(st.v.Attachments, attachment(n))
	}
}

// alternative shows the preferred alternative and lists the parts of the
// others that are not text, so that nothing is hidden.
func (b *builder) alternative(n *mailmsg.Entity, st *bodyState) {
	want := "text/html"
	if b.opt.PreferPlain {
		want = "text/plain"
	}
	best, anyText := -1, -1
	for i, c := range n.Children {
		switch textKind(c) {
		case "text/plain":
			st.v.HasPlain = true
			anyText = i
		case "text/html":
			st.v.HasHTML = true
			anyText = i
		}
		if textKind(c) == want {
			best = i
		}
	}
	chosen := best
	if chosen < 0 {
		chosen = anyText
	}
	if chosen < 0 {
		chosen = len(n.Children) - 1
	}
	for i, c := range n.Children {
		if i == chosen {
			b.collect(c, st)
		} else {
			b.attachNonText(c, st)
		}
	}
}

// related shows the root part and lists the others (images the root
// refers to by cid: are marked Inline later).
func (b *builder) related(n *mailmsg.Entity, st *bodyState) {
	if len(n.Children) == 0 {
		return
	}
	start := strings.Trim(strings.TrimSpace(n.Params["start"]), "<>")
	root := 0
	for i, c := range n.Children {
		if start != "" && c.ContentID == start {
			root = i
			break
		}
	}
	for i, c := range n.Children {
		if i == root {
			b.collect(c, st)
		} else {
			b.attachNonText(c, st)
		}
	}
}

// attachNonText lists the parts under n that are not alternative bodies.
func (b *builder) attachNonText(n *mailmsg.Entity, st *bodyState) {
	switch {
	case n.Attached != nil:
		st.v.Nested = append(st.v.Nested, b.nested(n))
	case n.Multipart:
		for _, c := range n.Children {
			b.attachNonText(c, st)
		}
	case n.IsTextCandidate() || n.Broken:
	default:
		st.v.Attachments = append(st.v.Attachments, attachment(n))
	}
}

// textKind is "text/plain" or "text/html" when n is, or holds, a body of
// that kind, and "" otherwise. HTML wins inside a container.
func textKind(n *mailmsg.Entity) string {
	if n.IsTextCandidate() {
		return n.MediaType
	}
	if n.Broken {
		return "text/plain"
	}
	kind := ""
	for _, c := range n.Children {
		switch textKind(c) {
		case "text/html":
			return "text/html"
		case "text/plain":
			kind = "text/plain"
		}
	}
	return kind
}

// piece decodes a text part.
func (b *builder) piece(n *mailmsg.Entity) piece {
	cs, known := n.Params["charset"]
	isHTML := n.MediaType == "text/html" && !n.Broken
	if isHTML && !known {
		cs = sniffHTMLCharset(n.Body)
	}
	body := n.Body
	if n.Size > int64(len(body)) || n.Cut {
		// Only the start was kept: end it with its last whole line
		if i := bytes.LastIndexByte(body, '\n'); i > 0 {
			body = body[:i+1]
		}
	}
	text, unknown := mailmsg.DecodeCharset(body, cs)
	if unknown {
		b.iss.Charset = true
	}
	p := piece{html: isHTML, text: text, cut: n.Cut}
	if !isHTML {
		p.flowed = strings.EqualFold(n.Params["format"], "flowed")
		p.delsp = strings.EqualFold(n.Params["delsp"], "yes")
	}
	return p
}

// finish turns the collected pieces into the shown body.
func (b *builder) finish(st *bodyState, root *mailmsg.Entity) {
	v := st.v
	anyHTML := false
	for _, p := range st.pieces {
		if p.html {
			anyHTML = true
			v.HasHTML = true
		} else {
			v.HasPlain = true
		}
	}
	if b.opt.Written {
		v.Written = writtenText(st.pieces)
		return
	}
	if !anyHTML {
		if b.opt.HTMLOnly {
			return
		}
		for i, p := range st.pieces {
			if i > 0 {
				v.Text = append(v.Text, TextBlock{Lines: []TextLine{{}}})
			}
			v.Text = append(v.Text, textBlocks(p.text, p.flowed, p.delsp)...)
		}
		return
	}
	v.IsHTML = true
	cids := map[string]string{}
	collectCIDs(root, cids)
	s := &sanitizer{allowRemote: b.opt.AllowRemote, cidURL: b.opt.CIDURL, imageLabel: b.opt.ImageLabel, cids: cids, used: map[string]bool{}, policy: sharedPolicy()}
	var out strings.Builder
	for _, p := range st.pieces {
		if p.html {
			if p.cut {
				// The rest was not read: it may hold remote images
				v.PreviewCut, v.RemoteMaybe = true, true
			}
			out.WriteString(strings.TrimSpace(s.sanitize(p.text)))
			out.WriteString("\n")
			continue
		}
		out.WriteString(`<div style="white-space: pre-wrap">`)
		out.WriteString(string(textHTML(textBlocks(p.text, p.flowed, p.delsp))))
		out.WriteString("</div>\n")
	}
	v.HTML = template.HTML(out.String())
	v.RemoteBlocked = s.blocked
	for i := range v.Attachments {
		if s.used[v.Attachments[i].ID] {
			v.Attachments[i].Inline = true
		}
	}
}

// collectCIDs maps the Content-IDs of one message's parts (not those of
// attached messages) to their part IDs; the first part with an ID wins.
func collectCIDs(n *mailmsg.Entity, cids map[string]string) {
	if n.ContentID != "" && !n.Multipart {
		if _, dup := cids[n.ContentID]; !dup {
			cids[n.ContentID] = n.ID
		}
	}
	for _, c := range n.Children {
		collectCIDs(c, cids)
	}
}

// attachment describes an entity as an attachment of the view.
func attachment(n *mailmsg.Entity) Part {
	return Part{Part: n.Part()}
}

// metaCharsetRE finds a charset declared in an HTML head.
var metaCharsetRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})`)
})

// sniffHTMLCharset reads the charset an HTML part declares in a <meta>
// element near its start, or "" when it declares none.
func sniffHTMLCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if m := metaCharsetRE().FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}
