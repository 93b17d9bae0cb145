package render

import (
	"html/template"
	"strings"
	"testing"
)

func TestFit(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		min, max int // in steps
	}{
		{"empty", "", 1, 1},
		{"a line", "<p>Hello there.</p>", 1, 1},
		{"ten paragraphs", strings.Repeat("<p>"+strings.Repeat("word ", 40)+"</p>", 10), 6, 9},
		{"a tall image", `<p>Look:</p><img src="cid:x" height="900" alt="">`, 9, 10},
		{"a very long mail", strings.Repeat("<p>"+strings.Repeat("word ", 100)+"</p>", 500), MaxFit, MaxFit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fit(template.HTML(tt.body)).Wide; got < tt.min || got > tt.max {
				t.Errorf("Fit: got %d, want %d to %d", got, tt.min, tt.max)
			}
		})
	}
}

// A body of long lines needs more height the narrower its frame; one of
// short lines and images the same in every width class.
func TestFitByWidth(t *testing.T) {
	long := Fit(template.HTML(strings.Repeat("<p>"+strings.Repeat("word ", 100)+"</p>", 10)))
	if !(long.Wide < long.Medium && long.Medium < long.Narrow) {
		t.Errorf("long lines: got %+v, want wide < medium < narrow", long)
	}
	short := Fit(template.HTML(strings.Repeat("<p>Short.</p>", 10) + `<img src="cid:x" height="300" alt="">`))
	if short.Wide != short.Medium || short.Medium != short.Narrow {
		t.Errorf("short lines: got %+v, want the same in every class", short)
	}
}
