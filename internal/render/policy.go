package render

import (
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aymerick/douceur/parser"
	"github.com/microcosm-cc/bluemonday"
	"github.com/microcosm-cc/bluemonday/css"
)

// sharedPolicy is the mail policy, built once, when HTML is first
// sanitized: building it costs more than sanitizing a small message (and
// more than a CGI request for a page without HTML mail), and a bluemonday
// policy is safe for concurrent use once built.
var sharedPolicy = sync.OnceValue(func() *bluemonday.Policy {
	policyBuilds.Add(1)
	return mailPolicy()
})

// policyBuilds counts the policies sharedPolicy built: one at most.
var policyBuilds atomic.Int32

// mailPolicy builds the sanitizer policy for HTML mail: the formatting
// mail uses (text, lists, tables, images, links, inline styles from an
// allowlist) and nothing that runs, submits, embeds, navigates by itself
// or loads from elsewhere except img src (which sanitizer.rewrite then
// blocks or resolves). <style> and <script> contents are dropped.
//
// data: URLs are kept only for raster images in img src (png, gif, jpeg,
// webp with valid base64): they load nothing from the network, cannot
// run script, and some mailers embed small images that way; the iframe's
// CSP allows img-src data: for them.
func mailPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs() // parseable http, https, mailto; no relative URLs
	p.AllowURLSchemes("cid")
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	p.AllowElements(
		"a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big",
		"blockquote", "br", "caption", "center", "cite", "code", "col", "colgroup", "dd",
		"del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "font",
		"footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "img", "ins",
		"kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s",
		"samp", "section", "small", "span", "strike", "strong", "sub", "summary", "sup",
		"table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul",
		"var", "wbr",
	)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src").OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("align").Matching(regexp.MustCompile(`(?i)^(left|right|center|justify|top|middle|bottom)$`)).Globally()
	p.AllowAttrs("valign").Matching(regexp.MustCompile(`(?i)^(top|middle|bottom|baseline)$`)).OnElements("td", "th", "tr", "tbody", "thead", "tfoot", "col", "colgroup")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img", "table", "td", "th", "col", "colgroup", "hr")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("border", "cellpadding", "cellspacing").Matching(bluemonday.Integer).OnElements("table", "img")
	colour := regexp.MustCompile(`(?i)^(#[0-9a-f]{3,8}|[a-z]{3,20})$`)
	p.AllowAttrs("bgcolor").Matching(colour).OnElements("table", "td", "th", "tr", "body")
	p.AllowAttrs("color").Matching(colour).OnElements("font")
	p.AllowAttrs("face").Matching(regexp.MustCompile(`^[\w ,'"-]{1,200}$`)).OnElements("font")
	p.AllowAttrs("size").Matching(regexp.MustCompile(`^[+-]?[1-7]$`)).OnElements("font")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^(1|a|A|i|I|disc|circle|square)$`)).OnElements("ol", "ul", "li")
	p.AllowAttrs("open").Matching(regexp.MustCompile(`^(|open)$`)).OnElements("details")

	// Style attributes pass the policy as they are, to be cleaned by
	// cleanStyle: bluemonday parses every style attribute again, which
	// costs a newsletter that repeats one style on every cell more than
	// all the rest of its sanitizing.
	p.AllowAttrs("style").Globally()
	return p
}

// styleChecks are the checks of the values of the properties in
// allowedCSS, by property.
var styleChecks = func() map[string]func(string) bool {
	m := map[string]func(string) bool{}
	for _, prop := range allowedCSS() {
		m[prop] = css.GetDefaultHandler(prop)
	}
	return m
}()

// vendorPrefixes are taken off a property's name before it is looked up.
var vendorPrefixes = []string{"-webkit-", "-moz-", "-ms-", "-o-", "mso-", "-xv-", "-atsc-", "-wap-", "-khtml-", "prince-", "-ah-", "-hp-", "-ro-", "-rim-", "-tc-"}

// cleanStyle keeps of a style attribute the declarations of allowedCSS
// whose values are safe (safeCSSValue) and valid for their property, as
// bluemonday's style policies did: "prop: value" joined by "; ", without
// !important, or "" when none is left. A value with a CSS escape is not
// read: the whole attribute is dropped.
func cleanStyle(v string) string {
	if strings.Contains(v, `\`) {
		return ""
	}
	v = strings.TrimRight(v, " ")
	if v != "" && v[len(v)-1] != ';' {
		v += ";" // the parser needs it after the last declaration
	}
	decs, err := parser.ParseDeclarations(v)
	if err != nil {
		return ""
	}
	var clean []string
	for _, dec := range decs {
		prop := strings.ToLower(dec.Property)
		for _, pre := range vendorPrefixes {
			prop = strings.TrimPrefix(prop, pre)
		}
		value := strings.ToLower(dec.Value)
		if check, ok := styleChecks[prop]; ok && safeCSSValue(value) && check(value) {
			clean = append(clean, dec.Property+": "+dec.Value)
		}
	}
	return strings.Join(clean, "; ")
}

// allowedCSS are the style properties kept in style attributes: colours,
// fonts, text layout, box model, borders and table layout. Nothing that
// positions content over the page or loads a resource.
func allowedCSS() []string {
	return []string{
		"color", "background-color",
		"font", "font-family", "font-size", "font-style", "font-variant", "font-weight",
		"text-align", "text-decoration", "text-indent", "text-transform", "line-height",
		"letter-spacing", "word-spacing", "white-space", "vertical-align", "direction",
		"margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
		"padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
		"border", "border-top", "border-right", "border-bottom", "border-left",
		"border-color", "border-style", "border-width", "border-collapse", "border-spacing",
		"border-top-color", "border-right-color", "border-bottom-color", "border-left-color",
		"border-top-style", "border-right-style", "border-bottom-style", "border-left-style",
		"border-top-width", "border-right-width", "border-bottom-width", "border-left-width",
		"border-radius", "width", "height", "min-width", "max-width", "min-height", "max-height",
		"display", "list-style-type", "table-layout", "float", "clear", "overflow",
	}
}

// safeCSSValue rejects style values that could load, run or hide
// something: url(), expression(), escapes, comments and the like.
func safeCSSValue(v string) bool {
	l := strings.ToLower(v)
	for _, bad := range []string{"url(", "expression", "\\", "/*", "@import", "javascript", "vbscript", "behavior", "binding", "image(", "image-set", "<", "&", "var("} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	return true
}

// validLinkURL reports an absolute http or https URL with a host.
func validLinkURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return !strings.ContainsFunc(s, isBadControl)
	}
	return false
}
