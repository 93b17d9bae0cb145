package render

import (
	"strconv"
	"strings"
	"testing"

	"github.com/microcosm-cc/bluemonday"
	"github.com/microcosm-cc/bluemonday/css"
	xhtml "golang.org/x/net/html"
)

// styledPolicy is the mail policy as it was with bluemonday cleaning style
// attributes (AllowStyles), the reference cleanStyle is checked against.
func styledPolicy() *bluemonday.Policy {
	p := mailPolicy()
	for _, prop := range allowedCSS() {
		check := css.GetDefaultHandler(prop)
		p.AllowStyles(prop).MatchingHandler(func(v string) bool {
			return safeCSSValue(v) && check(v)
		}).Globally()
	}
	return p
}

// styleOf is the style attribute of the first p in a sanitized fragment,
// and whether it has one.
func styleOf(t *testing.T, frag string) (string, bool) {
	t.Helper()
	z := xhtml.NewTokenizer(strings.NewReader(frag))
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		if tok := z.Token(); tok.Data == "p" && tt == xhtml.StartTagToken {
			for _, a := range tok.Attr {
				if a.Key == "style" {
					return a.Val, true
				}
			}
			return "", false
		}
	}
	t.Fatalf("no p in %q", frag)
	return "", false
}

// Style attributes come out as they did when bluemonday cleaned them:
// the same declarations kept, in the same form, and the attribute dropped
// when nothing safe is left; only a CSS escape now drops the whole
// attribute, where before it dropped what the escape hid.
func TestStylesAsBluemondayCleanedThem(t *testing.T) {
	styles := []string{
		"color:red", "color: red;", "COLOR: Red ; Font-Weight : bold", "color:red !important; margin:0 auto",
		"padding:12px 24px;background-color:#ffffff;font-family:Helvetica,Arial,sans-serif",
		"font-family:'Open Sans', \"Helvetica Neue\", sans-serif", "-webkit-text-size-adjust:100%;mso-line-height-rule:exactly",
		"display:none;max-height:0;overflow:hidden;font-size:1px;line-height:1px",
		"background:url('https://x.example/t.png')", "width:expression(alert(1));color:red",
		"position:absolute;top:0;left:0;color:blue", "color:red;background-image:url(x);border:1px solid #ccc",
		"behavior:url(x.htc)", "color:var(--x)", "font-size:large;;;color:", "color", ":red", "",
		"color:red; /* comment */ margin:0", "content:'<b>'", "color:rgb(1,2,3);border-radius:4px 4px 0 0",
		"width:600px;max-width:100%;table-layout:fixed;border-collapse:collapse", "float:left;clear:both",
		"text-decoration:underline;vertical-align:top;white-space:nowrap", "margin:-10000px", "opacity:0;color:red",
		"font:bold 12px/30px Georgia,serif", "color:r&#101;d", "color:&quot;red&quot;",
	}
	old, now := styledPolicy(), sharedPolicy()
	kept := 0
	for _, st := range styles {
		frag := `<p style="` + strings.ReplaceAll(st, `"`, "&quot;") + `">x</p>`
		s := &sanitizer{cids: map[string]string{}, used: map[string]bool{}}
		s.policy = old
		wantVal, wantOK := styleOf(t, s.sanitize(frag))
		s = &sanitizer{cids: map[string]string{}, used: map[string]bool{}, policy: now}
		gotVal, gotOK := styleOf(t, s.sanitize(frag))
		if wantOK {
			kept++
		}
		if gotVal != wantVal || gotOK != wantOK {
			t.Errorf("style %q: got %q (%v), want %q (%v)", st, gotVal, gotOK, wantVal, wantOK)
		}
	}
	if kept < len(styles)/2 {
		t.Errorf("bluemonday kept %d of %d styles: the reference policy cleans too much", kept, len(styles))
	}
	for _, escaped := range []string{`color:\72 ed`, `background:u\72l(x)`} {
		s := &sanitizer{cids: map[string]string{}, used: map[string]bool{}, policy: now}
		if v, ok := styleOf(t, s.sanitize(`<p style="`+escaped+`">x</p>`)); ok {
			t.Errorf("style %q: kept as %q, want it dropped", escaped, v)
		}
	}
}

// A sanitizer cleans each different style once, and remembers no more
// than maxStyles of them.
func TestStylesRemembered(t *testing.T) {
	s := &sanitizer{cids: map[string]string{}, used: map[string]bool{}, policy: sharedPolicy()}
	var b strings.Builder
	for i := range maxStyles + 100 {
		b.WriteString(`<p style="margin:` + strings.Repeat("0 ", i%4+1) + `;padding:` + strconv.Itoa(i) + `px">x</p><p style="color:red">y</p>`)
	}
	out := s.sanitize(b.String())
	if len(s.styles) != maxStyles {
		t.Errorf("%d styles remembered, want %d", len(s.styles), maxStyles)
	}
	if n := strings.Count(out, `style="color: red"`); n != maxStyles+100 {
		t.Errorf("%d red paragraphs, want %d", n, maxStyles+100)
	}
}

// isScriptURL's quick look sends every script URL on to the full check.
func TestScriptURLsFound(t *testing.T) {
	for _, v := range []string{"javascript:alert(1)", "JaVaScRiPt:x", "java\tscript:x", "javascript\x00:x", "java script :x",
		" vbscript:x", "livescript:x", "mailto:javascript:x", "x\x7f:javascrip\nt\x01:y"} {
		if !isScriptURL(v) {
			t.Errorf("%q: not taken for a script URL", v)
		}
	}
	for _, v := range []string{"https://x.example/a:b", "color: red", "mailto:a@example.org", "javascript", "script", "t"} {
		if isScriptURL(v) {
			t.Errorf("%q: taken for a script URL", v)
		}
	}
}
