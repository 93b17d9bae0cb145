package render

import (
	"bytes"
	"io"
	"testing"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/fixtures"
)

// FuzzRender renders arbitrary input both with and without remote images
// and checks that it never panics and never emits script or handlers.
// It is seeded with the fixtures and the sample mailbox.
func FuzzRender(f *testing.F) {
	for _, raw := range fixtures.All(f) {
		f.Add(raw)
	}
	f.Add(manyParts(20))
	f.Add(deepMultipart(25))
	f.Add(deepMessages(25))
	f.Add([]byte("Content-Type: text/html\r\n\r\n<scr<script>ipt>alert(1)</script><img src=x onerror=alert(1)>"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, allowRemote := range []bool{false, true} {
			v := Message(read(raw, mailmsg.Limits{MaxParts: 50}), Options{AllowRemote: allowRemote, CIDURL: testCIDURL})
			for _, view := range append([]*View{v}, allNested(v)...) {
				for _, bad := range htmlViolations(t, string(view.HTML), allowRemote) {
					t.Fatalf("unsafe HTML (%s) in %q", bad, view.HTML)
				}
				for _, bad := range htmlViolations(t, string(textHTML(view.Text)), false) {
					t.Fatalf("unsafe text HTML (%s) in %q", bad, textHTML(view.Text))
				}
			}
		}
		for _, id := range []string{"1", "2", "1.1", "2.1"} {
			if _, r, err := mailmsg.OpenPart(bytes.NewReader(raw), id); err == nil {
				_, _ = io.Copy(io.Discard, r)
			}
		}
	})
}

// allNested lists the nested views of v at every level.
func allNested(v *View) []*View {
	var out []*View
	for _, n := range v.Nested {
		out = append(out, n)
		out = append(out, allNested(n)...)
	}
	return out
}
