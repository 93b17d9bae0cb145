package mailmsg

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
)

// base64Block is how much base64 is read and decoded at once.
const base64Block = 32 << 10

// base64Reader decodes base64, ignoring whitespace and noting other junk.
type base64Reader struct {
	src  io.Reader
	bad  *bool
	in   []byte
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
		if r.in == nil {
			r.in = make([]byte, base64Block)
		}
		// When p has room for all a read decodes to, it is decoded there
		// rather than copied there: a download reads 64 KB at a time.
		if room := (len(p) - 8) / 4 * 3; room >= 4<<10 {
			n, err := r.src.Read(r.in[:min(len(r.in), room)])
			r.err = err
			if out := r.decode(r.in[:n], p[:0]); len(out) > 0 {
				return len(out), nil
			}
			continue
		}
		n, err := r.src.Read(r.in)
		r.err = err
		r.buf = r.decode(r.in[:n], r.buf[:0])
		r.out = r.buf
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// decode decodes b onto out, which has room for all of it when it has
// room for len(b)/4*3+8 bytes.
func (r *base64Reader) decode(b, out []byte) []byte {
	// The line breaks are taken out in place, and the quads of letters go
	// through decodeQuads, many times faster than a byte at a time. The
	// rest takes the careful path: a quad cut by the read, padding,
	// blanks, junk, a byte at a time until a quad begins again.
	b = dropBreaks(b)
	out = slices.Grow(out, len(b)/4*3+8)
	for len(b) > 0 {
		if r.n == 0 {
			n, used := decodeQuads(out[len(out):cap(out)], b)
			out = out[:len(out)+n]
			if b = b[used:]; len(b) == 0 {
				break
			}
		}
		out = r.decodeSlowly(b[:1], out)
		b = b[1:]
	}
	return out
}

// base64Quad maps a character to its sextet at each place of a quad,
// shifted into place, or to base64Stop for anything else.
var base64Quad = func() (t [4][256]uint32) {
	for c := range 256 {
		v, ok := sextet(byte(c))
		for i := range t {
			t[i][c] = base64Stop
			if ok {
				t[i][c] = uint32(v) << (18 - 6*i)
			}
		}
	}
	return t
}()

const base64Stop = 1 << 31

// decodeQuads decodes the whole quads at the start of src that are only
// letters of the alphabet onto dst, and says how much it wrote and read:
// padding, blanks and junk are left to the careful path. dst must have
// room for len(src)/4*3 bytes and 2 more.
func decodeQuads(dst, src []byte) (n, used int) {
	t0, t1, t2, t3 := &base64Quad[0], &base64Quad[1], &base64Quad[2], &base64Quad[3]
	for len(src)-used >= 8 && len(dst)-n >= 8 {
		s := src[used : used+8]
		x := t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]]
		y := t0[s[4]] | t1[s[5]] | t2[s[6]] | t3[s[7]]
		if (x|y)&base64Stop != 0 {
			break
		}
		binary.BigEndian.PutUint64(dst[n:], uint64(x)<<40|uint64(y)<<16)
		n += 6
		used += 8
	}
	for len(src)-used >= 4 && len(dst)-n >= 3 {
		s := src[used : used+4]
		x := t0[s[0]] | t1[s[1]] | t2[s[2]] | t3[s[3]]
		if x&base64Stop != 0 {
			break
		}
		dst[n], dst[n+1], dst[n+2] = byte(x>>16), byte(x>>8), byte(x)
		n += 3
		used += 4
	}
	return n, used
}

// dropBreaks removes line breaks from b in place and returns what is
// left. Every decoding path skips '\r' and '\n' wherever they are, so
// this only makes the quads whole for encoding/base64: a line is taken to
// be as long as the one before when a '\n' ends it there.
func dropBreaks(b []byte) []byte {
	w, rest, step := 0, b, 0
	for len(rest) > 0 {
		line, next := rest, len(rest)
		if step > 0 && step <= len(rest) && rest[step-1] == '\n' {
			line, next = rest[:step-1], step
		} else if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, next = rest[:i], i+1
			step = next
		}
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		w += copy(b[w:], line)
		rest = rest[next:]
	}
	return b[:w]
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

// base64Class classes a byte of base64 for base64Counter: 1 for a letter
// of the alphabet, 0 for a blank or line break, base64Odd for anything
// else ('=', junk), which takes the careful count.
var base64Class = func() (t [256]uint32) {
	for c := range t {
		switch _, ok := sextet(byte(c)); {
		case ok:
			t[c] = 1
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		default:
			t[c] = base64Odd
		}
	}
	return t
}()

// base64Odd marks, in a sum of base64Class values over fewer than 1<<16
// bytes, that one of them was neither a letter nor a blank.
const base64Odd = 1 << 16

// base64Counter counts the bytes base64Reader would decode from what it
// is given, and notes what it would note, without decoding: the view
// shows an attachment's size only.
type base64Counter struct {
	n    int // sextets of the quad begun
	size int64
	bad  bool
}

func (c *base64Counter) count(b []byte) {
	for len(b) > 0 {
		block := b[:min(len(b), base64Odd-1)]
		b = b[len(block):]
		sum := classSum(block)
		if sum < base64Odd {
			s := c.n + int(sum)
			c.size += int64(s / 4 * 3)
			c.n = s % 4
			continue
		}
		for _, ch := range block { // as decodeSlowly does
			switch {
			case base64Class[ch] == 1:
				c.n++
				if c.n == 4 {
					c.size += 3
					c.n = 0
				}
			case ch == '=':
				c.flush()
			case base64Class[ch] != 0:
				c.bad = true
			}
		}
	}
}

// classSum sums base64Class over b, eight bytes a turn in four sums
// that do not wait on one another.
func classSum(b []byte) uint32 {
	var s0, s1, s2, s3 uint32
	for len(b) >= 8 {
		s0 += base64Class[b[0]] + base64Class[b[4]]
		s1 += base64Class[b[1]] + base64Class[b[5]]
		s2 += base64Class[b[2]] + base64Class[b[6]]
		s3 += base64Class[b[3]] + base64Class[b[7]]
		b = b[8:]
	}
	for _, ch := range b {
		s0 += base64Class[ch]
	}
	return s0 + s1 + s2 + s3
}

// flush counts a partial quad ended by padding or the end, as flushQuad.
func (c *base64Counter) flush() {
	if c.n == 1 {
		c.bad = true
	} else if c.n > 1 {
		c.size += int64(c.n - 1)
	}
	c.n = 0
}

// finish ends the count: the decoded size, and bad set if the decoder
// would have set it.
func (c *base64Counter) finish(bad *bool) int64 {
	if c.n > 0 {
		c.flush()
	}
	if c.bad {
		*bad = true
	}
	return c.size
}
