package web

import (
	"slices"
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
