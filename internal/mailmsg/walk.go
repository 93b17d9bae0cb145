package mailmsg

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Body text limits: one text part kept in Entity.Body, and all text
// parts of one Read.
const (
	MaxTextPart  = 2 << 20
	MaxTextTotal = 8 << 20
)

// Entity is one parsed MIME entity: a message, a multipart or a leaf.
type Entity struct {
	ID          string // section number (see the package doc); "" for a root multipart
	Header      Header
	MediaType   string            // lower case, e.g. "text/plain"
	Params      map[string]string // of Content-Type, names lower case, values decoded
	Disposition string            // "inline", "attachment" or "" as declared
	Filename    string            // decoded and path-free, or ""
	ContentID   string            // without angle brackets
	Children    []*Entity         // of a multipart
	Multipart   bool
	Attached    *Entity // message/rfc822: the root of the attached message
	Body        []byte  // decoded body of a text part, at most MaxTextPart
	Size        int64   // decoded size; -1 when Cut
	Cut         bool    // an HTML body of which only the start was read (Limits.HTMLStart)
	Broken      bool    // a multipart without delimiters, shown as text
}

// walker parses one message into nodes within the limits.
type walker struct {
	maxParts, maxDepth int
	maxText, htmlStart int
	maxPlain, maxTotal int
	stopped            bool // left the rest of the message unread
	iss                Issues
	parts              int // entities listed
	omitted            int // entities past maxParts
	textKept           int
	plainKept          int // of textKept, in plain texts
	scratch            []byte
}

func newWalker(lim Limits) *walker {
	w := &walker{maxParts: lim.MaxParts, maxDepth: lim.MaxDepth, maxText: lim.MaxText, htmlStart: lim.HTMLStart, scratch: make([]byte, 32<<10)}
	if w.maxText <= 0 || w.maxText > MaxTextPart {
		w.maxText = MaxTextPart
	}
	w.maxPlain = MaxTextTotal
	w.maxTotal = MaxTextTotal
	if lim.MaxTotal > 0 {
		w.maxTotal = min(lim.MaxTotal, MaxTextTotal)
	}
	if lim.MaxPlain > 0 {
		w.maxPlain = lim.MaxPlain
	}
	if w.maxParts <= 0 {
		w.maxParts = DefaultMaxParts
	}
	if w.maxDepth <= 0 {
		w.maxDepth = DefaultMaxDepth
	}
	return w
}

// message parses a whole message (top level or attached) whose parts are
// numbered under prefix.
func (w *walker) message(r io.Reader, prefix string, depth int, top bool) *Entity {
	br := bufio.NewReaderSize(r, 4096)
	return w.entity(br, joinID(prefix, "1"), prefix, depth, "text/plain", top)
}

// joinID appends a section number to a prefix.
func joinID(prefix, n string) string {
	if prefix == "" {
		return n
	}
	return prefix + "." + n
}

// entityInfo holds what the Header says about an entity's structure; it
// is shared with OpenPart so both number parts the same way.
type entityInfo struct {
	MediaType   string
	Params      map[string]string
	Disposition string
	dparams     map[string]string
	boundary    string // set only for a usable multipart
	isMessage   bool
}

// describe reads the structural facts from a Header.
func describe(h Header, defaultType string) entityInfo {
	var e entityInfo
	e.MediaType, e.Params = ParseValueParams(h.Get("Content-Type"))
	if !strings.Contains(e.MediaType, "/") || strings.ContainsAny(e.MediaType, " \t") {
		e.MediaType, e.Params = defaultType, map[string]string{}
	}
	e.Disposition, e.dparams = ParseValueParams(h.Get("Content-Disposition"))
	if strings.HasPrefix(e.MediaType, "multipart/") {
		if b := e.Params["boundary"]; b != "" && len(b) <= 200 {
			e.boundary = b
		}
	}
	switch e.MediaType {
	case "message/rfc822", "message/global":
		e.isMessage = true
	}
	return e
}

