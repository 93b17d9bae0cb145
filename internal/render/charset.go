package render

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
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

// charsetAlias maps labels seen in real mail that the charset package
// does not know to labels it does.
func charsetAlias(cs string) (string, bool) {
	switch cs {
	case "utf8":
		return "utf-8", true
	case "cp932", "x-sjis":
		return "shift_jis", true
	case "cp949", "ks_c_5601":
		return "euc-kr", true
	case "dos-862":
		return "ibm862", true
	case "dos-866":
		return "ibm866", true
	case "x-mac-roman":
		return "macintosh", true
	}
	return "", false
}

// normCharset lower-cases a charset label, strips quotes and blanks and
// rewrites common misspellings.
func normCharset(cs string) string {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"' `))
	if a, ok := charsetAlias(cs); ok {
		return a
	}
	switch {
	case strings.HasPrefix(cs, "cp-"):
		cs = "cp" + cs[3:]
	case strings.HasPrefix(cs, "win-"):
		cs = "windows-" + cs[4:]
	case strings.HasPrefix(cs, "8859-"):
		cs = "iso-8859-" + cs[5:]
	case strings.HasPrefix(cs, "x-") && !strings.HasPrefix(cs, "x-mac"):
		if _, err := charset.Reader(cs, bytes.NewReader(nil)); err != nil {
			cs = cs[2:]
		}
	}
	return cs
}

// decodeCharset converts b from the named charset to valid UTF-8. An
// unknown charset, or bytes invalid in it, fall back to UTF-8 when valid,
// else Latin-1 (read as Windows-1252, its superset, as browsers do);
// unknown is true for a charset that could not be used.
func decodeCharset(b []byte, cs string) (text string, unknown bool) {
	cs = normCharset(cs)
	if isGuessCharset(cs) {
		return guessText(b), false
	}
	if cs == "utf-8" {
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil || r == nil {
		return guessText(b), true
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return guessText(b), true
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), false
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
	text, _ := decodeCharset(b, cs)
	return strings.NewReader(text), nil
}

// decodeHeaderText decodes a raw header value for display: raw 8-bit as
// UTF-8 when valid, else Latin-1; RFC 2047 encoded words in any charset;
// control characters and runs of blanks become single spaces.
func decodeHeaderText(raw string) string {
	s := raw
	if !utf8.ValidString(s) {
		s = latin1([]byte(s))
	}
	dec := mime.WordDecoder{CharsetReader: charsetReader}
	if d, err := dec.DecodeHeader(s); err == nil {
		s = d
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, isControlOrSpace), " ")
}

// isControlOrSpace reports runes that separate words in a header display.
func isControlOrSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF'
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
