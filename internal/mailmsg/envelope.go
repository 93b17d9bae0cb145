package mailmsg

import (
	"bufio"
	"bytes"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Envelope is what the pages show of a message's header: the list row,
// the view, the reply and forward prefill and the delete confirmation all
// read it.
type Envelope struct {
	Subject    string
	From       []Address
	ReplyTo    []Address
	To, Cc     []Address
	Date       time.Time // zero when the Date field is missing or unreadable
	DateRaw    string    // the Date field as written, decoded
	MessageID  string    // with angle brackets, as in the header
	InReplyTo  string
	References []string
	// Multipart is true for multipart/mixed and other containers that
	// usually carry attachments.
	Multipart bool
	// Language is the first tag of Content-Language, or "".
	Language string
	// DraftMark is the X-Gomailcgi-Draft field as written, and DraftBcc
	// the Bcc a draft keeps for the next edit (X-Gomailcgi-Draft-Bcc).
	// Anyone can write both: the mark is a claim that the reader checks
	// (see the web package's draft marks), not a proof.
	DraftMark string
	DraftBcc  []Address
}

// Envelope decodes the fields the pages show. Raw 8-bit text is read in
// the charset the message declares for its body, as mail clients do.
// Entity.Envelope also looks at the parts, for a message that declares
// its charset only there.
func (h Header) Envelope() Envelope { return h.envelope("") }

// envelope is Envelope, with the charset for raw 8-bit text when the
// header declares none (partCS, may be "").
func (h Header) envelope(partCS string) Envelope {
	env, cs := h.summary(partCS)
	env.ReplyTo = addressList(h.Get("Reply-To"), cs)
	env.To = addressList(h.Get("To"), cs)
	env.Cc = addressList(h.Get("Cc"), cs)
	env.InReplyTo = msgIDs(h.Get("In-Reply-To"), 1)
	if langs := strings.FieldsFunc(h.Get("Content-Language"), func(r rune) bool { return r == ',' || r == ' ' }); len(langs) > 0 {
		env.Language = langs[0]
	}
	env.DraftBcc = addressList(h.Get("X-Gomailcgi-Draft-Bcc"), cs)
	if refs := msgIDs(h.Get("References"), 100); refs != "" {
		env.References = strings.Fields(refs)
	}
	return env
}

// Summary decodes the fields a row of the message list shows: Subject,
// From, Date, MessageID, Multipart and DraftMark, as Envelope does; the
// others are left empty. A list page decodes fifty headers. A message
// with a draft mark gets them all, as Envelope gives them, so that the
// list can check the mark.
func (h Header) Summary() Envelope {
	env, _ := h.summary("")
	if env.DraftMark != "" {
		return h.Envelope()
	}
	return env
}

// summary is Summary, and the charset raw 8-bit text is read in: the
// header's own, else partCS.
func (h Header) summary(partCS string) (Envelope, string) {
	mediaType, params := ParseValueParams(h.Get("Content-Type"))
	cs := params["charset"]
	if cs == "" {
		cs = partCS
	}
	env := Envelope{
		Subject:   decodeHeaderIn(h.Get("Subject"), cs),
		From:      addressList(h.Get("From"), cs),
		DateRaw:   decodeHeaderIn(h.Get("Date"), cs),
		MessageID: msgIDs(h.Get("Message-Id"), 1),
		Multipart: mediaType == "multipart/mixed" || strings.HasPrefix(mediaType, "application/"),
		DraftMark: strings.TrimSpace(h.Get("X-Gomailcgi-Draft")),
	}
	if env.DateRaw != "" {
		env.Date, _ = ParseDate(env.DateRaw)
	}
	return env, cs
}

// Envelope is the envelope of the message n is the root of. When its
// header declares no charset, raw 8-bit text is read in the charset of its
// first text part, as mail clients do. Only the parts Read kept are
// looked at (Limits.MaxParts bounds them), and not those of an attached
// message, which is a message of its own.
func (n *Entity) Envelope() Envelope { return n.Header.envelope(firstTextCharset(n)) }

// Summary is Header.Summary, read as Envelope reads it.
func (n *Entity) Summary() Envelope {
	env, _ := n.Header.summary(firstTextCharset(n))
	if env.DraftMark != "" {
		return n.Envelope()
	}
	return env
}

// NeedsParts reports whether Entity.Envelope may read h otherwise than
// Header.Envelope: a field holds raw 8-bit text that is not UTF-8, and
// the header of a multipart declares no charset for it. A list reads the
// start of such a message's body too, to show what its view shows.
func (h Header) NeedsParts() bool {
	raw := false
	for _, f := range h {
		if !utf8.ValidString(f.Value) {
			raw = true
			break
		}
	}
	if !raw { // most headers: Content-Type need not be read again
		return false
	}
	mediaType, params := ParseValueParams(h.Get("Content-Type"))
	return params["charset"] == "" && strings.HasPrefix(mediaType, "multipart/")
}

// firstTextCharset is the charset declared by the first text part under n
// that declares one, in reading order, or "".
func firstTextCharset(n *Entity) string {
	if n.Attached != nil {
		return ""
	}
	if !n.Multipart {
		if strings.HasPrefix(n.MediaType, "text/") {
			return n.Params["charset"]
		}
		return ""
	}
	for _, c := range n.Children {
		if cs := firstTextCharset(c); cs != "" {
			return cs
		}
	}
	return ""
}

// ParseHeader reads a header block (as TOP n 0 returns it) leniently.
func ParseHeader(block []byte) Header {
	var iss Issues
	// A list page reads fifty blocks: their readers are reused, and each
	// header has room for a field a line from the start
	r := blockReaders.Get().(*blockReader)
	r.src.Reset(block)
	r.br.Reset(&r.src)
	h, _ := readHeaderInto(make(Header, 0, headerLines(block)), &r.br, true, &iss)
	r.src.Reset(nil)
	r.br.Reset(&r.src)
	blockReaders.Put(r)
	return h
}

// headerLines is room for the fields of block's header: a field a line up
// to the first blank line, at most 128. A block may hold a whole message
// (the source page's), whose lines are not fields.
func headerLines(block []byte) int {
	head := block
	if i := bytes.Index(block, []byte("\n\n")); i >= 0 {
		head = block[:i]
	}
	if i := bytes.Index(head, []byte("\n\r\n")); i >= 0 {
		head = head[:i]
	}
	return min(bytes.Count(head, []byte("\n"))+1, 128)
}

// blockReader reads a header block in memory; ParseHeader reuses them.
type blockReader struct {
	src bytes.Reader
	br  bufio.Reader
}

var blockReaders = sync.Pool{New: func() any { return new(blockReader) }}

// ParseEnvelope reads the envelope of a header block.
func ParseEnvelope(block []byte) Envelope {
	return ParseHeader(block).Envelope()
}

// msgIDs keeps up to max "<...>" tokens of a message-id field.
func msgIDs(v string, max int) string {
	if id, ok := oneMsgID(v); ok { // the usual field: one id and nothing else
		return id
	}
	var ids []string
	for len(ids) < max {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		id := v[i : i+j+1]
		if !strings.ContainsAny(id, " \t\r\n\"") && len(id) <= 998 {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	return strings.Join(ids, " ")
}

// oneMsgID is a field that is one "<...>" token and nothing more, as
// msgIDs keeps it.
func oneMsgID(v string) (string, bool) {
	ok := len(v) >= 2 && len(v) <= 998 && v[0] == '<' && v[len(v)-1] == '>' &&
		strings.IndexByte(v, '>') == len(v)-1 && !strings.ContainsAny(v, " \t\r\n\"")
	return v, ok
}

// EnvelopeFields names fields of an Envelope, for Partial.
type EnvelopeFields uint8

// The fields Partial can decode.
const (
	FieldSubject    EnvelopeFields = 1 << iota
	FieldFrom                      // From
	FieldRecipients                // To and Cc
	FieldDate                      // Date and DateRaw
)

// Partial decodes only the fields asked for, as Envelope decodes them:
// for a reader of many headers that looks at few fields of each (a
// search), and then reads the whole summary of the few it keeps.
func (h Header) Partial(f EnvelopeFields) Envelope {
	// The body's charset reads raw 8-bit text only (raw8bit): most
	// headers have none, and need not parse Content-Type
	cs, csRead := "", false
	field := func(name string) (raw, fallback string) {
		raw = h.Get(name)
		if !csRead && !utf8.ValidString(raw) {
			_, params := ParseValueParams(h.Get("Content-Type"))
			cs, csRead = params["charset"], true
		}
		return raw, cs
	}
	var env Envelope
	if f&FieldSubject != 0 {
		env.Subject = decodeHeaderIn(field("Subject"))
	}
	if f&FieldFrom != 0 {
		env.From = addressList(field("From"))
	}
	if f&FieldRecipients != 0 {
		env.To = addressList(field("To"))
		env.Cc = addressList(field("Cc"))
	}
	if f&FieldDate != 0 {
		if env.DateRaw = decodeHeaderIn(field("Date")); env.DateRaw != "" {
			env.Date, _ = ParseDate(env.DateRaw)
		}
	}
	return env
}
