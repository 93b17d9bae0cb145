// Package render turns a raw RFC 5322 message into view data for the
// webmail's view page: decoded header fields, the body to show (plain text
// as structured lines, or HTML sanitized for a sandboxed iframe), the
// attachments and any attached messages. It never fails and never panics:
// damaged input shows what could be read, with a note and ShowSource set.
//
// # Part IDs
//
// Parts are named by dotted section numbers as IMAP numbers them (RFC 3501
// section 6.4.5): the children of a multipart are numbered from 1 below the
// multipart's own number, and the message itself has no number, so the
// parts of a top-level multipart are "1", "2", ... and the body of a
// single-part message is "1". A message/rfc822 part keeps its own number
// ("2") for the attached message as a whole; the parts of the attached
// message are numbered below it exactly as for a top-level message: "2.1",
// "2.2", ... when it is a multipart, and "2.1" for its body when it is not.
// The same IDs work with OpenPart.
//
// # HTML bodies
//
// HTML is sanitized by a bluemonday policy written for mail (see
// mailPolicy) and then re-serialized token by token, which resolves cid:
// images through Options.CIDURL, replaces remote images by a
// <span class="remote-blocked"> placeholder unless Options.AllowRemote is
// set, and drops anything unsafe the policy might have let through. The
// result is meant only for a sandboxed iframe served with HTMLDocument and
// HTMLContentSecurityPolicy.
//
// # Charsets
//
// Every charset of go-message/charset is read, plus common misspellings;
// labels that promise nothing (unknown-8bit, x-unknown, us-ascii with 8-bit
// bytes) and unknown charsets are read as UTF-8 when valid, else as Latin-1
// (in bodies through its Windows-1252 superset); an unknown charset adds
// ProblemCharset.
package render

import "bytes"

// Render parses a raw message and returns what the view page shows.
func Render(raw []byte, opt Options) *View {
	w := newWalker(opt)
	root := w.message(bytes.NewReader(raw), "", 0, true)
	b := &builder{opt: opt, w: w}
	v := b.view(root, "")
	v.PartsOmitted = w.omitted
	iss := w.iss
	for _, p := range []struct {
		on   bool
		note string
	}{
		{iss.malformed, ProblemMalformed},
		{bytes.IndexByte(raw, 0) >= 0, ProblemNUL},
		{iss.encoding, ProblemEncoding},
		{iss.charset, ProblemCharset},
		{iss.longHeader, ProblemLongHeader},
		{iss.longText, ProblemLongText},
		{w.omitted > 0, ProblemTooManyParts},
		{iss.tooDeep, ProblemTooDeep},
	} {
		if p.on {
			v.Problems = append(v.Problems, p.note)
		}
	}
	v.ShowSource = len(v.Problems) > 0
	return v
}
