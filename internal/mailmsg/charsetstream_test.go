package mailmsg

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCharsetReaderMatchesDecodeCharset(t *testing.T) {
	inputs := []string{
		"plain ASCII",
		"café Müllerstraße – 日本語",
		"bad \xff\xfe run, cut \xe2\x82 rune, end \xe2",
		"\xc3\xa9\xc3",
		"abcdef\xe2\x82\xac and on, abcde\xe2\x82\xac, and on",
		"a valid \uFFFD stays, \xed\xa0\x80 surrogate",
		strings.Repeat("é€", 5000) + "\x80\x80" + strings.Repeat("x€", 3000),
	}
	for _, cs := range []string{"utf-8", "UTF8", "iso-8859-1", "windows-1252", "koi8-r", "iso-8859-15"} {
		for _, in := range inputs {
			want, _ := DecodeCharset([]byte(in), cs)
			for name, r := range map[string]func() io.Reader{
				"whole":  func() io.Reader { return strings.NewReader(in) },
				"bytes":  func() io.Reader { return iotest.OneByteReader(strings.NewReader(in)) },
				"halves": func() io.Reader { return iotest.HalfReader(strings.NewReader(in)) },
				"sevens": func() io.Reader { return &chunkReader{s: in, n: 7} },
			} {
				text, ok := CharsetReader(r(), cs)
				if !ok {
					t.Fatalf("%s: not read as a stream", cs)
				}
				got, err := io.ReadAll(text)
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != want {
					t.Errorf("%s, %s, %.20q: got %.60q, want %.60q", cs, name, in, got, want)
				}
			}
		}
	}
}

func TestCharsetReaderRefusesWhatNeedsTheWhole(t *testing.T) {
	for _, cs := range []string{"", "us-ascii", "unknown-8bit", "utf-16", "utf-7", "shift_jis", "no-such-charset"} {
		if _, ok := CharsetReader(strings.NewReader("x"), cs); ok {
			t.Errorf("%q read as a stream; want it refused", cs)
		}
	}
}

// chunkReader reads s n bytes at a time, cutting characters in two.
type chunkReader struct {
	s string
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	k := copy(p[:min(len(p), c.n)], c.s)
	c.s = c.s[k:]
	return k, nil
}
