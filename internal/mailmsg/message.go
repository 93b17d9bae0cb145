package mailmsg

import (
	"bytes"
	"io"
)

// Default limits used when Limits leaves them at zero.
const (
	DefaultMaxParts = 1000
	DefaultMaxDepth = 20
)

// Limits bound one Read.
type Limits struct {
	// MaxParts is how many entities are kept before the rest are only
	// counted; 0 means DefaultMaxParts.
	MaxParts int
	// MaxDepth is how deep multiparts and attached messages are opened;
	// 0 means DefaultMaxDepth.
	MaxDepth int
	// MaxText is how much of one text part is kept; 0 means MaxTextPart,
	// which is also the most.
	MaxText int
	// MaxPlain, when above 0, is how much plain text (text/plain, or a
	// broken multipart shown as text) all the parts keep together, within
	// MaxText for each: for a page that shows only the start of plain
	// text, or none of it, while it takes HTML bodies whole.
	MaxPlain int
	// MaxTotal is how much text all the message's parts keep together, so
	// that a message of many texts costs no more than one; 0 means
	// MaxTextTotal, which is also the most.
	MaxTotal int
	// HTMLStart, when above 0, keeps only the start of each HTML body,
	// this many bytes, for a page that frames the body rather than shows
	// it; the rest is read past without being decoded (Entity.Cut), or
	// not read at all when nothing follows it (Message.Partial).
	HTMLStart int
}

// Message is a message parsed once: its root entity, what went wrong
// reading it, and how many parts were past the limit.
type Message struct {
	Root    *Entity
	Issues  Issues
	Omitted int   // entities past Limits.MaxParts, counted but not kept
	Size    int64 // bytes of the raw message read
	// Partial tells that Read left the end of the message unread: the
	// message is one HTML body cut at Limits.HTMLStart. Size, and the
	// Issues of the part not read, are then not known.
	Partial bool
}

// Read parses a message as it streams from r, in one pass.
// It keeps the headers and the text a page may show (Entity.Body, within
// MaxTextPart); every other body is only measured (base64 is counted,
// not decoded), so the memory it takes does not grow with the message.
// It is lenient and
// never panics: damaged input gives what could be read, with Issues set.
// The error is r's own, other than io.EOF; the message is then
// what was read before it, and must not be taken as whole. It reads r to
// its end, unless Limits.HTMLStart lets it stop early (Message.Partial).
func Read(r io.Reader, lim Limits) (*Message, error) {
	w := newWalker(lim)
	sr := &scanReader{r: r}
	root := w.message(sr, "", 0, true)
	if !w.stopped {
		// An epilogue, or what a broken structure left unread
		_, _ = io.Copy(io.Discard, sr)
	}
	w.iss.NUL = sr.nul
	return &Message{Root: root, Issues: w.iss, Omitted: w.omitted, Size: sr.n, Partial: w.stopped}, sr.err
}

// scanReader reads the raw message for Read: it counts the bytes, notes a
// NUL, and keeps the first error other than io.EOF, which the lenient walk
// below it would take for the end of the message.
type scanReader struct {
	r   io.Reader
	n   int64
	nul bool
	err error
}

func (s *scanReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, io.EOF
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if !s.nul && bytes.IndexByte(p[:n], 0) >= 0 {
		s.nul = true
	}
	// io.EOF itself, not an error that wraps it: a connection that
	// ended early is such an error
	if err != nil && err != io.EOF { //nolint:errorlint
		s.err = err
		err = io.EOF
	}
	return n, err
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
