package mailtools

import (
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// wordDecoder decodes RFC 2047 encoded words in every charset that
// go-message/charset knows.
var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

// DecodeHeaderText decodes a header value for display: RFC 2047 encoded
// words in any known charset; raw 8-bit text as UTF-8 when it is valid
// UTF-8, otherwise as Latin-1. Control characters become spaces. It never
// fails: what cannot be decoded is shown as it stands.
func DecodeHeaderText(raw string) string {
	s := raw
	if !utf8.ValidString(s) {
		s = latin1(s)
	}
	if dec, err := wordDecoder.DecodeHeader(s); err == nil {
		s = dec
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Join(strings.FieldsFunc(s, isHeaderSpace), " ")
}

func isHeaderSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r < 0x20 || r == 0x7f
}

// latin1 reads bytes as ISO-8859-1, which maps every byte to a rune.
func latin1(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
