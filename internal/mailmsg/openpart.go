package mailmsg

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Errors returned by OpenPart and PartWalker.Open.
var (
	ErrBadPartID    = errors.New("mailmsg: malformed part ID")
	ErrPartNotFound = errors.New("mailmsg: no such part")
	// ErrPartPassed: the walk is already past the part (it was opened
	// before, comes before one opened, or holds one opened).
	ErrPartPassed = errors.New("mailmsg: part already passed")
)

// maxPartIDDepth bounds the components of a part ID OpenPart accepts.
const maxPartIDDepth = 64

// OpenPart reads a message from r up to the part with the given ID (see
// the package doc) and returns its description and a reader of its body
// with the transfer encoding undone (charsets are not converted). The
// reader reads on from r, so nothing else is buffered; it is valid until r
// is closed. Size is -1: it is not known before the body is read.
func OpenPart(r io.Reader, partID string) (*Part, io.Reader, error) {
	return NewPartWalker(r).Open(partID)
}

// PartWalker opens parts of one message, as OpenPart does, in one pass
// over it: each Open reads on from where the part opened before lies, so
// parts opened in document order (ComparePartIDs) cost one reading of the
// message. Opening a part ends the body reader of the one before.
type PartWalker struct {
	br       *bufio.Reader
	levels   []*level  // the containers around the part opened last, outermost first
	root     Header    // the message's own header, once read
	rootBody io.Reader // what follows it, once the header is read
	last     []int     // the path of the part opened last
	err      error     // a failed Open left the walk somewhere unknown
}

// level is a container the walk is inside: a multipart, whose children
// are numbered from 1, or a message whose body is not a multipart, and
// which is numbered "1" itself.
type level struct {
	mr        *multipartReader // nil for a message that is no multipart
	childType string
	at        int // the number of the child the walk is at; 0 before the first
	// the child the walk is at: for a message, the message itself
	h    Header
	body io.Reader
	info entityInfo
}

// NewPartWalker starts a walk over the message r; nothing is read yet.
func NewPartWalker(r io.Reader) *PartWalker {
	return &PartWalker{br: bufio.NewReaderSize(r, 4096)}
}

// Open returns the description and decoded body of the part with the
// given ID, as OpenPart does. A part the walk is past fails with
// ErrPartPassed, and the walk goes on; after any other error every later
// Open fails with it.
func (w *PartWalker) Open(partID string) (*Part, io.Reader, error) {
	path, err := parsePartID(partID)
	if err != nil {
		return nil, nil, err
	}
	if w.err != nil {
		return nil, nil, w.err
	}
	w.start()
	// The walk keeps the containers the two paths share, and goes on in
	// the first one where they part.
	k := 0
	for k < len(path) && k < len(w.last) && path[k] == w.last[k] {
		k++
	}
	if w.last != nil && (k == len(path) || k == len(w.last) || path[k] < w.last[k]) {
		return nil, nil, ErrPartPassed
	}
	w.levels = w.levels[:k+1]
	for i := k; ; i++ {
		l := w.levels[i]
		if err := l.advance(path[i]); err != nil {
			w.err = err
			return nil, nil, err
		}
		if i == len(path)-1 {
			break
		}
		inner, err := l.enter()
		if err != nil {
			w.err = err
			return nil, nil, err
		}
		w.levels = append(w.levels, inner)
	}
	w.last = path
	l := w.levels[len(w.levels)-1]
	var bad bool
	dec, _ := transferDecoder(l.h.Get("Content-Transfer-Encoding"), l.body, &bad)
	return &Part{
		ID:          partID,
		Filename:    CleanFilename(firstNonEmpty(l.info.dparams["filename"], l.info.Params["name"])),
		ContentType: l.info.MediaType,
		Charset:     l.info.Params["charset"],
		ContentID:   strings.Trim(strings.TrimSpace(DecodeHeaderText(l.h.Get("Content-ID"))), "<>"),
		Disposition: l.info.Disposition,
		Size:        -1,
	}, dec, nil
}

