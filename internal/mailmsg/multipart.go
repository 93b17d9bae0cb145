package mailmsg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

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
	m = &multipartReader{br: bufio.NewReaderSize(r, 4096), dash: []byte("--" + boundary)}
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
		_, _ = io.Copy(io.Discard, m.cur)
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

// partReader yields the bytes of one part up to the next delimiter. The
// line break before a delimiter belongs to the delimiter, so each line's
// break is held back until the following line is known.
type partReader struct {
	m        *multipartReader
	buf      []byte
	out      []byte
	eol      []byte // held-back line break
	midLine  bool   // the last piece read ended inside a long line
	done     bool
	boundary bool // the part ended at a delimiter (not at the end of input)
}

func (p *partReader) Read(b []byte) (int, error) {
	for len(p.out) == 0 {
		if p.done {
			return 0, io.EOF
		}
		p.fill()
	}
	n := copy(b, p.out)
	p.out = p.out[n:]
	return n, nil
}

func (p *partReader) fill() {
	line, err := p.m.br.ReadSlice('\n')
	full := errors.Is(err, bufio.ErrBufferFull)
	if !p.midLine && !full && len(line) > 0 {
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
		p.eol = append(p.eol, line[len(content):]...)
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
