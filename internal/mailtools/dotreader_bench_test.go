package mailtools

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"testing"
)

// benchWire is a RETR reply's body on the wire: a 16 MB base64 attachment
// in lines of 76, a few stuffed dots, and the terminator.
func benchWire() []byte {
	var w bytes.Buffer
	w.WriteString("Subject: bench\r\n\r\n..a stuffed line\r\n")
	raw := make([]byte, 57)
	line := make([]byte, 76)
	for i := range (16 << 20) / 57 {
		for j := range raw {
			raw[j] = byte(i*7 + j)
		}
		base64.StdEncoding.Encode(line, raw)
		w.Write(line)
		w.WriteString("\r\n")
	}
	w.WriteString(".\r\n")
	return w.Bytes()
}

// BenchmarkDotReader reads a body as RETR's stream does, through the
// connection's buffer, in 32 KB reads; "floor" reads the same bytes
// through the buffer alone, and "line" is the reader of one line at a
// time.
func BenchmarkDotReader(b *testing.B) {
	wire := benchWire()
	buf := make([]byte, 32<<10)
	cases := []struct {
		name string
		open func(*bufio.Reader) io.Reader
	}{
		{"floor", func(br *bufio.Reader) io.Reader { return br }},
		{"runs", func(br *bufio.Reader) io.Reader { return newDotReader(br) }},
		{"line", func(br *bufio.Reader) io.Reader { return &lineDotReader{r: br, lineStart: true} }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(wire)))
			b.ReportAllocs()
			br := bufio.NewReaderSize(nil, popBuffer)
			for b.Loop() {
				br.Reset(bytes.NewReader(wire))
				r := c.open(br)
				for {
					if _, err := r.Read(buf); err != nil {
						break
					}
				}
			}
		})
	}
}
