package mailmsg

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// slowBase64 is the model of base64Reader: every byte through
// decodeSlowly, the whole input at once.
func slowBase64(in []byte) (out []byte, bad bool) {
	r := &base64Reader{bad: &bad}
	out = r.decodeSlowly(in, nil)
	out = r.flushQuad(out)
	return out, bad
}

// checkBase64 decodes in with base64Reader and counts it with measure,
// both fed in pieces of the sizes in feed, and holds them to the model.
func checkBase64(t *testing.T, in []byte, feed []byte) {
	t.Helper()
	want, wantBad := slowBase64(in)
	var bad bool
	r, _ := transferDecoder("base64", &chunkReader{data: bytes.Clone(in), sizes: feed}, &bad)
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, want) || bad != wantBad {
		t.Fatalf("decode %q, feed %v: got %q (bad %v, %v), want %q (bad %v)", in, feed, got, bad, err, want, wantBad)
	}
	// In reads of a size that a download's takes: decoded in place.
	bad = false
	var buf bytes.Buffer
	r, _ = transferDecoder("base64", &chunkReader{data: bytes.Clone(in), sizes: feed}, &bad)
	if _, err := io.CopyBuffer(&buf, struct{ io.Reader }{r}, make([]byte, 6000+len(feed))); err != nil || !bytes.Equal(buf.Bytes(), want) || bad != wantBad {
		t.Fatalf("decode %q in large reads, feed %v: got %q (bad %v, %v), want %q (bad %v)", in, feed, buf.Bytes(), bad, err, want, wantBad)
	}
	bad = false
	size, known := measure("base64", &chunkReader{data: bytes.Clone(in), sizes: feed}, &bad, make([]byte, 7+len(feed)))
	if !known || size != int64(len(want)) || bad != wantBad {
		t.Fatalf("measure %q, feed %v: %d bytes (bad %v), want %d (bad %v)", in, feed, size, bad, len(want), wantBad)
	}
}

// TestBase64 decodes and counts base64 as mail has it: lines of 76 with
// CRLF or LF, padding, blanks, junk, a quad cut by a line break, input
// ending inside a quad.
func TestBase64(t *testing.T) {
	line := "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0"
	inputs := []string{
		strings.Repeat(line+"\r\n", 5) + "QQ==\r\n",
		strings.Repeat(line+"\n", 3) + "QUI=",
		"QU\r\nJD\r\nRA\r\n==",
		"QUJD REVG\tR0hJ\r\n",
		"QUJD*REVG!R0hJ",
		"QQ==QUJD",
		"Q===",
		"QUJDR",
		"QUJDRE",
		"\r\r\nQUJD\r",
		"=",
		"",
	}
	for _, in := range inputs {
		for _, feed := range [][]byte{nil, {0}, {2, 5}, {76}} {
			checkBase64(t, []byte(in), feed)
		}
	}
	// A clean block takes the counter's quick sum; one byte of junk its careful count.
	big := []byte(strings.Repeat(line+"\r\n", 2000))
	checkBase64(t, big, nil)
	big[len(big)/2] = '#'
	checkBase64(t, big, []byte{200})
}

// FuzzBase64 holds base64Reader, however its input is cut, and the
// counter of the view to the byte-at-a-time model.
func FuzzBase64(f *testing.F) {
	f.Add([]byte("QUJD\r\nREVG\r\nRw==\r\n"), []byte{3})
	f.Add([]byte("QU JD*\nQQ=\r\nQ"), []byte{0, 1})
	f.Fuzz(func(t *testing.T, in, feed []byte) {
		if len(feed) > 16 {
			return
		}
		checkBase64(t, in, feed)
	})
}
