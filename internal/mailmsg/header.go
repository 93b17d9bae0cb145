package mailmsg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// Header reading limits. Past them the header degrades (fields are
// shortened or skipped) instead of failing.
const (
	maxFieldBytes  = 32 << 10 // one field, continuation lines included
	maxHeaderBytes = 1 << 20  // one header block
)

// Field is one header field as it stands in the message: the name as
// written and the unfolded raw value (possibly 8-bit).
type Field struct {
	Name  string
	Value string
}

// Header is an ordered list of fields.
type Header []Field

// Get returns the raw value of the first field with the name, or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Issues records what went wrong while reading a message.
type Issues struct {
	Malformed  bool // not well formed: a broken header or multipart
	Encoding   bool // a transfer encoding that is unknown or damaged
	Charset    bool // a charset that could not be used
	LongHeader bool // a header line or block past its limit, shortened
	LongText   bool // a text part past its limit, shortened
	TooDeep    bool // nesting past the depth limit
	NUL        bool // NUL bytes, which mail must not contain
}

// readHeader reads a header block leniently. A line that is neither a field
// nor a continuation is skipped when more fields follow it, and otherwise
// taken as the first body line, which is returned in rest (the reader is
// positioned after it). mbox allows a "From " line first in the message.
func readHeader(br *bufio.Reader, top bool, iss *Issues) (h Header, rest []byte) {
	return readHeaderInto(nil, br, top, iss)
}

// readHeaderInto is readHeader, appending the fields to h.
func readHeaderInto(h Header, br *bufio.Reader, top bool, iss *Issues) (Header, []byte) {
	// cur is the current field, unfolded; line the line read. Both are
	// reused: a field is copied out as strings when it is complete.
	var cur, line []byte
	inField := false
	total := 0
	flush := func() {
		if !inField {
			return
		}
		i := bytes.IndexByte(cur, ':')
		name := fieldName(bytes.TrimRight(cur[:i], " \t"))
		value := string(bytes.TrimSpace(cur[i+1:]))
		h = append(h, Field{Name: name, Value: value})
		inField = false
	}
	for first := true; ; first = false {
		var long bool
		var err error
		line, long, err = readLineInto(br, maxFieldBytes, line[:0])
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) && first {
				return h, nil
			}
			flush()
			return h, nil
		}
		total += len(line)
		content := trimEOL(line)
		if len(content) == 0 {
			flush()
			return h, nil
		}
		if total > maxHeaderBytes {
			iss.LongHeader = true
			continue // skip fields until the blank line
		}
		if long {
			iss.LongHeader = true
		}
		switch {
		case first && top && bytes.HasPrefix(content, []byte("From ")):
			iss.Malformed = true // an mbox separator, not a header field
		case content[0] == ' ' || content[0] == '\t':
			if !inField {
				iss.Malformed = true
				continue
			}
			if len(cur)+len(content) > maxFieldBytes {
				iss.LongHeader = true
				continue
			}
			cur = append(cur, content...)
		case isFieldLine(content):
			flush()
			cur = append(cur[:0], content...)
			inField = true
		default:
			iss.Malformed = true
			if nextLooksLikeHeader(br) {
				continue
			}
			flush()
			return h, append([]byte(nil), line...)
		}
		if err != nil {
			flush()
			return h, nil
		}
	}
}

// isFieldLine reports whether a line starts a "Name: value" field.
func isFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// nextLooksLikeHeader peeks at the next line without consuming it.
func nextLooksLikeHeader(br *bufio.Reader) bool {
	peek, _ := br.Peek(br.Buffered())
	if len(peek) == 0 {
		peek, _ = br.Peek(512)
	}
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	peek = trimEOL(peek)
	if len(peek) == 0 {
		return false
	}
	return peek[0] == ' ' || peek[0] == '\t' || isFieldLine(peek)
}

// readLine reads one line including its end of line. A line longer than
// max is cut to max bytes, the rest is discarded, and long is true.
func readLine(br *bufio.Reader, max int) (line []byte, long bool, err error) {
	return readLineInto(br, max, nil)
}

// readLineInto is readLine onto line[:0], reusing its room.
func readLineInto(br *bufio.Reader, max int, line []byte) ([]byte, bool, error) {
	long := false
	for {
		chunk, e := br.ReadSlice('\n')
		if len(line)+len(chunk) > max {
			room := max - len(line)
			if room > 0 {
				line = append(line, chunk[:room]...)
			}
			long = true
		} else {
			line = append(line, chunk...)
		}
		if !errors.Is(e, bufio.ErrBufferFull) {
			return line, long, e
		}
	}
}

// fieldName is a field's name as a string, without a copy for the names
// most headers are made of.
func fieldName(b []byte) string {
	switch string(b) { // no allocation: the compiler compares in place
	case "Received":
		return "Received"
	case "From":
		return "From"
	case "To":
		return "To"
	case "Cc":
		return "Cc"
	case "Subject":
		return "Subject"
	case "Date":
		return "Date"
	case "Message-ID":
		return "Message-ID"
	case "Content-Type":
		return "Content-Type"
	case "Content-Transfer-Encoding":
		return "Content-Transfer-Encoding"
	case "MIME-Version":
		return "MIME-Version"
	case "Return-Path":
		return "Return-Path"
	case "Delivered-To":
		return "Delivered-To"
	case "Reply-To":
		return "Reply-To"
	case "In-Reply-To":
		return "In-Reply-To"
	case "References":
		return "References"
	case "Content-Disposition":
		return "Content-Disposition"
	}
	return string(b)
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
