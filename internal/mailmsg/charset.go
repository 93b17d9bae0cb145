package mailmsg

import (
	"io"
	"mime"
	"regexp"
	"strings"
	"sync"
	stdunicode "unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// isGuessCharset reports labels that promise nothing: the bytes are read
// as UTF-8 when valid, else as Latin-1, and no note is made.
func isGuessCharset(cs string) bool {
	switch cs {
	case "", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "unknown", "default",
		"8bit", "x-user-defined", "none":
		return true
	}
	return false
}

// misspellings maps labels seen in real mail that neither the WHATWG nor
// the IANA index knows to labels they do.
var misspellings = map[string]string{
	"utf8":        "utf-8",
	"cp932":       "shift_jis",
	"cp949":       "euc-kr",
	"ks_c_5601":   "euc-kr",
	"dos-862":     "ibm862",
	"dos-866":     "ibm866",
	"x-mac-roman": "macintosh",
}

// normCharset lower-cases a charset label, strips quotes, blanks and an
// RFC 2231 language tag ("iso-8859-2*sl") and rewrites common
// misspellings.
func normCharset(cs string) string {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"' `))
	if i := strings.IndexByte(cs, '*'); i >= 0 {
		cs = cs[:i]
	}
	if a, ok := misspellings[cs]; ok {
		return a
	}
	switch {
	case strings.HasPrefix(cs, "cp-"):
		cs = "cp" + cs[3:]
	case strings.HasPrefix(cs, "win-"):
		cs = "windows-" + cs[4:]
	case strings.HasPrefix(cs, "8859-"):
		cs = "iso-8859-" + cs[5:]
	case strings.HasPrefix(cs, "x-") && !strings.HasPrefix(cs, "x-mac") && encodingFor(cs) == nil:
		cs = cs[2:]
	}
	return cs
}

// encodingFor finds a label in the WHATWG index (what browsers read),
// then in IANA's; nil when neither knows it.
func encodingFor(label string) encoding.Encoding {
	if e, err := htmlindex.Get(label); err == nil && e != nil {
		return e
	}
	for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA} {
		if e, err := idx.Encoding(label); err == nil && e != nil {
			return e
		}
	}
	return nil
}

// DecodeCharset converts b from the named charset to valid UTF-8. An
// unknown charset, or bytes invalid in it, fall back to UTF-8 when valid,
// else Latin-1 (read as Windows-1252, its superset, as browsers do);
// unknown is true for a charset that could not be used.
func DecodeCharset(b []byte, cs string) (text string, unknown bool) {
	cs = normCharset(cs)
	if isGuessCharset(cs) {
		return guessText(b), false
	}
	if cs == "utf-8" {
		if utf8.Valid(b) { // the usual case, and much the faster check
			return string(b), false
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	dec := unicodeDecoder(cs, b)
	if dec == nil {
		enc := encodingFor(cs)
		if enc == nil {
			return guessText(b), true
		}
		dec = enc.NewDecoder()
	}
	out, err := dec.Bytes(b)
	if err != nil {
		return guessText(b), true
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), false
}

// unicodeDecoder gives the decoder of the Unicode forms that the indexes
// read as the web does, not as mail means them, or nil for other labels.
// The WHATWG index takes "utf-16" for little-endian and ignores a
// byte-order mark, and neither index has UTF-32 or UTF-7. RFC 2781 makes
// unmarked "utf-16" big-endian, but Windows writes it little-endian, so
// without a mark the zero bytes of b tell which it is. A mark always wins,
// even over the label's order: the sender knew best what it wrote.
func unicodeDecoder(cs string, b []byte) *encoding.Decoder {
	switch cs {
	case "utf-7", "unicode-1-1-utf-7", "csunicode11utf7":
		return &encoding.Decoder{Transformer: new(utf7Decoder)}
	case "utf-16", "ucs-2", "iso-10646-ucs-2", "csunicode":
		order := unicode.BigEndian
		if zerosAt(b, 2, 1) > zerosAt(b, 2, 0) {
			order = unicode.LittleEndian
		}
		return unicode.UTF16(order, unicode.UseBOM).NewDecoder()
	case "utf-16be":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
	case "utf-16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
	case "utf-32", "ucs-4", "iso-10646-ucs-4":
		order := utf32.BigEndian
		if zerosAt(b, 4, 3) > zerosAt(b, 4, 0) {
			order = utf32.LittleEndian
		}
		return utf32.UTF32(order, utf32.UseBOM).NewDecoder()
	case "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewDecoder()
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewDecoder()
	}
	return nil
}

// zerosAt counts the zero bytes of b at offset off of each unit of size
// bytes: in text of mostly Latin letters, the high bytes of its units.
func zerosAt(b []byte, size, off int) int {
	n := 0
	for i := off; i < len(b); i += size {
		if b[i] == 0 {
			n++
		}
	}
	return n
}

// guessText reads bytes of unknown charset: UTF-8 when valid, else
// Windows-1252 (a superset of the printable Latin-1).
func guessText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return latin1(b)
	}
	return string(out)
}

// latin1 maps every byte to the rune with the same value.
func latin1(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

// charsetReader serves mime.WordDecoder: it never fails, so every encoded
// word is shown even in an unknown charset.
func charsetReader(cs string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, maxFieldBytes))
	if err != nil {
		return nil, err
	}
	text, _ := DecodeCharset(b, cs)
	return strings.NewReader(text), nil
}

// wordDecoder decodes RFC 2047 encoded words in every charset we know.
var wordDecoder = mime.WordDecoder{CharsetReader: charsetReader}

// languageTag matches the RFC 2231 language tag of an encoded word's
// charset, "=?iso-8859-2*sl?": the standard library's decoder refuses it.
var languageTag = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`=\?([^?*\s]+)\*[A-Za-z0-9-]*\?`)
})

// DecodeHeaderText decodes a raw header value for display: RFC 2047
// encoded words in any charset; raw 8-bit text as UTF-8 when valid, else
// in the charset the message declares for its body (fallback, may be ""),
// else Latin-1; control characters and runs of blanks become single
// spaces. It never fails: what cannot be decoded is shown as it stands.
func DecodeHeaderText(raw string) string { return decodeHeaderIn(raw, "") }

// decodeHeaderIn is DecodeHeaderText with the body's charset for raw
// 8-bit text, as mail clients read it.
func decodeHeaderIn(raw, fallback string) string {
	s := raw8bit(raw, fallback)
	if strings.Contains(s, "=?") {
		s = languageTag().ReplaceAllString(s, "=?$1?")
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		}
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if tidy(s) { // most fields: nothing to collapse, nothing to copy
		return s
	}
	return strings.Join(strings.FieldsFunc(s, isControlOrSpace), " ")
}

// raw8bit turns a raw header value that is not valid UTF-8 into UTF-8:
// in the fallback charset when it is a real one, else as Latin-1.
func raw8bit(raw, fallback string) string {
	if utf8.ValidString(raw) {
		return raw
	}
	if cs := normCharset(fallback); !isGuessCharset(cs) && cs != "utf-8" {
		if text, unknown := DecodeCharset([]byte(raw), cs); !unknown {
			return text
		}
	}
	return latin1([]byte(raw))
}

// isControlOrSpace reports runes that separate words in a header display.
func isControlOrSpace(r rune) bool {
	return stdunicode.IsSpace(r) || stdunicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF'
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
