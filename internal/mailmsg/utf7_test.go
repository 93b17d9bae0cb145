package mailmsg

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

func TestUTF7(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii", "Hi Mom -", "Hi Mom -"},
		{"o umlaut", "+APY-", "ö"},
		{"rfc 2152 example", "Hi Mom -+Jjo--!", "Hi Mom -☺-!"},
		{"japanese", "+ZeVnLIqe-", "日本語"},
		{"literal plus", "1 +- 1 = 2", "1 + 1 = 2"},
		{"run ends at a space", "Gr+APw-e and +AOQ you", "Grüe and ä you"},
		{"run ends at a dot", "caf+AOk.", "café."},
		{"run ends at end of input", "caf+AOk", "café"},
		{"runs back to back", "+AGE-+AGI-", "ab"},
		{"plus inside a run is base64", "+AGE+AGI-", "a\u3e00"},
		{"surrogate pair", "+2D3eAA-", "\U0001F600"},
		{"lone high surrogate", "+2D0-x", "\uFFFDx"},
		{"high surrogate then a letter", "+2D0AYQ-", "\uFFFDa"},
		{"lone low surrogate", "+3gA-", "\uFFFD"},
		{"plus then blank", "a + b", "a + b"},
		{"plus at the end", "a+", "a+"},
		{"eight-bit byte", "caf\xe9", "caf\uFFFD"},
		{"padding bits dropped", "+AGEA-", "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, unknown := DecodeCharset([]byte(tc.in), "UTF-7")
			if got != tc.want || unknown {
				t.Errorf("got %q unknown=%v, want %q", got, unknown, tc.want)
			}
			// The same, a byte at a time into a small buffer
			if got := utf7Chunked(t, []byte(tc.in)); got != tc.want {
				t.Errorf("a byte at a time: got %q, want %q", got, tc.want)
			}
		})
	}
}

// utf7Chunked decodes in one-byte reads into an output buffer of the
// least room the decoder needs, as a streaming reader would.
func utf7Chunked(t testing.TB, in []byte) string {
	t.Helper()
	var d utf7Decoder
	var out bytes.Buffer
	dst := make([]byte, utf7MaxOut)
	for i := 0; i <= len(in); i++ {
		src := in[i:min(i+1, len(in))]
		atEOF := i == len(in)
		for {
			nDst, nSrc, err := d.Transform(dst, src, atEOF)
			out.Write(dst[:nDst])
			src = src[nSrc:]
			if err == transform.ErrShortDst {
				continue
			}
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			if len(src) != 0 {
				t.Fatalf("Transform left %q unread without an error", src)
			}
			break
		}
	}
	return out.String()
}

// encodeUTF7 writes s in UTF-7 for the tests: letters, digits and blanks
// directly, "+" as "+-", everything else in base64 runs, ended by "-"
// only when a base64 letter or "-" follows.
func encodeUTF7(s string) string {
	var b strings.Builder
	var run []uint16
	flush := func(next rune) {
		if len(run) == 0 {
			return
		}
		raw := make([]byte, 0, 2*len(run))
		for _, u := range run {
			raw = append(raw, byte(u>>8), byte(u))
		}
		b.WriteByte('+')
		b.WriteString(base64.RawStdEncoding.EncodeToString(raw))
		if next < 0 || base64Value(byte(next)) >= 0 || next == '-' {
			b.WriteByte('-')
		}
		run = run[:0]
	}
	for _, r := range s {
		direct := r < utf8.RuneSelf && r != '+' && r != '\\' && r != '~' && r >= ' '
		switch {
		case direct:
			flush(r)
			b.WriteRune(r)
		case r == '+' && len(run) == 0:
			b.WriteString("+-")
		default:
			run = utf16.AppendRune(run, r)
		}
	}
	flush(-1)
	return b.String()
}

// FuzzUTF7 checks the decoder on any bytes (valid UTF-8 out, the same
// whether read whole or a byte at a time) and that any text written as
// UTF-7 reads back as it was.
func FuzzUTF7(f *testing.F) {
	for _, s := range []string{"+APY-", "Hi Mom -+Jjo--!", "+2D3eAA-", "1 +- 1", "+2D0", "a+", "+AGE-+AGI-", "caf\xe9", "Grüße 😀 + ok"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, _ := DecodeCharset(in, "utf-7")
		if !utf8.ValidString(got) {
			t.Fatalf("decoded %q to invalid UTF-8 %q", in, got)
		}
		if chunked := utf7Chunked(t, in); chunked != got {
			t.Fatalf("%q: a byte at a time %q, whole %q", in, chunked, got)
		}
		if !utf8.Valid(in) {
			return
		}
		text := strings.ToValidUTF8(string(in), "\uFFFD")
		enc := encodeUTF7(text)
		if back, _ := DecodeCharset([]byte(enc), "utf-7"); back != text {
			t.Fatalf("%q written as %q reads back as %q", text, enc, back)
		}
	})
}
