package web

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The list without JavaScript: Select all reloads the page with every box
// ticked, Delete selected stands above and below the list, and the two
// pagers are told apart.
func TestListSelectAllAndTwoDeleteButtons(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	boxes := func(d *doc) (on, all int) {
		for _, in := range d.inputs("m") {
			all++
			if _, checked := attr(in, "checked"); checked {
				on++
			}
		}
		return on, all
	}
	if on, all := boxes(list); on != 0 || all != 15 {
		t.Fatalf("boxes: %d of %d ticked, want 0 of 15", on, all)
	}
	ticked := parseDoc(t, h.get(list.link("Select all on this page")).body)
	if on, all := boxes(ticked); on != all || all != 15 {
		t.Errorf("after Select all: %d of %d ticked", on, all)
	}
	if on, _ := boxes(parseDoc(t, h.get(ticked.link("Select none")).body)); on != 0 {
		t.Errorf("after Select none: %d ticked", on)
	}
	var buttons int
	for _, b := range list.tag("button") {
		if text(b) == "Delete selected…" {
			buttons++
		}
	}
	if buttons != 2 {
		t.Errorf("Delete selected buttons: got %d, want 2 (above and below)", buttons)
	}
	var labels []string
	for _, n := range list.all(func(n *html.Node) bool { return n.Data == "nav" }) {
		labels = append(labels, attrOf(n, "aria-label"))
	}
	sorted := slices.Clone(labels)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != len(labels) {
		t.Errorf("nav landmarks share a label: %q", labels)
	}
}

// The compose form asks for an email keyboard and lets the browser offer
// addresses; Cancel is a link that says what it loses, not a button
// beside Send; the stylesheet has a dark scheme and a print layout.
func TestComposeFormAndStylesheet(t *testing.T) {
	h := newHarness(t)
	list, _ := h.list(h.login(), 1)
	compose := parseDoc(t, h.get(list.link("Write")).body)
	for _, name := range []string{"to", "cc", "bcc"} {
		in := compose.inputs(name)[0]
		if attrOf(in, "inputmode") != "email" || attrOf(in, "autocomplete") == "off" || attrOf(in, "type") != "text" {
			t.Errorf("%s: inputmode %q autocomplete %q type %q", name, attrOf(in, "inputmode"), attrOf(in, "autocomplete"), attrOf(in, "type"))
		}
	}
	for _, b := range compose.tag("button") {
		if strings.Contains(text(b), "Cancel") {
			t.Error("Cancel is a button")
		}
	}
	if !strings.Contains(text(compose.root), "what you wrote here is not kept") {
		t.Error("Cancel does not say it loses the message")
	}
	css := h.get("/static/style.css").body
	for _, want := range []string{"@media (prefers-color-scheme: dark)", "@media print"} {
		if !strings.Contains(css, want) {
			t.Errorf("the stylesheet lacks %q", want)
		}
	}
}
