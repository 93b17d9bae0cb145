package mailmsg

import "bytes"

// Default limits used when Limits leaves them at zero.
const (
	DefaultMaxParts = 1000
	DefaultMaxDepth = 20
)

// Limits bound one Parse.
type Limits struct {
	// MaxParts is how many entities are kept before the rest are only
	// counted; 0 means DefaultMaxParts.
	MaxParts int
	// MaxDepth is how deep multiparts and attached messages are opened;
	// 0 means DefaultMaxDepth.
	MaxDepth int
}

// Message is a message parsed once: its root entity, what went wrong
// reading it, and how many parts were past the limit.
type Message struct {
	Root    *Entity
	Issues  Issues
	Omitted int // entities past Limits.MaxParts, counted but not kept
}

// Parse reads a whole raw message leniently. It never fails and never
// panics: damaged input gives what could be read, with Issues set.
func Parse(raw []byte, lim Limits) *Message {
	w := newWalker(lim)
	root := w.message(bytes.NewReader(raw), "", 0, true)
	return &Message{Root: root, Issues: w.iss, Omitted: w.omitted}
}

// Part describes one MIME part: an attachment, an inline image, or the
// part found by OpenPart.
type Part struct {
	// ID is the dotted IMAP-style section number (see the package doc).
	ID string
	// Filename is the decoded, path-free file name, or "" when none is given.
	Filename string
	// ContentType is the lower-case media type, e.g. "image/png".
	ContentType string
	// Charset is the declared charset parameter, if any.
	Charset string
	// ContentID is the Content-ID without angle brackets.
	ContentID string
	// Disposition is "inline", "attachment" or "" as declared.
	Disposition string
	// Size is the decoded size in bytes; -1 when unknown (OpenPart).
	Size int64
}

// Part describes the entity as an attachment.
func (n *Entity) Part() Part {
	return Part{
		ID:          n.ID,
		Filename:    n.Filename,
		ContentType: n.MediaType,
		Charset:     n.Params["charset"],
		ContentID:   n.ContentID,
		Disposition: n.Disposition,
		Size:        n.Size,
	}
}
