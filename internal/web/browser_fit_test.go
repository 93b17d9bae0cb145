package web

import (
	"fmt"
	"strings"
	"testing"

	"gomailcgi/internal/render"
)

// The frame of an HTML body is as tall as its content, near enough, on a
// wide screen, a tablet and a phone: it neither leaves a screen of blank
// below the text nor makes the reader scroll inside it much. The content's
// height is measured by opening the frame's document alone in a window
// as wide as the frame.
func TestBrowserHTMLFrameFitsItsContent(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t)
	tok := h.login()
	para := "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey. "
	bodies := map[string]string{
		"Long paragraphs":  strings.Repeat("<h2>A heading</h2><p>"+strings.Repeat(para, 4)+"</p>\r\n", 10),
		"Short paragraphs": strings.Repeat("<p>Short line of text here.</p>\r\n", 40),
		"A list":           "<p>Things:</p><ul>" + strings.Repeat("<li>"+para+"</li>", 20) + "</ul>",
	}
	for subject, body := range bodies {
		h.addMail(aliceUser, subject, body, "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8")
	}
	// and two of the demo mailbox: short, with a large heading and a list
	subjects := []string{"A quick tour of the message list", "Five tips for getting around"}
	for subject := range bodies {
		subjects = append(subjects, subject)
	}
	list, _ := h.list(tok, 1)
	const frameJS = `(() => { const f = document.querySelector("iframe.htmlbody"), r = f.getBoundingClientRect();
		return {Src: f.getAttribute("src"), Height: r.height, Width: f.clientWidth}; })()`
	const contentJS = `document.documentElement.getBoundingClientRect().height`
	type frame struct {
		Src           string
		Height, Width float64
	}
	for _, subject := range subjects {
		for _, width := range []int{1280, 800, 375} {
			t.Run(fmt.Sprintf("%s/%d", subject, width), func(t *testing.T) {
				name := strings.ReplaceAll(strings.ToLower(subject), " ", "-")
				f := evaluate[frame](b, siteURL(h, list.viewLink(subject)), width, 4400, frameJS, fmt.Sprintf("view-%s-%d.png", name, width))
				content := evaluate[float64](b, siteURL(h, f.Src), int(f.Width), 100, contentJS, "")
				t.Logf("frame %.0f px high, %.0f wide; content %.0f px", f.Height, f.Width, content)
				if f.Height < content*0.9 || f.Height > content*1.1+render.FitStep {
					t.Errorf("frame %.0f px high for %.0f px of content (%.0f px wide): want it near the content", f.Height, content, f.Width)
				}
			})
		}
	}
}
