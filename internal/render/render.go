// Package render turns a message into what the view page shows: the body
// (plain text as structured lines, or HTML sanitized for a sandboxed
// iframe), the attachments and any attached messages, each with its
// decoded header fields. It never fails and never panics:
// damaged input shows what could be read, with a note and ShowSource set.
//
// # HTML bodies
//
// HTML is sanitized by a bluemonday policy written for mail (see
// mailPolicy) and then re-serialized token by token, which cleans style
// attributes (cleanStyle), resolves cid: images through Options.CIDURL,
// replaces remote images by a <span class="remote-blocked"> placeholder
// unless Options.AllowRemote is set, and drops anything unsafe the policy
// might have let through. The result is meant only for a sandboxed iframe
// served with HTMLDocument, or written as it is read by
// WriteHTMLDocument, and HTMLContentSecurityPolicy.
//
// Messages are parsed by package mailmsg; parts are named by its part IDs.
package render

import (
	"gomailcgi/internal/mailmsg"
)

// Message returns what the view page shows of a parsed message. It does
// not change m, so one parse can be shown in more than one way.
func Message(m *mailmsg.Message, opt Options) *View {
	iss := m.Issues
	b := &builder{opt: opt, iss: &iss}
	v := b.view(m.Root, "")
	v.PartsOmitted = m.Omitted
	for _, p := range []struct {
		on   bool
		note string
	}{
		{iss.Malformed, ProblemMalformed},
		{iss.NUL, ProblemNUL},
		{iss.Encoding, ProblemEncoding},
		{iss.Charset, ProblemCharset},
		{iss.LongHeader, ProblemLongHeader},
		// A text listed in Shortened has a note and a link of its own
		{iss.LongText && !v.shortened(), ProblemLongText},
		{m.Omitted > 0, ProblemTooManyParts},
		{iss.TooDeep, ProblemTooDeep},
	} {
		if p.on {
			v.Problems = append(v.Problems, p.note)
		}
	}
	v.ShowSource = len(v.Problems) > 0
	return v
}

// shortened reports whether v, or a message it carries, lists a text
// shown only in part.
func (v *View) shortened() bool {
	if len(v.Shortened) > 0 {
		return true
	}
	for _, n := range v.Nested {
		if n.shortened() {
			return true
		}
	}
	return false
}
