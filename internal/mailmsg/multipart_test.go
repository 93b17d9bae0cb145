package mailmsg

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// splitParts is the model of what a multipart reader yields, on the whole
// body in memory: the preamble and the parts, each without the line break
// before the delimiter that ends it. A delimiter line is one no longer
// than size (the reader's buffer).
func splitParts(body []byte, boundary string, size int) (parts [][]byte, found, unclosed bool) {
	m := &multipartReader{dash: []byte("--" + boundary)}
	var cur []byte
	lines := bytes.SplitAfter(body, []byte("\n"))
	for i, line := range lines {
		if len(line) == 0 {
			continue
		}
		if is, final := m.isDelimiter(line); is && len(line) <= size {
			parts = append(parts, trimEOL(cur))
			cur = nil
			found = true
			last := i == len(lines)-1 || (i == len(lines)-2 && len(lines[i+1]) == 0)
			if final {
				return parts, true, false
			}
			if last && !bytes.HasSuffix(line, []byte("\n")) {
				return parts, true, true
			}
			cur = []byte{}
			continue
		}
		cur = append(cur, line...)
	}
	if cur != nil || !found {
		parts = append(parts, cur)
	}
	return parts, found, true
}

// chunkReader hands out its input in pieces of the given sizes, in turn.
type chunkReader struct {
	data  []byte
	sizes []byte
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
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

// readParts reads body through a multipartReader with a buffer of size,
// fed in chunks of the sizes in feed, and read in pieces of the sizes in
// feed too; a part whose bit in skip is set is passed over unread (nil).
func readParts(body []byte, boundary string, size int, feed []byte, skip uint64) (parts [][]byte, found, unclosed bool) {
	m, pre, found := newMultipartReaderSize(&chunkReader{data: body, sizes: feed}, boundary, len(body)+1, make([]byte, 4096), size)
	parts = append(parts, pre)
	if !found {
		return parts, false, m.unclosed
	}
	for i := 0; ; i++ {
		r, ok := m.next()
		if !ok {
			break
		}
		if skip&(1<<(i%64)) != 0 {
			parts = append(parts, nil)
			continue
		}
		var got []byte
		buf := make([]byte, 64<<10)
		for j := 0; ; j++ {
			k := len(buf)
			if len(feed) > 0 {
				k = int(feed[(j*7)%len(feed)])*3 + 1
			}
			n, err := r.Read(buf[:k])
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		parts = append(parts, got)
	}
	return parts, found, m.unclosed
}

// comparePart checks what readParts got against the model.
func compareParts(t *testing.T, body []byte, boundary string, size int, feed []byte, skip uint64) {
	t.Helper()
	want, wantFound, wantUnclosed := splitParts(body, boundary, size)
	got, found, unclosed := readParts(body, boundary, size, feed, skip)
	if found != wantFound || (found && unclosed != wantUnclosed) {
		t.Fatalf("body %q: found %v unclosed %v, want %v %v", body, found, unclosed, wantFound, wantUnclosed)
	}
	if len(got) != len(want) {
		t.Fatalf("body %q: %d parts %q, want %d %q", body, len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != nil && !bytes.Equal(got[i], want[i]) {
			t.Fatalf("body %q: part %d is %q, want %q", body, i, got[i], want[i])
		}
	}
}

// TestMultipartReaderEdges reads bodies whose delimiters and line breaks
// fall where a reader of runs may go wrong: across reads and buffer
// edges, after a lone '\r', after a long line, at the end of input.
func TestMultipartReaderEdges(t *testing.T) {
	long := strings.Repeat("x", 100)
	bodies := []string{
		"pre\r\n--b\r\none\r\n--b\r\ntwo\r\n--b--\r\nepilogue",
		"--b\r\n\r\n--b\r\n--b--",
		"--b\nLF only\n--b\n\n--b--\n",
		"pre\r\n--b\r\nno close\r\n",
		"pre\r\n--b\r\nno close, no break",
		"pre\r\n--b",
		"pre\r\n--b\r\n",
		"--b \t\r\nblanks after\r\n--b-- \r\n",
		"--b\r\n--bx\r\n--b-\r\n---b\r\n-\r\n--\r\n--b--",
		"--b\r\ncr\r\r\n--b\r\nlone \r in a line\r\n--b\r\n\r\r\r\n--b--",
		"--b\r\n" + long + "\r\n--b\r\n--b" + long + "\r\n--b--",
		"--b\r\n" + long + "\r--b\r\n--b--",
		"no delimiter at all\r\n-- b\r\n",
		"",
		"--b--",
		"\r\n--b\r\nx\r\n--b--\r\n",
	}
	for _, body := range bodies {
		for _, size := range []int{16, 17, 20, 64, 4096} {
			for _, feed := range [][]byte{nil, {0}, {1, 2}, {4, 0, 9}, {30}} {
				compareParts(t, []byte(body), "b", size, feed, 0)
				compareParts(t, []byte(body), "b", size, feed, 0b101)
			}
		}
	}
}

// FuzzMultipartReader compares the reader of runs with the model on any
// body, boundary, buffer size and pattern of reads.
func FuzzMultipartReader(f *testing.F) {
	f.Add([]byte("pre\r\n--b\r\none\r\n--b\r\ntwo\r\n--b--\r\n"), "b", uint16(0), []byte{3, 1}, uint64(0))
	f.Add([]byte("--sep\ncr\r\r\n--sep \n\r--sep--"), "sep", uint16(5), []byte{0}, uint64(2))
	f.Add([]byte("--b\r\n"+strings.Repeat("y", 40)+"\r\n--b--"), "b", uint16(1), []byte{}, uint64(1))
	f.Fuzz(func(t *testing.T, body []byte, boundary string, size uint16, feed []byte, skip uint64) {
		if boundary == "" || len(boundary) > 70 || len(feed) > 16 {
			return
		}
		compareParts(t, body, boundary, 16+int(size%256), feed, skip)
	})
}
