package mailmsg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// multipartBuffer is the buffer a multipart body is read through: a part
// is handed out in runs of up to this many bytes, and a delimiter line is
// recognised only if it fits.
const multipartBuffer = 32 << 10

// multipartReader splits a multipart body into parts as a stream. It is
// lenient: trailing blanks after a delimiter are accepted, and a missing
// close delimiter ends the last part at the end of input (noted in
// unclosed).
type multipartReader struct {
	br       *bufio.Reader
	dash     []byte // "--" + boundary
	cur      *partReader
	final    bool // the close delimiter was seen
	eof      bool // the input ended
	unclosed bool // the input ended without a close delimiter
}

// newMultipartReader returns a reader over r and the preamble, the part
// before the first delimiter. found is false when no delimiter occurs at
// all: then the whole body is in the preamble.
func newMultipartReader(r io.Reader, boundary string, keep int, scratch []byte) (m *multipartReader, preamble []byte, found bool) {
	return newMultipartReaderSize(r, boundary, keep, scratch, multipartBuffer)
}

// newMultipartReaderSize is newMultipartReader with a buffer of size bytes.
func newMultipartReaderSize(r io.Reader, boundary string, keep int, scratch []byte, size int) (m *multipartReader, preamble []byte, found bool) {
	dash := []byte("--" + boundary)
	m = &multipartReader{br: bufio.NewReaderSize(r, size), dash: dash}
	p := &partReader{m: m}
	preamble, _ = readCapped(p, keep, scratch)
	if m.eof && !p.boundary {
		return m, preamble, false
	}
	return m, preamble, true
}

// next returns the body of the next part (header included), or false
// after the last one. An unread part is skipped.
func (m *multipartReader) next() (io.Reader, bool) {
	if m.cur != nil && !m.cur.done {
		m.cur.skip()
	}
	if m.final || m.eof {
		return nil, false
	}
	m.cur = &partReader{m: m}
	return m.cur, true
}

// isDelimiter reports whether a whole line is a delimiter line and
// whether it is the close delimiter.
func (m *multipartReader) isDelimiter(line []byte) (is, final bool) {
	if !bytes.HasPrefix(line, m.dash) {
		return false, false
	}
	rest := line[len(m.dash):]
	if bytes.HasPrefix(rest, []byte("--")) {
		final = true
		rest = rest[2:]
	}
	if len(bytes.TrimRight(rest, " \t\r\n")) != 0 {
		return false, false
	}
	return true, final
}

// nextDelimiter is where in b, not at 0, the line break before a line
// that begins with the delimiter is, or -1. It looks for the '-' that
// begins one, a byte base64 never has.
func (m *multipartReader) nextDelimiter(b []byte) int {
	for from := 1; from < len(b); {
		j := bytes.IndexByte(b[from:], '-')
		if j < 0 {
			return -1
		}
		j += from
		if b[j-1] == '\n' && bytes.HasPrefix(b[j:], m.dash) {
			return j - 1
		}
		from = j + 1
	}
	return -1
}

// partReader yields the bytes of one part up to the next delimiter. The
// line break before a delimiter belongs to the delimiter, so a line's
// break is held back until the line after it is known not to be one.
//
// It hands out runs of the buffer: only where a line begins with the
// delimiter, or could as far as the buffer shows, is a line read and
// checked on its own (line); every other byte is copied as it lies.
type partReader struct {
	m        *multipartReader
	out      []byte // content to hand out before anything in the buffer
	buf      []byte // room for out
	run      int    // bytes at the head of the buffer that are content
	eol      []byte // held-back line break
	eolRoom  [2]byte
	skipEOL  int  // after run: a line break to take into eol
	midLine  bool // the buffer's head is inside a line that is no delimiter
	done     bool
	boundary bool // the part ended at a delimiter (not at the end of input)
}

func (p *partReader) Read(b []byte) (int, error) {
	n := 0
	for n < len(b) {
		switch {
		case len(p.out) > 0:
			c := copy(b[n:], p.out)
			p.out = p.out[c:]
			n += c
			continue
		case p.run > 0:
			head, _ := p.m.br.Peek(min(p.run, len(b)-n))
			c := copy(b[n:], head)
			_, _ = p.m.br.Discard(c)
			p.run -= c
			n += c
			continue
		case p.done:
		case n > 0 && p.m.br.Buffered() <= p.skipEOL:
			// what is here now, rather than wait for more
		default:
			p.fill()
			continue
		}
		break
	}
	if n == 0 && p.done {
		return 0, io.EOF
	}
	return n, nil
}

