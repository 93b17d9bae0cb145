package web

import (
	"html/template"
	"strings"
	"testing"
)

// escapeTextarea escapes a text as html/template does in a textarea, and
// gives a CRLF as LF, which a browser reads it as; it counts what it
// writes.
func TestEscapeTextarea(t *testing.T) {
	tmpl := template.Must(template.New("").Parse("<textarea>{{.}}</textarea>"))
	for _, in := range []string{
		"", "plain text\n", `<script>&amp; "it's" 1+1 > 0</textarea>`, "nul\x00byte", "Zoë \u2028 \ufdd0 \xff bad byte",
		"lone\rcarriage return", "\n\nleading lines",
	} {
		var want strings.Builder
		if err := tmpl.Execute(&want, in); err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		got.WriteString("<textarea>")
		n := escapeTextarea(in, &got)
		got.WriteString("</textarea>")
		if got.String() != want.String() {
			t.Errorf("%q: got %q, want %q", in, got.String(), want.String())
		}
		if want := got.Len() - len("<textarea></textarea>"); n != want || escapeTextarea(in, nil) != want {
			t.Errorf("%q: counted %d and %d bytes, wrote %d", in, n, escapeTextarea(in, nil), want)
		}
	}
	var got strings.Builder
	if escapeTextarea("a\r\nb\r\n", &got); got.String() != "a\nb\n" {
		t.Errorf("CRLF: got %q, want %q", got.String(), "a\nb\n")
	}
}
