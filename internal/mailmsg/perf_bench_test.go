package mailmsg

import (
	"bytes"
	"encoding/base64"
	"io"
	"testing"
)

// largeMessage is a short text and a 16 MB base64 attachment in lines of
// 76, as a mail program sends a file.
func largeMessage() []byte {
	var msg bytes.Buffer
	msg.WriteString("From: Ann Lee <ann@example.net>\r\nSubject: bench\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n" +
		"--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe file is attached.\r\n" +
		"--sep\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	raw := make([]byte, 57)
	line := make([]byte, 76)
	for i := range (16 << 20) / 57 {
		for j := range raw {
			raw[j] = byte(i*7 + j)
		}
		base64.StdEncoding.Encode(line, raw)
		msg.Write(line)
		msg.WriteString("\r\n")
	}
	msg.WriteString("--sep--\r\n")
	return msg.Bytes()
}

// BenchmarkLargeMessage reads the large message as the pages do, in MB/s
// of the raw message: "floor" only copies it in 32 KB reads, "read" is
// Read (the view: every part found, the attachment measured), "part" is
// OpenPart of the attachment read to its end (the download).
func BenchmarkLargeMessage(b *testing.B) {
	raw := largeMessage()
	buf := make([]byte, 32<<10)
	b.Run("floor", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			r := bytes.NewReader(raw)
			for {
				if _, err := r.Read(buf); err != nil {
					break
				}
			}
		}
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			m, err := Read(bytes.NewReader(raw), Limits{})
			if err != nil || len(m.Root.Children) != 2 || m.Root.Children[1].Size != 16<<20/57*57 {
				b.Fatalf("Read: %v", err)
			}
		}
	})
	b.Run("part", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			_, r, err := OpenPart(bytes.NewReader(raw), "2")
			if err != nil {
				b.Fatal(err)
			}
			n, _ := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, make([]byte, 64<<10))
			if n != 16<<20/57*57 {
				b.Fatalf("part: %d bytes", n)
			}
		}
	})
}

// BenchmarkBase64 decodes a base64 body of lines of 76 in 64 KB reads,
// in MB/s of the encoded input: "std" is encoding/base64's own decoder
// over a reader that drops the line breaks, as a floor to compare with.
func BenchmarkBase64(b *testing.B) {
	raw := make([]byte, 8<<20)
	for i := range raw {
		raw[i] = byte(i * 7)
	}
	var enc bytes.Buffer
	for rest := raw; len(rest) > 0; rest = rest[min(57, len(rest)):] {
		enc.WriteString(base64.StdEncoding.EncodeToString(rest[:min(57, len(rest))]))
		enc.WriteString("\r\n")
	}
	in := enc.Bytes()
	buf := make([]byte, 64<<10)
	b.Run("reader", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var bad bool
			r, _ := transferDecoder("base64", bytes.NewReader(in), &bad)
			n, _ := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf)
			if n != int64(len(raw)) || bad {
				b.Fatalf("%d bytes, bad %v", n, bad)
			}
		}
	})
	b.Run("count", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			var bad bool
			if n, _ := measure("base64", bytes.NewReader(in), &bad, buf); n != int64(len(raw)) || bad {
				b.Fatalf("%d bytes, bad %v", n, bad)
			}
		}
	})
	b.Run("std", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		b.ReportAllocs()
		for b.Loop() {
			r := base64.NewDecoder(base64.StdEncoding, bytes.NewReader(in))
			if n, _ := io.CopyBuffer(io.Discard, struct{ io.Reader }{r}, buf); n != int64(len(raw)) {
				b.Fatalf("%d bytes", n)
			}
		}
	})
}
