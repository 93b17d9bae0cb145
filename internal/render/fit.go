package render

import (
	"html/template"
	"strconv"
	"strings"

	xhtml "golang.org/x/net/html"
)

// Fit steps: a frame's height is FitStep pixels times a number from 1 to
// MaxFit; the stylesheet has a class for each (fit-1 … fit-40).
const (
	FitStep = 100
	MaxFit  = 40
)

// The layout the estimate assumes: the body document's font and padding
// (documentStyle) in a frame about 90 characters wide, between a phone's
// and a desktop's: short on a phone (the frame scrolls, and can be
// resized), a third too tall on a wide screen.
const (
	fitCharsPerLine = 90
	fitLineHeight   = 21
	fitPadding      = 16
	fitImageHeight  = 120 // an image that does not say its height
	fitMaxImage     = 1200
)

// Fit estimates the height an HTML body needs, without a browser: lines of
// text at an assumed width, a line for each block, and the images at the
// height they declare. It gives a step from 1 to MaxFit (see FitStep).
func Fit(body template.HTML) int {
	z := xhtml.NewTokenizer(strings.NewReader(string(body)))
	px, chars := fitPadding, 0
	flush := func() {
		if chars > 0 {
			px += (chars + fitCharsPerLine - 1) / fitCharsPerLine * fitLineHeight
			chars = 0
		}
	}
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			flush()
			return min(max((px+FitStep-1)/FitStep, 1), MaxFit)
		case xhtml.TextToken:
			chars += len([]rune(strings.Join(strings.Fields(string(z.Text())), " ")))
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken, xhtml.EndTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "hr", "pre":
				flush()
				px += fitLineHeight / 2
			case "br":
				flush()
				px += fitLineHeight
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
				px += h
			}
		}
	}
}
