package mailmsg

import (
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// CharsetReader reads the text of r, in the charset cs, as UTF-8 while it
// reads r, when that gives the text DecodeCharset gives: for UTF-8
// (invalid bytes become U+FFFD) and the single-byte charsets. For the
// others, which need the whole text to be read first (an unknown or
// guessed charset, UTF-16 without a mark, a multi-byte charset that can
// fail), ok is false.
func CharsetReader(r io.Reader, cs string) (text io.Reader, ok bool) {
	cs = normCharset(cs)
	if cs == "utf-8" {
		return &validUTF8Reader{r: r}, true
	}
	if isGuessCharset(cs) || unicodeDecoder(cs, nil) != nil {
		return nil, false
	}
	if cm, single := encodingFor(cs).(*charmap.Charmap); single {
		return transform.NewReader(r, cm.NewDecoder()), true
	}
	return nil, false
}

// validUTF8Reader passes UTF-8 on, each run of invalid bytes replaced by
// one U+FFFD, as strings.ToValidUTF8 does, also where a run or a
// character lies across two reads.
type validUTF8Reader struct {
	r         io.Reader
	buf       [8 << 10]byte
	tail, end int  // buf[tail:end]: a character not yet whole at the end of the last read
	inBad     bool // the text read so far ends in a run of invalid bytes
	out       []byte
	outBuf    []byte
	err       error
}

func (v *validUTF8Reader) Read(p []byte) (int, error) {
	for len(v.out) == 0 {
		if v.err != nil {
			return 0, v.err
		}
		// out, which may lie in buf, is all read: the tail can move
		carry := copy(v.buf[:], v.buf[v.tail:v.end])
		n, err := v.r.Read(v.buf[carry:])
		n += carry
		v.err = err
		end := n
		if err == nil {
			// keep the start of a character cut by the read for the next
			for k := 1; k < utf8.UTFMax && k <= n; k++ {
				c := v.buf[n-k]
				if c < utf8.RuneSelf {
					break
				}
				if utf8.RuneStart(c) {
					if !utf8.FullRune(v.buf[n-k : n]) {
						end = n - k
					}
					break
				}
			}
		}
		v.out = v.valid(v.buf[:end])
		v.tail, v.end = end, n
	}
	n := copy(p, v.out)
	v.out = v.out[n:]
	return n, nil
}

// valid is b with each run of invalid bytes replaced by one U+FFFD.
func (v *validUTF8Reader) valid(b []byte) []byte {
	if utf8.Valid(b) {
		if len(b) > 0 {
			v.inBad = false
		}
		return b
	}
	out := v.outBuf[:0]
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			if !v.inBad {
				out = append(out, "\uFFFD"...)
				v.inBad = true
			}
		} else {
			out = append(out, b[:size]...)
			v.inBad = false
		}
		b = b[size:]
	}
	v.outBuf = out
	return out
}