// entity parses one entity: id is its section number when it is a leaf
// or a message, childPrefix numbers its children when it is a multipart.
func (w *walker) entity(br *bufio.Reader, id, childPrefix string, depth int, defaultType string, top bool) *Entity {
	h, rest := readHeader(br, top, &w.iss)
	var body io.Reader = br
	if rest != nil {
		body = io.MultiReader(bytes.NewReader(rest), br)
	}
	info := describe(h, defaultType)
	listed := w.parts < w.maxParts
	if listed {
		w.parts++
	} else {
		w.omitted++
		if info.boundary == "" && !info.isMessage {
			// Past the limit only the structure is walked, to count parts.
			_, _ = io.Copy(io.Discard, body)
			return nil
		}
	}
	n := &Entity{ID: id, Header: h, MediaType: info.MediaType, Params: info.Params, Disposition: info.Disposition}
	n.Filename = CleanFilename(firstNonEmpty(info.dparams["filename"], info.Params["name"]))
	n.ContentID = strings.Trim(strings.TrimSpace(DecodeHeaderText(h.Get("Content-ID"))), "<>")
	switch {
	case info.boundary != "" && depth < w.maxDepth:
		n.ID = childPrefix
		w.multipart(n, body, info, depth)
	case info.isMessage && depth < w.maxDepth:
		var bad bool
		dec, known := transferDecoder(h.Get("Content-Transfer-Encoding"), body, &bad)
		cr := &countingReader{r: dec}
		n.Attached = w.message(cr, id, depth+1, false)
		_, _ = io.Copy(io.Discard, cr)
		n.Size = cr.n
		w.noteDecoding(bad, known)
	default:
		if (info.boundary != "" || info.isMessage) && depth >= w.maxDepth {
			w.iss.TooDeep = true
		}
		if strings.HasPrefix(info.MediaType, "multipart/") && info.boundary == "" {
			w.iss.Malformed = true
			n.Broken = true // shown as text rather than hidden
		}
		w.leaf(n, h, body, top && depth == 0)
	}
	if !listed {
		return nil
	}
	return n
}

// multipart parses the parts of a multipart entity.
func (w *walker) multipart(n *Entity, body io.Reader, info entityInfo, depth int) {
	n.Multipart = true
	mr, preamble, found := newMultipartReader(body, info.boundary, w.plainRoom(), w.scratch)
	if !found {
		// No delimiter at all: show the body as text rather than nothing.
		w.iss.Malformed = true
		n.Multipart, n.Broken = false, true
		n.MediaType, n.Params = "text/plain", map[string]string{}
		n.Body, n.Size = preamble, int64(len(preamble))
		w.textKept += len(preamble)
		w.plainKept += len(preamble)
		return
	}
	childType := "text/plain"
	if info.MediaType == "multipart/digest" {
		childType = "message/rfc822"
	}
	cbr := bufio.NewReaderSize(nil, 4096)
	for i := 1; ; i++ {
		part, ok := mr.next()
		if !ok {
			break
		}
		cbr.Reset(part)
		id := joinID(n.ID, strconv.Itoa(i))
		if c := w.entity(cbr, id, id, depth+1, childType, false); c != nil {
			n.Children = append(n.Children, c)
		}
	}
	if mr.unclosed {
		w.iss.Malformed = true
	}
}

// leaf reads a leaf body: text parts that may be shown are kept (within
// the limits), other bodies are only measured.
func (w *walker) leaf(n *Entity, h Header, body io.Reader, whole bool) {
	var bad bool
	if !n.IsTextCandidate() && !n.Broken {
		// Only its size is shown: base64 is counted, not decoded.
		size, known := measure(h.Get("Content-Transfer-Encoding"), body, &bad, w.scratch)
		n.Size = size
		w.noteDecoding(bad, known)
		return
	}
	dec, known := transferDecoder(h.Get("Content-Transfer-Encoding"), body, &bad)
	if w.htmlStart > 0 && n.IsTextCandidate() && n.MediaType == "text/html" {
		n.Body, n.Cut = readStart(dec, w.htmlStart)
		n.Size = int64(len(n.Body))
		if n.Cut {
			n.Size = -1
			if whole {
				// The message is this body alone: nothing after it to
				// find, so the rest is not even read (Message.Partial)
				w.stopped = true
			} else {
				_, _ = io.Copy(io.Discard, body) // the rest, not decoded
			}
		}
		w.noteDecoding(bad, known)
		return
	}
	plain := n.MediaType != "text/html" || n.Broken
	room := w.textRoom()
	if plain {
		room = w.plainRoom()
	}
	n.Body, n.Size = readCapped(dec, room, w.scratch)
	w.textKept += len(n.Body)
	if plain {
		w.plainKept += len(n.Body)
	}
	if n.Size > int64(len(n.Body)) {
		w.iss.LongText = true
	}
	w.noteDecoding(bad, known)
}

// readStart reads up to n bytes; cut tells that there were more.
func readStart(r io.Reader, n int) (start []byte, cut bool) {
	start, _ = io.ReadAll(io.LimitReader(r, int64(n)+1))
	if len(start) > n {
		return start[:n], true
	}
	return start, false
}

// textRoom is how many more text bytes one part may keep.
func (w *walker) textRoom() int {
	return max(0, min(w.maxText, w.maxTotal-w.textKept))
}

// plainRoom is how many more bytes of plain text one part may keep.
func (w *walker) plainRoom() int {
	return max(0, min(w.maxPlain-w.plainKept, w.textRoom()))
}

func (w *walker) noteDecoding(bad, known bool) {
	if bad || !known {
		w.iss.Encoding = true
	}
}

// IsTextCandidate reports a part that may be shown as the body: plain
// text or HTML that is neither an attachment nor named.
func (n *Entity) IsTextCandidate() bool {
	if n.MediaType != "text/plain" && n.MediaType != "text/html" {
		return false
	}
	return n.Disposition != "attachment" && n.Filename == ""
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