// skip reads past the rest of the part.
func (p *partReader) skip() {
	for {
		p.out = p.out[:0]
		if p.run > 0 {
			_, _ = p.m.br.Discard(p.run)
			p.run = 0
		}
		if p.done {
			return
		}
		p.fill()
	}
}

// fill finds what comes next: a run of content, a line checked on its
// own, or the end of the part. It is called with out and run empty.
func (p *partReader) fill() {
	br := p.m.br
	if p.skipEOL > 0 {
		// The line before ended here; its break is held back.
		b, _ := br.Peek(p.skipEOL)
		p.eol = append(p.eolRoom[:0], b...)
		_, _ = br.Discard(p.skipEOL)
		p.skipEOL = 0
		p.midLine = false
	}
	if !p.midLine {
		look, _ := br.Peek(len(p.m.dash))
		if bytes.HasPrefix(p.m.dash, look) {
			p.line() // a delimiter, or the input ends
			return
		}
		// This line is content, and so is the break before it.
		p.out = append(p.buf[:0], p.eol...)
		p.buf = p.out
		p.eol = p.eol[:0]
		p.midLine = true
		return
	}
	avail, _ := br.Peek(br.Buffered())
	if len(avail) == 0 {
		if _, err := br.Peek(1); err != nil {
			p.end()
			return
		}
		avail, _ = br.Peek(br.Buffered())
	}
	// Up to the line before the first place a delimiter may start.
	i := p.m.nextDelimiter(avail)
	if i < 0 {
		if k := bytes.LastIndexByte(avail, '\n'); k >= 0 && bytes.HasPrefix(p.m.dash, avail[k+1:]) {
			i = k // the buffer ends where a delimiter may start
		}
	}
	if i >= 0 {
		start := i
		if start > 0 && avail[start-1] == '\r' {
			start--
		}
		p.run, p.skipEOL = start, i+1-start
		if p.run == 0 {
			p.fill()
		}
		return
	}
	// No line ends here before a delimiter can start: all of it is
	// content, but for a last '\r', which may begin a line break.
	p.run = len(avail)
	if avail[len(avail)-1] == '\r' {
		p.run--
	}
	if p.run == 0 {
		// A lone '\r' buffered: wait to see what follows it.
		if _, err := br.Peek(2); err != nil {
			p.run = 1
			p.end()
		}
	}
}

// line reads one line that may be a delimiter, as it ends the part or
// not, or the end of input.
func (p *partReader) line() {
	line, err := p.m.br.ReadSlice('\n')
	full := errors.Is(err, bufio.ErrBufferFull)
	if full && line[len(line)-1] == '\r' && len(line) > 1 {
		// Not the '\r' of a break that may belong to a delimiter.
		_ = p.m.br.UnreadByte()
		line = line[:len(line)-1]
	}
	if !full && len(line) > 0 {
		if is, final := p.m.isDelimiter(line); is {
			p.done, p.boundary = true, true
			p.m.final = final
			if err != nil {
				p.m.eof = true
				p.m.unclosed = !final
			}
			return
		}
	}
	out := append(p.buf[:0], p.eol...)
	p.eol = p.eol[:0]
	if full {
		out = append(out, line...)
	} else {
		content := trimEOL(line)
		out = append(out, content...)
		p.eol = append(p.eolRoom[:0], line[len(content):]...)
	}
	p.midLine = full
	if err != nil && !full {
		out = append(out, p.eol...) // no delimiter follows: the break is content
		p.eol = p.eol[:0]
		p.done = true
		p.m.eof = true
		p.m.unclosed = true
	}
	p.buf = out
	p.out = out
}

// end ends the part at the end of input, inside a line: what is left is
// content, and no delimiter closed it.
func (p *partReader) end() {
	p.done = true
	p.m.eof = true
	p.m.unclosed = true
}

// readCapped reads r to its end through buf, keeping at most keep bytes.
// It returns what it kept and the total length.
func readCapped(r io.Reader, keep int, buf []byte) ([]byte, int64) {
	var kept []byte
	var total int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			total += int64(n)
			if room := keep - len(kept); room > 0 {
				add := buf[:min(n, room)]
				if len(kept)+len(add) > cap(kept) {
					// Doubled, to at most keep: append grows a long
					// slice by a quarter, which copies a 2 MB text
					// some ten times over
					grown := make([]byte, len(kept), min(keep, max(2*cap(kept), len(kept)+len(add))))
					kept = append(grown[:0], kept...)
				}
				kept = append(kept, add...)
			}
		}
		if err != nil {
			return kept, total
		}
	}
}
