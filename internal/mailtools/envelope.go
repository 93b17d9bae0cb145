package mailtools

import (
	"bytes"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// Envelope is the decoded summary of a message's header.
type Envelope struct {
	Subject    string
	From       []Address
	ReplyTo    []Address
	To, Cc     []Address
	Date       time.Time // zero when missing or unreadable
	MessageID  string    // with angle brackets, as in the header
	InReplyTo  string
	References []string
	// Multipart is true for multipart/mixed and other containers that
	// usually carry attachments.
	Multipart bool
}

// maxHeaderBytes bounds the header block read for a summary.
const maxHeaderBytes = 1 << 20

// ParseEnvelope reads a header block leniently: a line that is not a
// field (an mbox "From " line, a line without a colon) is skipped, not
// fatal, so a message go-message cannot parse still lists.
func ParseEnvelope(header []byte) Envelope {
	h := gomail.Header{Header: message.Header{Header: lenientHeader(header)}}
	env := Envelope{
		Subject:   DecodeHeaderText(h.Get("Subject")),
		From:      addressesFromHeader(h, "From"),
		ReplyTo:   addressesFromHeader(h, "Reply-To"),
		To:        addressesFromHeader(h, "To"),
		Cc:        addressesFromHeader(h, "Cc"),
		MessageID: msgIDs(h.Get("Message-Id"), 1),
		InReplyTo: msgIDs(h.Get("In-Reply-To"), 1),
	}
	if refs := msgIDs(h.Get("References"), 100); refs != "" {
		env.References = strings.Fields(refs)
	}
	if d, err := h.Date(); err == nil {
		env.Date = d
	}
	if t, _, err := h.ContentType(); err == nil {
		env.Multipart = t == "multipart/mixed" || strings.HasPrefix(t, "application/")
	}
	return env
}

// msgIDs keeps up to max "<...>" tokens of a message-id field.
func msgIDs(v string, max int) string {
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

// lenientHeader parses a header block line by line, keeping every
// well-formed field in order and skipping the rest.
func lenientHeader(block []byte) textproto.Header {
	var fields [][2]string
	for line := range bytes.Lines(block) {
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if n := len(fields); n > 0 {
				fields[n-1][1] += " " + strings.TrimSpace(string(line))
			}
			continue
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 || bytes.ContainsAny(name, " \t") {
			continue
		}
		fields = append(fields, [2]string{string(name), strings.TrimSpace(string(value))})
	}
	var h textproto.Header
	// Add prepends; add from the last so the order stays the message's.
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i][0], fields[i][1])
	}
	return h
}

// splitHeader returns the header block of a raw message.
func splitHeader(raw []byte) []byte {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return raw[:i+2]
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[:i+1]
	}
	return raw
}
