package mailtools

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// wrapped76 is the reference: stdlib base64 cut into 76-character lines
// joined by CRLF.
func wrapped76(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var lines []string
	for len(s) > 76 {
		lines = append(lines, s[:76])
		s = s[76:]
	}
	if s != "" {
		lines = append(lines, s)
	}
	return strings.Join(lines, "\r\n")
}

func TestWriteBase64(t *testing.T) {
	chunk := base64Chunk * base64LineIn
	for _, n := range []int{0, 1, 2, 3, 4, 55, 56, 57, 58, 113, 114, 115, 1000,
		chunk - 1, chunk, chunk + 1, chunk + 57, 3*chunk - 2, 3 << 20} {
		data, err := io.ReadAll(&patternReader{n: int64(n)})
		if err != nil {
			t.Fatal(err)
		}
		want := wrapped76(data)
		for _, r := range []struct {
			name string
			r    io.Reader
		}{
			{"whole", bytes.NewReader(data)},
			{"one byte a read", iotest.OneByteReader(bytes.NewReader(data))},
			{"data with EOF", iotest.DataErrReader(bytes.NewReader(data))},
		} {
			if r.name != "whole" && n > 4*chunk {
				continue
			}
			t.Run(fmt.Sprintf("%d bytes/%s", n, r.name), func(t *testing.T) {
				var buf bytes.Buffer
				if err := writeBase64(&buf, r.r); err != nil {
					t.Fatal(err)
				}
				if got := buf.String(); got != want {
					i := firstDiff(got, want)
					t.Errorf("got %d bytes, want %d; they differ at %d:\ngot  %q\nwant %q",
						len(got), len(want), i, tail(got, i), tail(want, i))
				}
			})
		}
	}
}

// tail is up to 80 bytes of s from i.
func tail(s string, i int) string {
	return s[i:min(len(s), i+80)]
}

func TestWriteBase64Errors(t *testing.T) {
	t.Run("read", func(t *testing.T) {
		boom := errors.New("upload interrupted")
		r := io.MultiReader(&patternReader{n: 100_000}, iotest.ErrReader(boom))
		if err := writeBase64(io.Discard, r); !errors.Is(err, boom) {
			t.Errorf("got %v, want %v", err, boom)
		}
	})
	t.Run("write", func(t *testing.T) {
		boom := errors.New("connection reset")
		if err := writeBase64(failingWriter{boom}, &patternReader{n: 100}); !errors.Is(err, boom) {
			t.Errorf("got %v, want %v", err, boom)
		}
	})
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }
