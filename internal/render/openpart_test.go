package render

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/fixtures"
)

// TestOpenPartMatchesRender checks that mailmsg.OpenPart finds every part
// the view lists, with the same type, name and size.
func TestOpenPartMatchesRender(t *testing.T) {
	extra := fixtures.All(t)
	extra["many"], extra["deep"], extra["deepmsg"] = manyParts(30), deepMultipart(30), deepMessages(30)
	checked := 0
	for name, raw := range extra {
		v := viewOf(raw, Options{})
		var views []*View
		var collect func(*View)
		collect = func(v *View) {
			views = append(views, v)
			for _, n := range v.Nested {
				collect(n)
			}
		}
		collect(v)
		for _, view := range views {
			for _, a := range view.Attachments {
				p, r, err := mailmsg.OpenPart(bytes.NewReader(raw), a.ID)
				if err != nil {
					t.Errorf("%s: OpenPart(%q): %v", name, a.ID, err)
					continue
				}
				n, _ := io.Copy(io.Discard, r)
				if p.ContentType != a.ContentType || p.Filename != a.Filename || n != a.Size {
					t.Errorf("%s part %s: got %q %q %d bytes, want %q %q %d bytes",
						name, a.ID, p.ContentType, p.Filename, n, a.ContentType, a.Filename, a.Size)
				}
				checked++
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d parts, want at least 20", checked)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestPartWalkerOpensEveryPartInOnePass opens every part the views list,
// in document order, from one reading of the message, and finds each as
// OpenPart does on a reading of its own. A part inside one opened before
// it is passed; the walk goes on.
func TestPartWalkerOpensEveryPartInOnePass(t *testing.T) {
	extra := fixtures.All(t)
	extra["many"], extra["deep"], extra["deepmsg"] = manyParts(30), deepMultipart(30), deepMessages(30)
	opened := 0
	for name, raw := range extra {
		var ids []string
		var collect func(*View)
		collect = func(v *View) {
			for _, a := range v.Attachments {
				ids = append(ids, a.ID)
			}
			for _, n := range v.Nested {
				ids = append(ids, n.PartID)
				collect(n)
			}
		}
		collect(viewOf(raw, Options{}))
		slices.SortFunc(ids, mailmsg.ComparePartIDs)
		ids = slices.Compact(ids)
		in := &countingReader{r: bytes.NewReader(raw)}
		walk := mailmsg.NewPartWalker(in)
		var last string
		for _, id := range ids {
			p, r, err := walk.Open(id)
			if errors.Is(err, mailmsg.ErrPartPassed) && last != "" && strings.HasPrefix(id, last+".") {
				continue // inside the part opened before
			}
			if err != nil {
				t.Errorf("%s: Open(%q): %v", name, id, err)
				break
			}
			got, _ := io.ReadAll(r)
			wp, wr, err := mailmsg.OpenPart(bytes.NewReader(raw), id)
			if err != nil {
				t.Fatalf("%s: OpenPart(%q): %v", name, id, err)
			}
			want, _ := io.ReadAll(wr)
			if *p != *wp || !bytes.Equal(got, want) {
				t.Errorf("%s part %s: got %+v and %d bytes, want %+v and %d bytes", name, id, *p, len(got), *wp, len(want))
			}
			last = id
			opened++
		}
		if in.n > len(raw) {
			t.Errorf("%s: read %d bytes of a %d-byte message", name, in.n, len(raw))
		}
	}
	if opened < 20 {
		t.Errorf("opened %d parts, want at least 20", opened)
	}
}

func TestPartWalkerPassedParts(t *testing.T) {
	raw := manyParts(5)
	tests := []struct {
		name  string
		first string
		then  string
		want  error
	}{
		{"the same part", "3", "3", mailmsg.ErrPartPassed},
		{"an earlier part", "3", "2", mailmsg.ErrPartPassed},
		{"a later part", "2", "4", nil},
		{"no such part", "2", "99", mailmsg.ErrPartNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			walk := mailmsg.NewPartWalker(bytes.NewReader(raw))
			if _, _, err := walk.Open(tt.first); err != nil {
				t.Fatal(err)
			}
			if _, _, err := walk.Open(tt.then); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}
