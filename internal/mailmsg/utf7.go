package mailmsg

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// utf7Decoder reads UTF-7 (RFC 2152), which old Outlook versions and some
// list servers still label bodies and encoded words with. Neither x/text
// nor go-message's charset package has it, and no small, kept UTF-7
// package is among our dependencies, so this is our own: a decoder only,
// as nothing here writes UTF-7.
//
// Outside a shifted run every ASCII byte stands for itself; "+" opens a
// run of modified base64 holding UTF-16 code units, which ends at the first
// byte outside the base64 alphabet (a "-" there is absorbed); "+-" is a
// literal "+". It is lenient: a byte above 0x7F, a lone surrogate or a
// surrogate pair cut by the end of its run becomes U+FFFD, and a "+"
// followed by neither base64 nor "-" is kept as it stands.
type utf7Decoder struct {
	shifted bool   // in a base64 run
	fresh   bool   // just after the "+" that opened it
	bits    uint32 // the run's bits not yet made into a code unit
	nbits   uint
	high    rune // a high surrogate waiting for its low half, or 0
}

// utf7MaxOut is the most one input byte can write: U+FFFD for a cut
// surrogate, the "+" of a run that was no run, and U+FFFD for the byte.
const utf7MaxOut = 3 + 1 + 3

// Reset implements transform.Transformer.
func (d *utf7Decoder) Reset() { *d = utf7Decoder{} }

// Transform implements transform.Transformer.
func (d *utf7Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if len(dst)-nDst < utf7MaxOut {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		if d.shifted {
			if v := base64Value(c); v >= 0 {
				d.fresh = false
				d.bits = d.bits<<6 | uint32(v)
				d.nbits += 6
				if d.nbits >= 16 {
					d.nbits -= 16
					unit := rune(d.bits >> d.nbits & 0xFFFF)
					d.bits &= 1<<d.nbits - 1
					nDst += d.unit(dst[nDst:], unit)
				}
				nSrc++
				continue
			}
			literalPlus := d.fresh
			nDst += d.endRun(dst[nDst:])
			if literalPlus {
				dst[nDst] = '+'
				nDst++
			}
			if c == '-' {
				nSrc++
				continue
			}
		}
		nSrc++
		switch {
		case c == '+':
			d.shifted, d.fresh = true, true
		case c < utf8.RuneSelf:
			dst[nDst] = c
			nDst++
		default:
			nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
		}
	}
	if atEOF && d.shifted {
		if len(dst)-nDst < utf7MaxOut {
			return nDst, nSrc, transform.ErrShortDst
		}
		literalPlus := d.fresh
		nDst += d.endRun(dst[nDst:])
		if literalPlus {
			dst[nDst] = '+'
			nDst++
		}
	}
	return nDst, nSrc, nil
}

// unit writes one UTF-16 code unit of a run, joining surrogate pairs.
func (d *utf7Decoder) unit(dst []byte, u rune) int {
	n := 0
	if d.high != 0 {
		if utf16.IsSurrogate(u) && u >= 0xDC00 {
			r := utf16.DecodeRune(d.high, u)
			d.high = 0
			return utf8.EncodeRune(dst, r)
		}
		d.high = 0
		n += utf8.EncodeRune(dst, utf8.RuneError)
	}
	switch {
	case u >= 0xD800 && u < 0xDC00:
		d.high = u
	case utf16.IsSurrogate(u):
		n += utf8.EncodeRune(dst[n:], utf8.RuneError)
	default:
		n += utf8.EncodeRune(dst[n:], u)
	}
	return n
}

// endRun closes a base64 run: a high surrogate still waiting is lost
// (U+FFFD); leftover bits, fewer than a code unit, are padding.
func (d *utf7Decoder) endRun(dst []byte) int {
	n := 0
	if d.high != 0 {
		n = utf8.EncodeRune(dst, utf8.RuneError)
	}
	*d = utf7Decoder{}
	return n
}

// base64Value is c's value in the base64 alphabet, or -1.
func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
