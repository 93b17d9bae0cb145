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
type dotReader struct {
	r         *bufio.Reader
	pending   []byte // part of r's buffer not yet handed out
	lineStart bool
	done      bool
	err       error
}

func newDotReader(r *bufio.Reader) *dotReader {
	return &dotReader{r: r, lineStart: true}
}

// Read hands out as many lines as fit in p and have arrived: one line
// per call would be a call through every reader above it for each line of
// a long message.
func (d *dotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.pending) == 0 {
			if n > 0 && !d.lineArrived() {
				break // what is here now, rather than wait for more
			}
			if err := d.next(); err != nil {
				if n > 0 {
					return n, nil // the error stays for the next call
				}
				return 0, err
			}
			continue
		}
		c := copy(p[n:], d.pending)
		d.pending = d.pending[c:]
		n += c
	}
	return n, nil
}

// lineArrived reports whether a whole line is buffered, so that reading
// it does not wait on the network.
func (d *dotReader) lineArrived() bool {
	buf, _ := d.r.Peek(d.r.Buffered())
	return bytes.IndexByte(buf, '\n') >= 0
}

// next takes the next line, or the next piece of a line longer than the
// buffer, into pending, its dot-stuffing removed.
func (d *dotReader) next() error {
	if d.done {
		return io.EOF
	}
	if d.err != nil {
		return d.err
	}
	line, err := d.r.ReadSlice('\n')
	partial := errors.Is(err, bufio.ErrBufferFull)
	if err != nil && !partial {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		d.err = err
		return err
	}
	if d.lineStart && len(line) > 0 && line[0] == '.' {
		if !partial && (string(line) == ".\r\n" || string(line) == ".\n") {
			d.done = true
			return io.EOF
		}
		line = line[1:]
	}
	d.lineStart = !partial
	d.pending = line
	return nil
}

// drain reads to the end of the response, so the connection stays in step.
func (d *dotReader) drain() error {
	_, err := io.Copy(io.Discard, d)
	return err
}
