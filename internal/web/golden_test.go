package web

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/devmail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGoldenHeaders shows every sample and hostile message as a person
// meets it: its row in the list and the header block of its view. A
// change in how headers are read shows as a diff of the golden file;
// go test -run TestGoldenHeaders -update rewrites it.
func TestGoldenHeaders(t *testing.T) {
	for _, box := range []struct{ name, dir string }{
		{"samples", "../../testdata"},
		{"hostile", "../../testdata/render"},
	} {
		t.Run(box.name, func(t *testing.T) {
			h := newHarness(t, mailOption(func(c *devmail.Config) { c.Seed = os.DirFS(box.dir) }))
			list, _ := h.list(h.login(), 1)
			var out strings.Builder
			for _, tr := range list.all(func(n *html.Node) bool { return n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" }) {
				cell := func(class string) *html.Node {
					for c := range tr.Descendants() {
						if c.Type == html.ElementNode && c.Data == "td" && attrOf(c, "class") == class {
							return c
						}
					}
					t.Fatalf("a list row without a %s cell", class)
					return nil
				}
				from, subject, date := cell("from"), cell("subject"), cell("date")
				fmt.Fprintf(&out, "list: from %q (%q)\n", text(from), attrOf(from, "title"))
				fmt.Fprintf(&out, "      subject %q\n", text(subject))
				var dateTitle string
				for c := range date.Descendants() {
					if c.Data == "span" {
						dateTitle = attrOf(c, "title")
					}
				}
				fmt.Fprintf(&out, "      date %q (%q) size %q\n", text(date), dateTitle, text(cell("size")))
				var link string
				for c := range subject.Descendants() {
					if c.Data == "a" {
						link = attrOf(c, "href")
						break
					}
				}
				view := parseDoc(t, h.get(link).body)
				for i, dl := range view.all(func(n *html.Node) bool { return n.Data == "dl" && attrOf(n, "class") == "headers" }) {
					fmt.Fprintf(&out, "view %d:", i)
					for c := range dl.ChildNodes() {
						if c.Type == html.ElementNode {
							fmt.Fprintf(&out, " %s %q", c.Data, text(c))
						}
					}
					out.WriteString("\n")
				}
				for _, a := range view.all(func(n *html.Node) bool { return n.Data == "article" && attrOf(n, "class") == "nested" }) {
					fmt.Fprintf(&out, "attached message: %q", attrOf(a, "aria-label"))
					for c := range a.ChildNodes() {
						if c.Data == "p" && attrOf(c, "class") == "hint" {
							fmt.Fprintf(&out, " link %q", text(c))
						}
					}
					out.WriteString("\n")
				}
				for _, sec := range view.all(func(n *html.Node) bool { return n.Data == "section" && attrOf(n, "class") == "attachments" }) {
					for c := range sec.Descendants() {
						if c.Data == "li" {
							fmt.Fprintf(&out, "%s: %q\n", attrOf(sec, "aria-label"), text(c))
						}
					}
				}
				out.WriteString("\n")
			}
			checkGolden(t, filepath.Join("testdata", "golden", box.name+"-headers.txt"), out.String())
		})
	}
}

// checkGolden compares got with the golden file, or rewrites it with -update.
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			g, w := "", ""
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Errorf("%s line %d:\n got  %s\n want %s", file, i+1, g, w)
			}
		}
	}
}
