package render

import (
	"html/template"
	"strconv"
	"strings"

	xhtml "golang.org/x/net/html"
)

// Fit steps: a frame's height is FitStep pixels times a number from 1 to
// MaxFit; the stylesheet has a class for each, in each width class
// (fit-1 … fit-40, fitm-…, fitn-…).
const (
	FitStep = 100
	MaxFit  = 40
)

// Fits is the height an HTML body needs in each width class of the page,
// in FitStep pixels: the stylesheet gives the frame the height of the
// class the window is in.
type Fits struct {
	Wide   int // a window of 64rem and more: the page at its widest
	Medium int // from 40rem to 64rem: a small laptop, a tablet
	Narrow int // up to 40rem: a phone
}

// The layout the estimate assumes: the body document's font and padding
// (documentStyle), and the characters of a line at the frame's width in
// each width class, measured in Chromium with a common sans-serif: about
// 8 px a character with the words wrapped, in 942 px of text on a wide
// page, about 720 px on a 768 px tablet, 330 px on a 375 px phone.
const (
	fitWideChars   = 116
	fitMediumChars = 88
	fitNarrowChars = 41
	fitLineHeight  = 21
	fitBlockGap    = 15               // the 1em margin between paragraphs, lists, quotes
	fitPadding     = 16 + fitBlockGap // the body's padding, and the last block's margin
	fitImageHeight = 120              // an image that does not say its height
	fitMaxImage    = 1200
)

// fitHeadings are, for each heading, its margin in pixels and how much
// more room its text takes than body text, in quarters: its font is
// larger in both directions (h1 is 2em: a quarter of the characters on a
// line, each line twice as tall).
var fitHeadings = map[string]struct{ gap, quarters int }{
	"h1": {20, 16}, "h2": {19, 9}, "h3": {18, 6}, "h4": {20, 4}, "h5": {21, 3}, "h6": {23, 3},
}

// fitChars are the characters of a line in the width classes, in the
// order of Fits' fields.
var fitChars = [3]int{fitWideChars, fitMediumChars, fitNarrowChars}

// Fit estimates the height an HTML body needs, without a browser: lines
// of text at each width class, a gap for each block, and the images at
// the height they declare. It gives steps from 1 to MaxFit (see FitStep).
func Fit(body template.HTML) Fits {
	z := xhtml.NewTokenizer(strings.NewReader(string(body)))
	px := [3]int{fitPadding, fitPadding, fitPadding}
	chars, quarters := 0, 4 // the text of the block, and its size
	add := func(n int) {
		for i := range px {
			px[i] += n
		}
	}
	flush := func() {
		if chars > 0 {
			for i, c := range fitChars {
				c *= 4
				px[i] += (chars*quarters + c - 1) / c * fitLineHeight
			}
			chars = 0
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			flush()
			step := func(px int) int { return min(max((px+FitStep-1)/FitStep, 1), MaxFit) }
			return Fits{Wide: step(px[0]), Medium: step(px[1]), Narrow: step(px[2])}
		case xhtml.TextToken:
			chars += len([]rune(strings.Join(strings.Fields(string(z.Text())), " ")))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "p", "blockquote", "table", "ul", "ol", "hr", "pre", "dl":
				flush()
				if tt != xhtml.EndTagToken {
					add(fitBlockGap)
				}
			case "h1", "h2", "h3", "h4", "h5", "h6":
				flush()
				quarters = 4
				if tt == xhtml.StartTagToken {
					h := fitHeadings[string(name)]
					add(h.gap)
					quarters = h.quarters
				}
			case "div", "li", "tr", "dt", "dd":
				flush()
			case "br":
				if chars == 0 {
					add(fitLineHeight) // an empty line
				}
				flush()
			case "img":
				flush()
				h := fitImageHeight
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "height" {
						if n, err := strconv.Atoi(strings.TrimSuffix(string(v), "px")); err == nil && n > 0 {
							h = min(n, fitMaxImage)
						}
					}
				}
				add(h)
			}
		}
	}
}
