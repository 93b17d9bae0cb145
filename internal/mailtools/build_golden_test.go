package mailtools

import (
	"bufio"
	"bytes"
	"flag"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"

	"gomailcgi/internal/mailmsg"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestBuildGolden pins the bytes WriteTo puts on the wire: field order,
// folding, the multipart frame, and every body encoding at the edges of a
// base64 line. The random boundary is written as BOUNDARY. A change shows
// as a diff of the golden file; go test -run TestBuildGolden -update
// rewrites them.
func TestBuildGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		msg  func() *Outgoing
	}{
		{"text-7bit", func() *Outgoing {
			m := baseOutgoing()
			m.Cc = []mailmsg.Address{{Addr: "carol@example.com"}}
			m.InReplyTo = "<parent@example.net>"
			m.References = []string{"<root@example.net>", "<parent@example.net>"}
			m.Body = "Hi Bob.\n\n.a dot line\r\nno final break"
			return m
		}},
		{"text-qp", func() *Outgoing {
			m := baseOutgoing()
			m.Subject = "Grüße"
			m.Body = "Grüße = \n" + strings.Repeat("0123456789", 100) + "\n"
			return m
		}},
		{"attachments", func() *Outgoing {
			m := baseOutgoing()
			m.Body = "See attached.\n"
			for _, n := range []int64{0, 1, 2, 3, 56, 57, 58, 114, 1000} {
				m.Attachments = append(m.Attachments, Attachment{Filename: "p.bin", Body: &patternReader{n: n}})
			}
			m.Attachments = append(m.Attachments,
				Attachment{Filename: "résumé.pdf", Body: strings.NewReader("%PDF-1.4")},
				Attachment{Filename: "note.txt", ContentType: "text/plain; charset=windows-1250", Body: strings.NewReader("\x8a\n")},
				Attachment{})
			return m
		}},
		{"attachment-qp-text", func() *Outgoing {
			m := baseOutgoing()
			m.Draft = true
			m.DraftMark = func(mailmsg.Envelope) (string, error) { return "v1 golden-mark", nil }
			m.Bcc = []mailmsg.Address{{Name: "Sam", Addr: "sam@example.com"}}
			m.Body = "Grüße\n"
			m.Attachments = []Attachment{{Filename: "a.bin", Body: &patternReader{n: 57}}}
			return m
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := buildOutgoing(t, c.msg())
			checkWire(t, raw)
			got := withFixedBoundary(t, raw)
			file := filepath.Join("testdata", "golden", c.name+".eml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (go test -run TestBuildGolden -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("WriteTo differs from %s:\ngot:\n%s\nwant:\n%s", file, got, want)
			}
		})
	}
}

// withFixedBoundary replaces raw's multipart boundary, if any, with BOUNDARY.
func withFixedBoundary(t *testing.T, raw []byte) []byte {
	t.Helper()
	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("ReadHeader: %v", err)
	}
	_, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	if b := params["boundary"]; b != "" {
		return bytes.ReplaceAll(raw, []byte(b), []byte("BOUNDARY"))
	}
	return raw
}
