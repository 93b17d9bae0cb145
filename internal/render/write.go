package render

import (
	"bufio"
	"unicode"
	"unicode/utf8"
)

// trimWriter writes the sanitized HTML of a body to w, leaving out the
// blanks at its start and holding back those at its end until more
// follows, so the body comes out as strings.TrimSpace would give it,
// without being held whole. Each write must be whole characters. The
// first error of w is kept in err; later writes do nothing.
type trimWriter struct {
	w       *bufio.Writer
	started bool   // something other than blanks was written
	pending []byte // blanks written last, not yet passed on
	err     error
}

// str writes s, which is markup or escaped text.
func (t *trimWriter) str(s string) {
	if t.err != nil {
		return
	}
	if !t.started {
		s = s[leadingSpace(s):]
	}
	if s == "" {
		return
	}
	t.started = true
	i := len(s) - trailingSpace(s)
	t.flushPending(i)
	t.w.WriteString(s[:i])
	t.pending = append(t.pending, s[i:]...)
	t.check()
}

// bytes is str for bytes.
func (t *trimWriter) bytes(s []byte) {
	if t.err != nil {
		return
	}
	if !t.started {
		s = s[leadingSpace(s):]
	}
	if len(s) == 0 {
		return
	}
	t.started = true
	i := len(s) - trailingSpace(s)
	t.flushPending(i)
	t.w.Write(s[:i])
	t.pending = append(t.pending, s[i:]...)
	t.check()
}

// flushPending passes the blanks held back on when n bytes other than
// blanks follow them.
func (t *trimWriter) flushPending(n int) {
	if n > 0 && len(t.pending) > 0 {
		t.w.Write(t.pending)
		t.pending = t.pending[:0]
	}
}

// check learns of a failure of w, which bufio keeps, so that the
// writing stops there.
func (t *trimWriter) check() {
	_, t.err = t.w.Write(nil)
}

// leadingSpace is how many bytes of blanks s starts with, as
// strings.TrimSpace counts them.
func leadingSpace[S string | []byte](s S) int {
	i := 0
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiSpace(c) {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	return i
}

// trailingSpace is how many bytes of blanks s ends with.
func trailingSpace[S string | []byte](s S) int {
	i := len(s)
	for i > 0 {
		if c := s[i-1]; c < utf8.RuneSelf {
			if !asciiSpace(c) {
				break
			}
			i--
			continue
		}
		r, size := utf8.DecodeLastRuneInString(string(s[max(0, i-utf8.UTFMax):i]))
		if !unicode.IsSpace(r) {
			break
		}
		i -= size
	}
	return len(s) - i
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// escaped writes text HTML-escaped as html.EscapeString escapes it.
func (t *trimWriter) escaped(b []byte) {
	last := 0
	for i, c := range b {
		if esc := htmlEscape(c); esc != "" {
			t.bytes(b[last:i])
			t.str(esc)
			last = i + 1
		}
	}
	t.bytes(b[last:])
}

// escapedString is escaped for a string.
func (t *trimWriter) escapedString(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if esc := htmlEscape(s[i]); esc != "" {
			t.str(s[last:i])
			t.str(esc)
			last = i + 1
		}
	}
	t.str(s[last:])
}

// htmlEscape is what html.EscapeString writes for c, or "" for a byte it
// leaves as it is.
func htmlEscape(c byte) string {
	switch c {
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '&':
		return "&amp;"
	case '\'':
		return "&#39;"
	case '"':
		return "&#34;"
	}
	return ""
}
