package mailmsg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
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

// measure reads a body to its end and returns its size once the transfer
// encoding cte is undone, for a page that shows only the size: base64 is
// counted rather than decoded (base64Counter), anything else decoded and
// counted. bad and known are as transferDecoder gives them.
func measure(cte string, r io.Reader, bad *bool, buf []byte) (size int64, known bool) {
	dec, known := transferDecoder(cte, r, bad)
	_, counting := dec.(*base64Reader)
	if counting {
		dec = r
	}
	var cn base64Counter
	for {
		n, err := dec.Read(buf)
		if counting {
			cn.count(buf[:n])
		} else {
			size += int64(n)
		}
		if err != nil {
			break
		}
	}
	if counting {
		size = cn.finish(bad)
	}
	return size, known
}
