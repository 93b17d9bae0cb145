package mailmsg

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"gomailcgi/internal/testing/fixtures"
)

// FuzzParse feeds the one parser every sample and hostile message and
// what the fuzzer makes of them: it must not panic, must give valid UTF-8
// without control characters in what the pages show, and OpenPart must
// find each kept leaf with the type Read gave it, and an attachment with
// the size Read gave it.
func FuzzParse(f *testing.F) {
	for _, raw := range fixtures.All(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := read(raw, Limits{MaxParts: 50})
		if m.Root == nil {
			t.Fatal("no root entity")
		}
		env := m.Root.Envelope()
		shown := []string{env.Subject, env.DateRaw, FormatAddresses(env.From), FormatAddresses(env.To)}
		for _, s := range shown {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("shown header text %q is not clean UTF-8", s)
			}
		}
		var leaves []*Entity
		var walk func(*Entity)
		walk = func(e *Entity) {
			if e.Attached != nil {
				walk(e.Attached)
			}
			for _, c := range e.Children {
				walk(c)
			}
			if !e.Multipart && e.Attached == nil && e.ID != "" {
				leaves = append(leaves, e)
			}
		}
		walk(m.Root)
		for _, e := range leaves {
			p, r, err := OpenPart(bytes.NewReader(raw), e.ID)
			if err != nil {
				t.Fatalf("OpenPart(%q) of a part Read kept: %v", e.ID, err)
			}
			n, err := io.Copy(io.Discard, r)
			if err != nil {
				t.Fatalf("OpenPart(%q): reading: %v", e.ID, err)
			}
			// The size the view shows is what the download gives.
			if !e.IsTextCandidate() && !e.Broken && n != e.Size {
				t.Fatalf("OpenPart(%q): %d bytes, Read said %d", e.ID, n, e.Size)
			}
			// A multipart without delimiters is shown as text; it is never
			// offered for download, so OpenPart may name it as declared.
			if p.ContentType != e.MediaType && !e.Broken {
				t.Fatalf("OpenPart(%q): type %q, Read said %q", e.ID, p.ContentType, e.MediaType)
			}
		}
	})
}
