package mailtools

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// dotReader streams the body of a POP3 multi-line response: it removes the
// dot-stuffing of lines that begin with '.', stops at the lone "." line and
// otherwise passes every byte through unchanged, CRLFs and lines of any
// length included, without holding the body in memory (see popconn.go).
//
// It copies whole runs of the connection's buffer: only where a line
// begins with '.' does it stop to look at the line. A line is handed out
// once its end has arrived, or a buffer's worth of it when it is longer.
type dotReader struct {
	r         *bufio.Reader
	lineStart bool // the buffer's head begins a line
	done      bool
	err       error
}

func newDotReader(r *bufio.Reader) *dotReader {
	return &dotReader{r: r, lineStart: true}
}

// Read hands out as much of the body as fits in p and has arrived; it
// waits for more only when it has nothing to hand out.
func (d *dotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.done {
			break
		}
		if d.err != nil {
			if n > 0 {
				return n, nil // the error stays for the next call
			}
			return 0, d.err
		}
		buf, _ := d.r.Peek(d.r.Buffered())
		if d.lineStart && len(buf) > 0 && buf[0] == '.' {
			switch end := terminator(buf); {
			case end > 0:
				_, _ = d.r.Discard(end)
				d.done = true
			case end == 0:
				_, _ = d.r.Discard(1) // the stuffed dot
				d.lineStart = false
			case n > 0:
				return n, nil // what is here now, rather than wait for more
			default:
				d.more(len(buf))
			}
			continue
		}
		// Up to the next line that begins with '.', else the last whole
		// line, else a buffer's worth of one long line.
		// Only what fits in p is looked at.
		room := buf[:min(len(buf), len(p)-n)]
		run := nextDotLine(room)
		if run == 0 {
			run = bytes.LastIndexByte(room, '\n') + 1
		}
		if run == 0 && (len(buf) == d.r.Size() || bytes.IndexByte(buf[len(room):], '\n') >= 0) {
			run = len(room) // a piece of a long line, or of one that has arrived
		}
		if run == 0 {
			if n > 0 {
				break
			}
			d.more(len(buf))
			continue
		}
		copy(p[n:], room[:run])
		_, _ = d.r.Discard(run)
		d.lineStart = room[run-1] == '\n'
		n += run
	}
	if n == 0 && d.done {
		return 0, io.EOF
	}
	return n, nil
}

// nextDotLine is where the first line of b that begins with '.' begins
// (not at 0, which is not a line's start), or 0. A dot is rare in a
// base64 body, but for a sentence's end, so it is the dot that is looked for.
func nextDotLine(b []byte) int {
	for from := 1; from < len(b); {
		i := bytes.IndexByte(b[from:], '.')
		if i < 0 {
			return 0
		}
		i += from
		if b[i-1] == '\n' {
			return i
		}
		from = i + 1
	}
	return 0
}

// terminator looks at a buffered line that begins with '.': it returns the
// length of the lone "." line that ends the body, 0 when the line is
// another, and -1 when too little of it has arrived to tell.
func terminator(buf []byte) int {
	switch {
	case len(buf) < 2:
		return -1
	case buf[1] == '\n':
		return 2
	case buf[1] != '\r':
		return 0
	case len(buf) < 3:
		return -1
	case buf[2] == '\n':
		return 3
	}
	return 0
}

// more waits until more than have bytes are buffered. The end of input
// before the terminator is an error; what was buffered of the last line
// is not handed out, as a cut line is not a line of the message.
func (d *dotReader) more(have int) {
	_, err := d.r.Peek(have + 1)
	if err == nil || errors.Is(err, bufio.ErrBufferFull) {
		return
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	d.err = err
}

// drain reads to the end of the response, so the connection stays in step.
func (d *dotReader) drain() error {
	_, err := io.Copy(io.Discard, d)
	return err
}
