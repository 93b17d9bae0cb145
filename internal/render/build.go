package render

import (
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// piece is one displayable text part of a body, decoded to UTF-8.
type piece struct {
	html          bool
	text          string
	flowed, delsp bool
}

// builder turns the nodes of one message, and its attached messages, into
// Views.
type builder struct {
	opt    Options
	w      *walker
	policy *bluemonday.Policy // built on first use
}

// bodyState collects what one message's walk finds.
type bodyState struct {
	v      *View
	pieces []piece
}

// view builds the View of a message whose root entity is root.
func (b *builder) view(root *node, partID string) *View {
	v := &View{PartID: partID, Header: buildHeader(root.h)}
	st := &bodyState{v: v}
	b.collect(root, st)
	b.finish(st, root)
	return v
}

// collect walks the body structure, choosing what to show.
func (b *builder) collect(n *node, st *bodyState) {
	switch {
	case n.msg != nil:
		st.v.Nested = append(st.v.Nested, b.view(n.msg, n.id))
	case n.multipart && n.mediaType == "multipart/alternative":
		b.alternative(n, st)
	case n.multipart && n.mediaType == "multipart/related":
		b.related(n, st)
	case n.multipart:
		for _, c := range n.children {
			b.collect(c, st)
		}
	case n.broken || n.isTextCandidate():
		st.pieces = append(st.pieces, b.piece(n))
	default:
		st.v.Attachments = append(st.v.Attachments, partOf(n))
	}
}

// alternative shows the preferred alternative and lists the parts of the
// others that are not text, so that nothing is hidden.
func (b *builder) alternative(n *node, st *bodyState) {
	want := "text/html"
	if b.opt.PreferPlain {
		want = "text/plain"
	}
	best, anyText := -1, -1
	for i, c := range n.children {
		switch c.textKind() {
		case "text/plain":
			st.v.HasPlain = true
			anyText = i
		case "text/html":
			st.v.HasHTML = true
			anyText = i
		}
		if c.textKind() == want {
			best = i
		}
	}
	chosen := best
	if chosen < 0 {
		chosen = anyText
	}
	if chosen < 0 {
		chosen = len(n.children) - 1
	}
	for i, c := range n.children {
		if i == chosen {
			b.collect(c, st)
		} else {
			b.attachNonText(c, st)
		}
	}
}

// related shows the root part and lists the others (images the root
// refers to by cid: are marked Inline later).
func (b *builder) related(n *node, st *bodyState) {
	if len(n.children) == 0 {
		return
	}
	start := strings.Trim(strings.TrimSpace(n.params["start"]), "<>")
	root := 0
	for i, c := range n.children {
		if start != "" && c.contentID == start {
			root = i
			break
		}
	}
	for i, c := range n.children {
		if i == root {
			b.collect(c, st)
		} else {
			b.attachNonText(c, st)
		}
	}
}

// attachNonText lists the parts under n that are not alternative bodies.
func (b *builder) attachNonText(n *node, st *bodyState) {
	switch {
	case n.msg != nil:
		st.v.Nested = append(st.v.Nested, b.view(n.msg, n.id))
	case n.multipart:
		for _, c := range n.children {
			b.attachNonText(c, st)
		}
	case n.isTextCandidate() || n.broken:
	default:
		st.v.Attachments = append(st.v.Attachments, partOf(n))
	}
}

// textKind is "text/plain" or "text/html" when n is, or holds, a body of
// that kind, and "" otherwise. HTML wins inside a container.
func (n *node) textKind() string {
	if n.isTextCandidate() {
		return n.mediaType
	}
	if n.broken {
		return "text/plain"
	}
	kind := ""
	for _, c := range n.children {
		switch c.textKind() {
		case "text/html":
			return "text/html"
		case "text/plain":
			kind = "text/plain"
		}
	}
	return kind
}

// piece decodes a text part.
func (b *builder) piece(n *node) piece {
	cs, known := n.params["charset"]
	isHTML := n.mediaType == "text/html" && !n.broken
	if isHTML && !known {
		cs = sniffHTMLCharset(n.body)
	}
	text, unknown := decodeCharset(n.body, cs)
	if unknown {
		b.w.iss.charset = true
	}
	p := piece{html: isHTML, text: text}
	if !isHTML {
		p.flowed = strings.EqualFold(n.params["format"], "flowed")
		p.delsp = strings.EqualFold(n.params["delsp"], "yes")
	}
	return p
}

// finish turns the collected pieces into the shown body.
func (b *builder) finish(st *bodyState, root *node) {
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
	if !anyHTML {
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
	if b.policy == nil {
		b.policy = mailPolicy()
	}
	s := &sanitizer{allowRemote: b.opt.AllowRemote, cidURL: b.opt.CIDURL, cids: cids, used: map[string]bool{}, policy: b.policy}
	var out strings.Builder
	for _, p := range st.pieces {
		if p.html {
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
func collectCIDs(n *node, cids map[string]string) {
	if n.contentID != "" && !n.multipart {
		if _, dup := cids[n.contentID]; !dup {
			cids[n.contentID] = n.id
		}
	}
	for _, c := range n.children {
		collectCIDs(c, cids)
	}
}

// partOf describes a node as an attachment.
func partOf(n *node) Part {
	return Part{
		ID:          n.id,
		Filename:    n.filename,
		ContentType: n.mediaType,
		Charset:     n.params["charset"],
		ContentID:   n.contentID,
		Disposition: n.disposition,
		Size:        n.size,
	}
}
