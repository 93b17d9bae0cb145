package render

import (
	"bytes"
	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/fixtures"
	"io"
	"testing"
)

// TestOpenPartMatchesRender checks that mailmsg.OpenPart finds every part
// the view lists, with the same type, name and size.
func TestOpenPartMatchesRender(t *testing.T) {
	extra := fixtures.All(t)
	extra["many"], extra["deep"], extra["deepmsg"] = manyParts(30), deepMultipart(30), deepMessages(30)
	checked := 0
	for name, raw := range extra {
		v := Render(raw, Options{})
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
