package render

import (
	"html/template"

	"gomailcgi/internal/mailmsg"
)

// Options tune one Message call.
type Options struct {
	// PreferPlain shows the text/plain alternative when there is one.
	PreferPlain bool
	// AllowRemote keeps http and https image sources in HTML bodies.
	AllowRemote bool
	// CIDURL builds the URL at which the web layer serves the part with the
	// given ID; it is used for cid: images and links. When nil, cid:
	// references are replaced by placeholders.
	CIDURL func(partID string) string
	// HTMLOnly leaves Text empty when the body is not HTML, for a page
	// that shows only an HTML body: a long text then costs it nothing.
	HTMLOnly bool
	// Written puts the plain texts of the body in View.Written as their
	// writer wrote them, and leaves Text and HTML empty: for a form that
	// takes a text back (a draft), at the cost of the text alone. An HTML
	// body is left out.
	Written bool
	// ImageLabel is the text that stands in for an image an HTML body
	// does not show, in the reader's language, given its alt text
	// (maybe ""); nil means English: "[image]", "[image: alt]".
	ImageLabel func(alt string) string
}

// Fixed, friendly notes that View.Problems may hold.
const (
	ProblemMalformed    = "This message is not well formed; parts of it may be missing or shown as plain text."
	ProblemEncoding     = "Part of this message could not be decoded correctly."
	ProblemCharset      = "Part of this message uses an unknown character set; it is shown as best we can."
	ProblemNUL          = "This message contains NUL bytes, which mail must not contain."
	ProblemTooManyParts = "This message has too many parts; only the first ones are listed."
	ProblemTooDeep      = "This message is nested too deeply; the innermost parts are listed as attachments."
	ProblemLongHeader   = "A header line was too long and has been shortened."
	ProblemLongText     = "The message text is very long and has been shortened."
)

// View is everything the view page shows of one message, already decoded.
type View struct {
	// PartID is empty for the message itself and the part ID of the
	// message/rfc822 part for a nested message.
	PartID string
	// Filename is the file name a nested message's part gives it, or "";
	// Size is a nested message's decoded size in bytes.
	Filename string
	Size     int64
	Header   mailmsg.Envelope
	// Text is the body when it is shown as plain text.
	Text []TextBlock
	// Written is the body's plain text as it was written, its line ends
	// CRLF or LF (Options.Written).
	Written string
	// HTML is the sanitized body when it is shown as HTML. It is meant only
	// for the sandboxed iframe document (see HTMLDocument), never for the
	// main page.
	HTML template.HTML
	// IsHTML tells which of Text and HTML holds the body.
	IsHTML bool
	// HasHTML and HasPlain tell which kinds of body the message offers, so
	// the page can offer a switch when both exist.
	HasHTML, HasPlain bool
	// RemoteBlocked counts remote images that were replaced by placeholders.
	RemoteBlocked int
	// PreviewCut tells that HTML is only the start of the body, as the
	// parse kept it (mailmsg.Limits.HTMLStart); RemoteMaybe then tells
	// that the rest may hold more remote images, which RemoteBlocked does
	// not count.
	PreviewCut, RemoteMaybe bool
	// Attachments lists every part that is not the shown body.
	Attachments []Part
	// Shortened lists the shown text parts that were too long to show
	// whole (mailmsg.MaxTextPart): the body shows their start.
	Shortened []Part
	// Nested holds attached messages (message/rfc822), in order.
	Nested []*View
	// PartsOmitted counts parts past Options.MaxParts that are not listed.
	PartsOmitted int
	// Problems holds fixed notes (the Problem constants) about a damaged or
	// unusual message; only the top-level View carries them.
	Problems []string
	// ShowSource is true when the raw source should be offered because
	// parsing had problems.
	ShowSource bool
}

// Part describes one attachment or inline image of the view.
type Part struct {
	mailmsg.Part
	// Inline is true when the shown HTML body displays this part (cid:).
	Inline bool
}

// TextBlock is a run of plain-text lines at one quote level.
type TextBlock struct {
	// Level is the quote depth: 0 for the writer's own text, 1 for "> ".
	Level int
	Lines []TextLine
}

// TextLine is one displayed line, split into text and link segments.
type TextLine struct {
	Segments []Segment
}

// Segment is a run of text; when URL is set, the text is a link to it.
// URL is always an absolute http or https URL.
type Segment struct {
	Text string
	URL  string
}

// FindNested returns the nested message view with the given part ID,
// searching all levels, or nil.
func (v *View) FindNested(partID string) *View {
	for _, n := range v.Nested {
		if n.PartID == partID {
			return n
		}
		if f := n.FindNested(partID); f != nil {
			return f
		}
	}
	return nil
}