// readRoot reads the message's header, once, and nothing after it.
func (w *PartWalker) readRoot() {
	if w.rootBody == nil {
		var iss Issues
		w.root, w.rootBody = readEntityHeader(w.br, true, &iss)
	}
}

// start begins the walk in the message's body.
func (w *PartWalker) start() {
	if w.levels == nil {
		w.readRoot()
		w.levels = []*level{newLevel(w.root, w.rootBody, describe(w.root, "text/plain"))}
	}
}

// Root reads the message's header, unless an Open has, and nothing of
// its body, and tells whether the body is a single part (neither a
// multipart nor an attached message): part "1", which Open then opens.
func (w *PartWalker) Root() (h Header, single bool) {
	w.readRoot()
	info := describe(w.root, "text/plain")
	return w.root, info.boundary == "" && !info.isMessage
}

// Header is the header of the message the walk is over, read by the
// first Open; nil before it.
func (w *PartWalker) Header() Header { return w.root }

// newLevel is the container an entity makes: its children if it is a
// multipart, else the entity itself as child "1".
func newLevel(h Header, body io.Reader, info entityInfo) *level {
	if info.boundary == "" {
		return &level{h: h, body: body, info: info}
	}
	l := &level{childType: "text/plain"}
	if info.MediaType == "multipart/digest" {
		l.childType = "message/rfc822"
	}
	if mr, _, found := newMultipartReader(body, info.boundary, 0, make([]byte, 4096)); found {
		l.mr = mr
	} else {
		l.at = -1 // no delimiter at all: no children
	}
	return l
}

// advance moves the walk on to child n of l, which lies ahead.
func (l *level) advance(n int) error {
	if l.mr == nil {
		if n != 1 || l.at != 0 {
			return ErrPartNotFound
		}
		l.at = 1
		return nil
	}
	for l.at < n {
		part, ok := l.mr.next()
		if !ok {
			return ErrPartNotFound
		}
		l.at++
		if l.at == n {
			var iss Issues
			l.h, l.body = readEntityHeader(bufio.NewReaderSize(part, 4096), false, &iss)
			l.info = describe(l.h, l.childType)
		}
	}
	return nil
}

// enter opens the child the walk is at as a container: a multipart, or an
// attached message.
func (l *level) enter() (*level, error) {
	switch {
	case l.info.boundary != "":
		return newLevel(l.h, l.body, l.info), nil
	case l.info.isMessage:
		var bad bool
		dec, _ := transferDecoder(l.h.Get("Content-Transfer-Encoding"), l.body, &bad)
		var iss Issues
		h, body := readEntityHeader(bufio.NewReaderSize(dec, 4096), false, &iss)
		return newLevel(h, body, describe(h, "text/plain")), nil
	}
	return nil, ErrPartNotFound
}

// readEntityHeader reads a Header and returns the body that follows it.
func readEntityHeader(br *bufio.Reader, top bool, iss *Issues) (Header, io.Reader) {
	h, rest := readHeader(br, top, iss)
	if rest != nil {
		return h, io.MultiReader(strings.NewReader(string(rest)), br)
	}
	return h, br
}

// ComparePartIDs orders part IDs as their parts lie in the message: a
// part before its own parts, and those before its next sibling. IDs that
// do not parse come last, in byte order.
func ComparePartIDs(a, b string) int {
	pa, errA := parsePartID(a)
	pb, errB := parsePartID(b)
	switch {
	case errA != nil && errB != nil:
		return strings.Compare(a, b)
	case errA != nil:
		return 1
	case errB != nil:
		return -1
	}
	return slices.Compare(pa, pb)
}

// parsePartID splits "2.1" into [2 1].
func parsePartID(id string) ([]int, error) {
	fields := strings.Split(id, ".")
	if id == "" || len(fields) > maxPartIDDepth {
		return nil, ErrBadPartID
	}
	path := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 1<<20 || strings.HasPrefix(f, "+") || strings.HasPrefix(f, "0") {
			return nil, ErrBadPartID
		}
		path[i] = n
	}
	return path, nil
}
