package mailtools

import (
	"encoding/base64"
	"io"
)

const (
	base64LineIn  = 57  // input bytes per full line
	base64LineOut = 76  // its characters, the most RFC 2045 section 6.8 allows
	base64Chunk   = 512 // lines encoded per write
)

// writeBase64 writes what r yields to w in base64, in lines of 76
// characters separated by CRLF. No CRLF follows the last line: in a
// multipart body the delimiter that follows begins with one. It allocates
// its two buffers once, however much r yields.
func writeBase64(w io.Writer, r io.Reader) error {
	in := make([]byte, base64Chunk*base64LineIn)
	out := make([]byte, 0, base64Chunk*(base64LineOut+2))
	first := true
	for {
		n, rerr := io.ReadFull(r, in)
		switch rerr {
		case nil, io.EOF, io.ErrUnexpectedEOF:
		default:
			return rerr
		}
		out = out[:0]
		for src := in[:n]; len(src) > 0; {
			line := src[:min(len(src), base64LineIn)]
			src = src[len(line):]
			if !first {
				out = append(out, '\r', '\n')
			}
			first = false
			o := len(out)
			out = out[:o+base64.StdEncoding.EncodedLen(len(line))]
			base64.StdEncoding.Encode(out[o:], line)
		}
		if len(out) > 0 {
			if _, err := w.Write(out); err != nil {
				return err
			}
		}
		if rerr != nil {
			return nil
		}
	}
}
