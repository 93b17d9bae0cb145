package render

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
)

// Body text limits: one part, and all parts of one Render call.
const (
	maxTextPart  = 2 << 20
	maxTextTotal = 8 << 20
)

// node is one parsed MIME entity.
type node struct {
	id          string // section number; "" for a root multipart
	h           header
	mediaType   string // lower case, e.g. "text/plain"
	params      map[string]string
	disposition string
	filename    string
	contentID   string
	children    []*node // multipart
	multipart   bool
	msg         *node  // message/rfc822: root of the attached message
	body        []byte // decoded body of a text part, at most maxTextPart
	size        int64  // decoded size
	broken      bool   // a multipart without delimiters, shown as text
}

// walker parses one message into nodes within the limits.
type walker struct {
	maxParts, maxDepth int
	iss                issues
	parts              int // entities listed
	omitted            int // entities past maxParts
	textKept           int
	scratch            []byte
}

func newWalker(opt Options) *walker {
	w := &walker{maxParts: opt.MaxParts, maxDepth: opt.MaxDepth, scratch: make([]byte, 32<<10)}
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
func (w *walker) message(r io.Reader, prefix string, depth int, top bool) *node {
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

// entityInfo holds what the header says about an entity's structure; it
// is shared with OpenPart so both number parts the same way.
type entityInfo struct {
	mediaType   string
	params      map[string]string
	disposition string
	dparams     map[string]string
	boundary    string // set only for a usable multipart
	isMessage   bool
}

// describe reads the structural facts from a header.
func describe(h header, defaultType string) entityInfo {
	var e entityInfo
	e.mediaType, e.params = parseValueParams(h.get("Content-Type"))
	if !strings.Contains(e.mediaType, "/") || strings.ContainsAny(e.mediaType, " \t") {
		e.mediaType, e.params = defaultType, map[string]string{}
	}
	e.disposition, e.dparams = parseValueParams(h.get("Content-Disposition"))
	if strings.HasPrefix(e.mediaType, "multipart/") {
		if b := e.params["boundary"]; b != "" && len(b) <= 200 {
			e.boundary = b
		}
	}
	switch e.mediaType {
	case "message/rfc822", "message/global":
		e.isMessage = true
	}
	return e
}

// entity parses one entity: id is its section number when it is a leaf
// or a message, childPrefix numbers its children when it is a multipart.
func (w *walker) entity(br *bufio.Reader, id, childPrefix string, depth int, defaultType string, top bool) *node {
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
	n := &node{id: id, h: h, mediaType: info.mediaType, params: info.params, disposition: info.disposition}
	n.filename = cleanFilename(firstNonEmpty(info.dparams["filename"], info.params["name"]))
	n.contentID = strings.Trim(strings.TrimSpace(decodeHeaderText(h.get("Content-ID"))), "<>")
	switch {
	case info.boundary != "" && depth < w.maxDepth:
		n.id = childPrefix
		w.multipart(n, body, info, depth)
	case info.isMessage && depth < w.maxDepth:
		var bad bool
		dec, known := transferDecoder(h.get("Content-Transfer-Encoding"), body, &bad)
		cr := &countingReader{r: dec}
		n.msg = w.message(cr, id, depth+1, false)
		_, _ = io.Copy(io.Discard, cr)
		n.size = cr.n
		w.noteDecoding(bad, known)
	default:
		if (info.boundary != "" || info.isMessage) && depth >= w.maxDepth {
			w.iss.tooDeep = true
		}
		if strings.HasPrefix(info.mediaType, "multipart/") && info.boundary == "" {
			w.iss.malformed = true
			n.broken = true // shown as text rather than hidden
		}
		w.leaf(n, h, body)
	}
	if !listed {
		return nil
	}
	return n
}

// multipart parses the parts of a multipart entity.
func (w *walker) multipart(n *node, body io.Reader, info entityInfo, depth int) {
	n.multipart = true
	mr, preamble, found := newMultipartReader(body, info.boundary, w.textRoom(), w.scratch)
	if !found {
		// No delimiter at all: show the body as text rather than nothing.
		w.iss.malformed = true
		n.multipart, n.broken = false, true
		n.mediaType, n.params = "text/plain", map[string]string{}
		n.body, n.size = preamble, int64(len(preamble))
		w.textKept += len(preamble)
		return
	}
	childType := "text/plain"
	if info.mediaType == "multipart/digest" {
		childType = "message/rfc822"
	}
	cbr := bufio.NewReaderSize(nil, 4096)
	for i := 1; ; i++ {
		part, ok := mr.next()
		if !ok {
			break
		}
		cbr.Reset(part)
		id := joinID(n.id, strconv.Itoa(i))
		if c := w.entity(cbr, id, id, depth+1, childType, false); c != nil {
			n.children = append(n.children, c)
		}
	}
	if mr.unclosed {
		w.iss.malformed = true
	}
}

// leaf reads a leaf body: text parts that may be shown are kept (within
// the limits), other bodies are only measured.
func (w *walker) leaf(n *node, h header, body io.Reader) {
	var bad bool
	dec, known := transferDecoder(h.get("Content-Transfer-Encoding"), body, &bad)
	if n.isTextCandidate() || n.broken {
		room := w.textRoom()
		n.body, n.size = readCapped(dec, room, w.scratch)
		w.textKept += len(n.body)
		if n.size > int64(len(n.body)) {
			w.iss.longText = true
		}
	} else {
		cr := &countingReader{r: dec}
		_, _ = io.Copy(io.Discard, cr)
		n.size = cr.n
	}
	w.noteDecoding(bad, known)
}

// textRoom is how many more text bytes one part may keep.
func (w *walker) textRoom() int {
	return max(0, min(maxTextPart, maxTextTotal-w.textKept))
}

func (w *walker) noteDecoding(bad, known bool) {
	if bad || !known {
		w.iss.encoding = true
	}
}

// isTextCandidate reports a part that may be shown as the body.
func (n *node) isTextCandidate() bool {
	if n.mediaType != "text/plain" && n.mediaType != "text/html" {
		return false
	}
	return n.disposition != "attachment" && n.filename == ""
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
