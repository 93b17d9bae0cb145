package web

import (
	"strconv"
	"strings"
	"testing"
)

// TestAccessibilityInLanguages runs axe-core on the pages in German,
// Japanese and Arabic at a desktop and a phone width, and wants no
// violation: lang and dir right, contrast and labels as in English.
func TestAccessibilityInLanguages(t *testing.T) {
	axe := axeSource(t)
	b := requireDevtools(t)
	h := newHarness(t)
	for _, lang := range []string{"de", "ja", "ar"} {
		for _, p := range languagePages(t, h, lang) {
			for _, w := range []int{1280, 375} {
				t.Run(lang+"-"+p.name+"-"+strconv.Itoa(w), func(t *testing.T) {
					link := siteURL(h, p.link)
					if p.body != "" {
						link = siteURL(h, "/nowhere")
					}
					for _, v := range b.auditPage(axe, link, p.body, w, 800, "light") {
						var where []string
						for _, n := range v.Nodes {
							where = append(where, strings.Join(n.Target, " "))
						}
						t.Errorf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", "))
					}
				})
			}
		}
	}
}
