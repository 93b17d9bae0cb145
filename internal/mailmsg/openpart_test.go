package mailmsg

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"gomailcgi/internal/testing/fixtures"
)

// TestOpenPart reads single parts and checks metadata and decoded bytes.
func TestOpenPart(t *testing.T) {
	tests := []struct {
		file, id, contentType, filename, body string
	}{
		{"nested-rfc822.eml", "1", "text/plain", "", "See attached."},
		{"nested-rfc822.eml", "2.1", "text/plain", "", "Inner body."},
		{"nested-rfc822.eml", "2.2", "text/csv", "inner.csv", "a,b"},
		{"nested-rfc822.eml", "2.3.1", "text/plain", "", "Innermost body."},
		{"nested-rfc822.eml", "3", "application/zip", "outer.zip", "PK\x05\x06" + string(make([]byte, 18))},
		{"cid-related.eml", "1.1", "text/plain", "", "Plain version: see the logo."},
		{"cid-related.eml", "2", "application/pdf", "report.pdf", "%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<</Type/Catalog>>\nendobj\n%%EOF\n"},
		{"rfc2231.eml", "2", "application/octet-stream", "été report.csv", "a,b\n1,2\n"},
		{"bad-qp.eml", "1", "text/plain", "", "Caf\xe9 au lait, 100=ZZ sure, soft break, and a lone = sign.\r\n"},
		{"digest.eml", "2.1", "text/plain", "", "Two."},
		{"unclosed.eml", "2", "application/octet-stream", "data.bin", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.id, func(t *testing.T) {
			p, r, err := OpenPart(bytes.NewReader(fixtures.Hostile(t, tc.file)), tc.id)
			if err != nil {
				t.Fatalf("OpenPart: %v", err)
			}
			if p.ID != tc.id || p.ContentType != tc.contentType || p.Filename != tc.filename || p.Size != -1 {
				t.Errorf("part: got %+v, want ID %q, type %q, name %q, size -1", p, tc.id, tc.contentType, tc.filename)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if string(got) != tc.body {
				t.Errorf("body: got %q, want %q", got, tc.body)
			}
		})
	}
}

// TestOpenPartErrors checks the typed errors for bad and missing IDs.
func TestOpenPartErrors(t *testing.T) {
	tests := []struct {
		id   string
		want error
	}{
		{"", ErrBadPartID},
		{"0", ErrBadPartID},
		{"1.", ErrBadPartID},
		{"a", ErrBadPartID},
		{"-1", ErrBadPartID},
		{"01", ErrBadPartID},
		{"4", ErrPartNotFound},
		{"1.1", ErrPartNotFound},
		{"3.1", ErrPartNotFound},
		{"2.9", ErrPartNotFound},
	}
	raw := fixtures.Hostile(t, "nested-rfc822.eml")
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			_, _, err := OpenPart(bytes.NewReader(raw), tc.id)
			if !errors.Is(err, tc.want) {
				t.Errorf("error: got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestOpenPartMatchesRender opens every part Render lists, in every
// fixture and sample, and checks that OpenPart finds the same part with
// the same decoded size.
