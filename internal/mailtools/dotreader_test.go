package mailtools

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// lineDotReader is the dot reader as it was, a line at a time: the model
// that FuzzDotReader holds dotReader to.
type lineDotReader struct {
	r         *bufio.Reader
	pending   []byte
	lineStart bool
	done      bool
	err       error
}

func (d *lineDotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(d.pending) == 0 {
			if n > 0 {
				buf, _ := d.r.Peek(d.r.Buffered())
				if bytes.IndexByte(buf, '\n') < 0 {
					break
				}
			}
			if err := d.next(); err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, err
			}
			continue
		}
		c := copy(p[n:], d.pending)
		d.pending = d.pending[c:]
		n += c
	}
	return n, nil
}

func (d *lineDotReader) next() error {
	if d.done {
		return io.EOF
	}
	if d.err != nil {
		return d.err
	}
	line, err := d.r.ReadSlice('\n')
	partial := errors.Is(err, bufio.ErrBufferFull)
	if err != nil && !partial {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		d.err = err
		return err
	}
	if d.lineStart && len(line) > 0 && line[0] == '.' {
		if !partial && (string(line) == ".\r\n" || string(line) == ".\n") {
			d.done = true
			return io.EOF
		}
		line = line[1:]
	}
	d.lineStart = !partial
	d.pending = line
	return nil
}

// piecesReader hands out its input in pieces of the given sizes, in turn.
type piecesReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (c *piecesReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = int(c.sizes[c.i%len(c.sizes)]) + 1
		c.i++
	}
	n = copy(p, c.data[:min(n, len(c.data))])
	c.data = c.data[n:]
	return n, nil
}

// dotRead reads a body from wire through r with a buffer of size, fed in
// pieces and read in pieces of the sizes in feed; it returns the body,
// what the connection still holds after it, and the error that ended it
// (nil at the terminator).
func dotRead(wire []byte, size int, feed []byte, newReader func(*bufio.Reader) io.Reader) (body, after []byte, err error) {
	br := bufio.NewReaderSize(&piecesReader{data: wire, sizes: feed}, size)
	r := newReader(br)
	buf := make([]byte, 1<<10)
	for i := 0; ; i++ {
		k := len(buf)
		if len(feed) > 0 {
			k = int(feed[(i*5)%len(feed)])*2 + 1
		}
		n, rerr := r.Read(buf[:k])
		body = append(body, buf[:n]...)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
	}
	after, _ = io.ReadAll(br)
	return body, after, err
}

func compareDot(t *testing.T, wire []byte, size int, feed []byte) {
	t.Helper()
	want, wantAfter, wantErr := dotRead(wire, size, feed, func(br *bufio.Reader) io.Reader { return &lineDotReader{r: br, lineStart: true} })
	got, after, err := dotRead(wire, size, feed, func(br *bufio.Reader) io.Reader { return newDotReader(br) })
	same := bytes.Equal(got, want) && bytes.Equal(after, wantAfter)
	if wantErr != nil {
		// Input cut short: both fail, and neither hands out a byte that
		// is not the body's. How much of a cut long line each hands out
		// before it fails may differ.
		same = bytes.HasPrefix(got, want) || bytes.HasPrefix(want, got)
	}
	if !same || !errors.Is(err, wantErr) {
		t.Fatalf("wire %q, buffer %d, feed %v:\ngot  %q, %v, then %q\nwant %q, %v, then %q",
			wire, size, feed, got, err, after, want, wantErr, wantAfter)
	}
}

// TestDotReader reads bodies whose dots and line ends fall where a reader
// of runs may go wrong: a terminator cut between reads, stuffed dots,
// bare LF, lines longer than the buffer, input cut short.
func TestDotReader(t *testing.T) {
	long := strings.Repeat("y", 50)
	tests := []struct {
		name, wire, body string
		cut              bool // the input ends before the terminator
	}{
		{"plain", "a\r\nb\r\n.\r\nNEXT", "a\r\nb\r\n", false},
		{"empty", ".\r\nNEXT", "", false},
		{"stuffed", "..\r\n..x\r\n.y\r\n.\r\n", ".\r\n.x\r\ny\r\n", false},
		{"bare LF", "a\n.b\n.\nNEXT", "a\nb\n", false},
		{"dot CR not terminator", ".\rx\r\n.\r\r\n.\r\n", "\rx\r\n\r\r\n", false},
		{"long lines", long + "\r\n." + long + "\r\n" + long + "\r\n.\r\n", long + "\r\n" + long + "\r\n" + long + "\r\n", false},
		{"dot in a line", "a.b\r\n \r\n.\r\n", "a.b\r\n \r\n", false},
		{"cut", "a\r\nb", "a\r\n", true},
		{"cut after dot", "a\r\n.", "a\r\n", true},
		{"cut after dot CR", "a\r\n.\r", "a\r\n", true},
		{"cut at line start", "a\r\n", "a\r\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{16, 17, 64, 4096} {
				for _, feed := range [][]byte{nil, {0}, {1, 0, 2}, {6}} {
					got, _, err := dotRead([]byte(tc.wire), size, feed, func(br *bufio.Reader) io.Reader { return newDotReader(br) })
					if string(got) != tc.body || (err != nil) != tc.cut {
						t.Fatalf("buffer %d, feed %v: got %q, %v; want %q, cut %v", size, feed, got, err, tc.body, tc.cut)
					}
					compareDot(t, []byte(tc.wire), size, feed)
				}
			}
		})
	}
	// One byte at a time from the network, a terminator split across reads.
	br := bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader("x\r\n..\r\n.\r\nQUIT")), 16)
	got, err := io.ReadAll(newDotReader(br))
	rest, _ := io.ReadAll(br)
	if string(got) != "x\r\n.\r\n" || err != nil || string(rest) != "QUIT" {
		t.Errorf("one byte at a time: got %q, %v, rest %q", got, err, rest)
	}
}

// FuzzDotReader compares dotReader with the reader of one line at a time
// on any input, buffer size and pattern of reads: the same body, and the
// connection left at the same byte; on input cut short, the same error.
func FuzzDotReader(f *testing.F) {
	f.Add([]byte("a\r\n..b\r\n.\r\nrest"), uint8(0), []byte{1, 2})
	f.Add([]byte(".x\n.\r\r\n.\n"), uint8(3), []byte{0})
	f.Add([]byte(strings.Repeat("z", 40)+"\r\n.\r\n"), uint8(1), []byte{})
	f.Fuzz(func(t *testing.T, wire []byte, size uint8, feed []byte) {
		if len(feed) > 16 {
			return
		}
		compareDot(t, wire, 16+int(size), feed)
	})
}
