package mailtools

import (
	"bufio"
	"errors"
	"io"
)

// dotReader streams the body of a POP3 multi-line response: it removes the
// dot-stuffing of lines that begin with '.', stops at the lone "." line and
// otherwise passes every byte through unchanged, CRLFs and lines of any
// length included. go-pop3 v1.0.0's ReadAll does neither of the first two,
// splits lines longer than its 4096-byte buffer, and buffers the whole reply.
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

func (d *dotReader) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.done {
			return 0, io.EOF
		}
		if d.err != nil {
			return 0, d.err
		}
		line, err := d.r.ReadSlice('\n')
		partial := errors.Is(err, bufio.ErrBufferFull)
		if err != nil && !partial {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			d.err = err
			return 0, err
		}
		if d.lineStart && len(line) > 0 && line[0] == '.' {
			if !partial && (string(line) == ".\r\n" || string(line) == ".\n") {
				d.done = true
				return 0, io.EOF
			}
			line = line[1:]
		}
		d.lineStart = !partial
		d.pending = line
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// drain reads to the end of the response, so the connection stays in step.
func (d *dotReader) drain() error {
	_, err := io.Copy(io.Discard, d)
	return err
}
