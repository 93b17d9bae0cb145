package web

import (
	"html/template"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// rowTemplate is the row as html/template wrote it before listRow.html:
// the row built by hand must parse to the same elements, attributes and
// text for any values.
const rowTemplate = `<table><tbody><tr>
<td class="pick"><input type="checkbox" name="m" value="{{.R.Ref}}"{{if .All}} checked{{end}} aria-label="Select the message from {{.R.From}}: {{.R.Subject}}"></td>
<td class="from" title="{{.R.FromFull}}"><bdi>{{.R.From}}</bdi></td>
<td class="subject">{{if .R.Draft}}<span class="clip">[draft]</span> {{end}}<a href="{{.R.ViewURL}}"><bdi>{{.R.Subject}}</bdi></a>{{if .R.HasAttach}} <span class="clip" title="Has attachments">[attachment]</span>{{end}}</td>
<td class="date"><span title="{{.R.DateFull}}">{{.R.Date}}</span></td>
<td class="size">{{.R.Size}}</td>
</tr></tbody></table>`

func TestListRowMarkup(t *testing.T) {
	tmpl := template.Must(template.New("row").Parse(rowTemplate))
	hostile := []string{
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `' onmouseover='x`,
		`Tom & Jerry <tom@example.com>`, "\u202eevil\u202c", `&amp; &lt;`, "日本語の件名", "",
	}
	for i, h := range hostile {
		for _, all := range []bool{false, true} {
			r := listRow{
				Ref: "3.u" + h, ViewURL: "/view?t=AbC-_d%3D&m=3.uX&page=2", From: h, FromFull: h + " <a@b>",
				Subject: "Re: " + h, Date: "Mar 2", DateFull: h, Size: "2 KB", HasAttach: i%2 == 0, Draft: i%3 == 0,
			}
			var want strings.Builder
			if err := tmpl.Execute(&want, struct {
				R   listRow
				All bool
			}{r, all}); err != nil {
				t.Fatal(err)
			}
			got := "<table><tbody>" + string(r.html(all)) + "</tbody></table>"
			if a, b := treeOf(t, got), treeOf(t, want.String()); a != b {
				t.Errorf("value %q, all=%v:\ngot  %s\nwant %s", h, all, a, b)
			}
		}
	}
}

// treeOf is a parsed fragment written out node by node: names, attributes
// in order, and text, so that two ways of writing the same markup compare
// equal.
func treeOf(t *testing.T, s string) string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for n := range doc.Descendants() {
		switch n.Type {
		case html.ElementNode:
			b.WriteString("<" + n.Data)
			for _, a := range n.Attr {
				b.WriteString(" " + a.Key + "=" + a.Val + "|")
			}
			b.WriteString(">")
		case html.TextNode:
			b.WriteString("[" + n.Data + "]")
		}
	}
	return b.String()
}
