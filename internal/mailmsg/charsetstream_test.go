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
				"sevens": func() io.Reader { return &chunkReader{data: []byte(in), sizes: []byte{6}} },
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

// countReader counts what is read through it.
type countReader struct {
	r io.Reader
	n int
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// Root reads the header and no more: not the preamble of a multipart,
// however long, so a caller that keeps what was read keeps little.
func TestRootReadsOnlyTheHeader(t *testing.T) {
	head := "Subject: Parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
	msg := head + strings.Repeat("a long preamble line\r\n", 50000) + "--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b--\r\n"
	c := &countReader{r: strings.NewReader(msg)}
	w := NewPartWalker(c)
	h, single := w.Root()
	if single || h.Get("Subject") != "Parts" {
		t.Errorf("single %v, subject %q; want a multipart named Parts", single, h.Get("Subject"))
	}
	if c.n > 8192 {
		t.Errorf("Root read %d bytes of a %d-byte header", c.n, len(head))
	}
	part, _, err := w.Open("1")
	if err != nil || part.ContentType != "text/html" {
		t.Errorf("Open after Root: %v, %+v", err, part)
	}
}
