package mailmsg

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
)

// maxQPLine bounds one quoted-printable line (the standard allows 76).
const maxQPLine = 1 << 20

// transferDecoder wraps r to undo a Content-Transfer-Encoding. The
// decoders are lenient: they skip what they cannot decode and record it
// in bad, so a damaged part still shows what can be read. known is false
// for an encoding this package does not handle (the body is returned as
// it stands).
func transferDecoder(cte string, r io.Reader, bad *bool) (dec io.Reader, known bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(cte), `"`)) {
	case "base64":
		return &base64Reader{src: r, bad: bad}, true
	case "quoted-printable":
		return &qpReader{br: bufio.NewReader(r), bad: bad}, true
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return r, true
	}
	return r, false
}

// base64Reader decodes base64, ignoring whitespace and noting other junk.
type base64Reader struct {
	src  io.Reader
	bad  *bool
	in   [4096]byte
	out  []byte
	buf  []byte
	quad [4]byte
	n    int // sextets held in quad
	err  error
}

func (r *base64Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			r.finish()
			if len(r.out) == 0 {
				return 0, r.err
			}
			break
		}
		n, err := r.src.Read(r.in[:])
		r.err = err
		r.decode(r.in[:n])
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

func (r *base64Reader) decode(b []byte) {
	out := r.buf[:0]
	// Whole quads of a clean run go through encoding/base64, many times
	// faster than a byte at a time. The rest takes the careful path: a
	// quad cut by the read or by a line break, padding, junk. Reads end
	// anywhere (a multipart part holds back the CRLF before a possible
	// boundary), so runs are found between line breaks, not lines.
	for len(b) > 0 {
		for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
			b = b[1:]
		}
		run := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			run = b[:i]
		}
		b = b[len(run):]
		run = bytes.TrimSuffix(run, []byte("\r"))
		if r.n > 0 { // finish the quad a read or a line break cut
			m := min(4-r.n, len(run))
			out = r.decodeSlowly(run[:m], out)
			run = run[m:]
		}
		if k := len(run) / 4 * 4; r.n == 0 && k > 0 {
			out = slices.Grow(out, k/4*3)
			if n, err := base64.StdEncoding.Decode(out[len(out):cap(out)], run[:k]); err == nil {
				out = out[:len(out)+n]
				run = run[k:]
			}
		}
		out = r.decodeSlowly(run, out)
	}
	r.buf = out
	r.out = out
}

// decodeSlowly decodes a byte at a time, whatever comes, onto out.
func (r *base64Reader) decodeSlowly(b, out []byte) []byte {
	for _, c := range b {
		v, ok := sextet(c)
		if !ok {
			switch c {
			case ' ', '\t', '\r', '\n':
			case '=':
				out = r.flushQuad(out)
			default:
				*r.bad = true
			}
			continue
		}
		r.quad[r.n] = v
		r.n++
		if r.n == 4 {
			out = append(out, r.quad[0]<<2|r.quad[1]>>4, r.quad[1]<<4|r.quad[2]>>2, r.quad[2]<<6|r.quad[3])
			r.n = 0
		}
	}
	return out
}

// flushQuad emits the bytes of a partial quad ended by padding or EOF.
func (r *base64Reader) flushQuad(out []byte) []byte {
	switch r.n {
	case 1:
		*r.bad = true
	case 2:
		out = append(out, r.quad[0]<<2|r.quad[1]>>4)
	case 3:
		out = append(out, r.quad[0]<<2|r.quad[1]>>4, r.quad[1]<<4|r.quad[2]>>2)
	}
	r.n = 0
	return out
}

func (r *base64Reader) finish() {
	if r.n > 0 {
		r.buf = r.flushQuad(r.buf[:0])
		r.out = r.buf
	}
}

// sextet decodes one base64 alphabet character.
func sextet(c byte) (byte, bool) {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A', true
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26, true
	case '0' <= c && c <= '9':
		return c - '0' + 52, true
	case c == '+':
		return 62, true
	case c == '/':
		return 63, true
	}
	return 0, false
}

// qpReader decodes quoted-printable line by line. A malformed escape is
// kept as written and noted.
type qpReader struct {
	br   *bufio.Reader
	bad  *bool
	out  []byte
	buf  []byte
	line []byte // a line longer than br's buffer
	err  error
}

// nextLine reads one line, with its end of line. It is valid until the
// next call: a line that fits br's buffer is not copied.
func (r *qpReader) nextLine() (line []byte, long bool, err error) {
	chunk, err := r.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return chunk, false, err
	}
	r.line = append(r.line[:0], chunk...)
	rest, long, err := readLine(r.br, maxQPLine-len(r.line))
	r.line = append(r.line, rest...)
	return r.line, long, err
}

func (r *qpReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		line, long, err := r.nextLine()
		if long {
			*r.bad = true
		}
		r.err = err
		r.out = r.decodeLine(line)
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// decodeLine decodes one line with its end of line.
func (r *qpReader) decodeLine(line []byte) []byte {
	out := r.buf[:0]
	eol := ""
	switch {
	case bytes.HasSuffix(line, []byte("\r\n")):
		eol, line = "\r\n", line[:len(line)-2]
	case len(line) > 0 && line[len(line)-1] == '\n':
		eol, line = "\n", line[:len(line)-1]
	}
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	if len(line) > 0 && line[len(line)-1] == '=' {
		line, eol = line[:len(line)-1], "" // soft line break
	}
	for len(line) > 0 {
		i := bytes.IndexByte(line, '=')
		if i < 0 {
			out = append(out, line...)
			break
		}
		out = append(out, line[:i]...)
		line = line[i:]
		if len(line) >= 3 {
			if h, ok := unhex(line[1]); ok {
				if l, ok := unhex(line[2]); ok {
					out = append(out, h<<4|l)
					line = line[3:]
					continue
				}
			}
		}
		*r.bad = true
		out = append(out, '=')
		line = line[1:]
	}
	out = append(out, eol...)
	r.buf = out
	return out
}
