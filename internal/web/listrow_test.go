package web

import (
	"fmt"
	"html/template"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// rowTemplate is the row written as an html/template, the way list.html
// would hold it: the row listRow.markup builds must parse to the same
// elements, attributes and text for any values.
const rowTemplate = `<table><tbody><tr>
<td class="pick"><input type="checkbox" name="m" value="{{.R.Ref}}"{{if .All}} checked{{end}} aria-label="{{.R.Pick}}"></td>
<td class="from" title="{{.R.FromFull}}"><bdi>{{.R.From}}</bdi></td>
<td class="subject">{{if .R.Draft}}<span class="clip">{{.R.Words.Draft}}</span> {{end}}<a href="{{.R.ViewURL}}"><bdi>{{.R.Subject}}</bdi></a>{{if .R.HasAttach}} <span class="clip" title="{{.R.Words.AttachTitle}}">{{.R.Words.Attach}}</span>{{end}}</td>
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
				Pick: "Select " + h, Words: &rowWords{Draft: "[" + h + "]", Attach: h + "📎", AttachTitle: h},
			}
			var want strings.Builder
			if err := tmpl.Execute(&want, struct {
				R   listRow
				All bool
			}{r, all}); err != nil {
				t.Fatal(err)
			}
			got := "<table><tbody>" + string(r.markup(all)) + "</tbody></table>"
			if a, b := treeOf(t, got), treeOf(t, want.String()); a != b {
				t.Errorf("value %q, all=%v:\ngot  %s\nwant %s", h, all, a, b)
			}
		}
	}
}

// BenchmarkListRows writes a list page's fifty rows, by listRow.markup
// and by html/template from rowTemplate: the reason the rows are Go.
func BenchmarkListRows(b *testing.B) {
	rows := make([]listRow, 50)
	for i := range rows {
		rows[i] = listRow{
			Ref: fmt.Sprintf("%d.u%08x", i+1, i), ViewURL: fmt.Sprintf("/view?t=AbC-_d%%3D&m=%d.u%08x&page=1", i+1, i),
			From: fmt.Sprintf("Sender %d", i), FromFull: fmt.Sprintf("Sender %d <s%d@example.net>", i, i),
			Subject: fmt.Sprintf("Message number %d about the plans", i), Date: "10:42",
			DateFull: "Mon, 30 Nov 2026 10:42:00 UTC", Size: "2 KB", HasAttach: i%5 == 0,
			Pick:  fmt.Sprintf("Select the message from Sender %d: Message number %d about the plans", i, i),
			Words: &rowWords{Draft: "[draft]", Attach: "[attachment]", AttachTitle: "Has attachments"},
		}
	}
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var page strings.Builder
			for _, r := range rows {
				page.WriteString(string(r.markup(false)))
			}
		}
	})
	b.Run("template", func(b *testing.B) {
		tmpl := template.Must(template.New("row").Parse(rowTemplate))
		b.ReportAllocs()
		for b.Loop() {
			var page strings.Builder
			for _, r := range rows {
				if err := tmpl.Execute(&page, struct {
					R   listRow
					All bool
				}{r, false}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
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
