package web

import (
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestBrowserCSPAllowsWhatThePagesNeed(t *testing.T) {
	b := requireChromium(t)
	h := newHarness(t)
	site := countSiteRequests(h)

	// The log must show violations at all, or "none" proves nothing.
	control := b.dumpDOM(`data:text/html,<meta http-equiv="Content-Security-Policy" content="default-src 'none'">` +
		`<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">`)
	if len(cspViolations(control.log)) == 0 {
		t.Fatalf("control: a blocked image left no CSP line in the browser log:\n%s", control.log)
	}

	tok := h.login()
	list, _ := h.list(tok, 1)
	site.take()
	pages := []struct {
		name, link string
		want       []string // paths that must load, with status 200
		inlinePNG  bool     // a cid: image must load from /part
	}{
		{"list", "/list?t=" + url.QueryEscape(tok), []string{"/list", "/static/style.css"}, false},
		{"view html with cid image", list.viewLink("New icon for the inbox (inline image)"),
			[]string{"/view", "/static/style.css", "/body", "/part"}, true},
		{"view plain", list.viewLink("Welcome to gomailcgi"), []string{"/view", "/static/style.css"}, false},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			l := b.dumpDOM(siteURL(h, p.link))
			for _, v := range cspViolations(l.log) {
				t.Errorf("CSP violation: %s", v)
			}
			reqs, _ := site.take()
			for _, path := range p.want {
				if !slices.ContainsFunc(reqs, func(r seenRequest) bool { return r.Path == path && r.Status == http.StatusOK }) {
					t.Errorf("the browser did not load %s with 200; requests: %+v", path, reqs)
				}
			}
			inline := slices.ContainsFunc(reqs, func(r seenRequest) bool {
				return r.Path == "/part" && r.Inline && r.Status == http.StatusOK && r.ContentType == "image/png"
			})
			if inline != p.inlinePNG {
				t.Errorf("cid: image loaded from /part?inline=1: got %v, want %v; requests: %+v", inline, p.inlinePNG, reqs)
			}
			if !strings.Contains(l.dom, "</html>") {
				t.Errorf("no page in the dumped DOM:\n%s", l.dom)
			}
		})
	}
}

func TestBrowserBlocksRemoteContent(t *testing.T) {
	b := requireChromium(t)
	h := newHarness(t)
	tr := newTracker(t)
	vectors := remoteVectors()
	doc := hostileHTML(vectors, func(v remoteVector) string { return v.markup(tr.srv.URL) })

	// The control: as a plain page, every vector but a click's loads, so
	// the tracker would see each of them get through the site.
	b.dumpDOM(servePlain(t, doc) + "/raw-control")
	reqs, _ := tr.take()
	for _, v := range vectors {
		want := v.kind != loadsOnClick
		if got := slices.Contains(paths(reqs), v.path); got != want {
			t.Errorf("control: %s loaded %s: got %v, want %v", v.name, v.path, got, want)
		}
	}

	addHTMLMail(h, "Remote content everywhere", doc)
	tok := h.login()
	list, _ := h.list(tok, 1)
	viewLink := list.viewLink("Remote content everywhere")
	view := h.get(viewLink)
	frame := bodyFrame(t, view.body)
	showLink := parseDoc(t, view.body).link("Show remote images")
	shownFrame := bodyFrame(t, h.get(showLink).body)

	// What no load can show (a click's ping): the body as served names
	// the tracker only in a link's href and, once remote images are
	// shown, in an img src.
	for _, c := range []struct {
		name, link string
		remote     bool
	}{{"body", frame, false}, {"body with remote images", shownFrame, true}} {
		for n := range parseDoc(t, h.get(c.link).body).root.Descendants() {
			if n.Type != html.ElementNode {
				continue
			}
			for _, a := range n.Attr {
				allowed := (n.Data == "a" && a.Key == "href") || (c.remote && n.Data == "img" && a.Key == "src")
				if strings.Contains(a.Val, tr.srv.URL) && !allowed {
					t.Errorf("%s: <%s %s=%q> names the tracker", c.name, n.Data, a.Key, a.Val)
				}
			}
		}
	}

	for _, l := range []struct {
		name, link string
		remote     bool
	}{
		{"view", viewLink, false},
		{"view with remote images", showLink, true},
	} {
		t.Run(l.name, func(t *testing.T) {
			b.dumpDOM(siteURL(h, l.link))
			reqs, conns := tr.take()
			got := paths(reqs)
			t.Logf("tracker saw %d connections, requests %q", conns, got)
			for _, r := range reqs {
				if r.Referer != "" {
					t.Errorf("tracker request %s carries a Referer: %q", r.Path, redactToken(r.Referer))
				}
			}
			if !l.remote {
				if len(got) != 0 || conns != 0 {
					t.Errorf("tracker saw %d connections, requests %q; want none", conns, got)
				}
				return
			}
			if !slices.Contains(got, "/img.png") {
				t.Errorf("tracker requests %q, want /img.png among them", got)
			}
			for _, v := range vectors {
				if v.kind != loadsImage && slices.Contains(got, v.path) {
					t.Errorf("%s loaded %s; with remote images shown only images may load", v.name, v.path)
				}
			}
		})
	}
}

func TestBrowserNoScriptRuns(t *testing.T) {
	b := requireChromium(t)
	h := newHarness(t)
	tr := newTracker(t)
	vectors := scriptVectors()
	doc := hostileHTML(vectors, func(v scriptVector) string { return v.markup(tr.url("/pwned-" + v.name)) })

	// The control: as a plain page every vector that runs by itself
	// reaches the tracker, so the tracker would see it run in the site.
	b.dumpDOM(servePlain(t, doc) + "/raw-control")
	reqs, _ := tr.take()
	ran := map[string]bool{}
	for _, p := range paths(reqs) {
		ran[strings.TrimSuffix(strings.TrimPrefix(p, "/pwned-"), ".js")] = true
	}
	t.Logf("control: %d of %d vectors ran in a plain page", len(ran), len(vectors))
	for _, v := range vectors {
		if v.auto && !ran[v.name] {
			t.Errorf("control: %s did not run in a plain page; the test cannot see it", v.name)
		}
		if !v.auto && ran[v.name] {
			t.Logf("control: %s ran by itself too", v.name)
		}
	}

	// The site, with remote images shown: the frame's CSP then lets an
	// image request reach the tracker, as a script's report would.
	addHTMLMail(h, "Scripts everywhere", doc)
	tok := h.login()
	list, _ := h.list(tok, 1)
	viewLink := withRemote(t, list.viewLink("Scripts everywhere"))
	frame := bodyFrame(t, h.get(viewLink).body)
	for _, l := range []struct{ name, link string }{
		{"view with remote images", viewLink},
		{"body on its own page with remote images", frame},
	} {
		t.Run(l.name, func(t *testing.T) {
			b.dumpDOM(siteURL(h, l.link))
			reqs, _ := tr.take()
			for _, r := range reqs {
				t.Errorf("script ran: tracker saw %s", r.Path)
			}
		})
	}

	// What no load can run (a click's javascript: URL): the body as
	// served keeps no event handler and no URL of a vector.
	for n := range parseDoc(t, h.get(frame).body).root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || (a.Key != "title" && a.Key != "alt" && strings.Contains(a.Val, "/pwned-")) {
				t.Errorf("served body keeps <%s %s=%q>", n.Data, a.Key, a.Val)
			}
		}
	}
}

// TestBrowserScreenshots looks at the main pages at a desktop and a phone
// width: the heading a person reads first is on screen with the page's
// title, the list's subjects are there and not cut off at the side, no page
// needs sideways scrolling, and the picture is the window's size and not
// blank. GOMAILCGI_SCREENSHOTS=DIR keeps the pictures.
func TestBrowserScreenshots(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t)
	dir := os.Getenv("GOMAILCGI_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	tok := h.login()
	list, _ := h.list(tok, 1)
	pages := []struct{ name, link string }{
		{"login", "/login"},
		{"list", "/list?t=" + url.QueryEscape(tok)},
		{"view", list.viewLink("New icon for the inbox (inline image)")},
		{"view-html", list.viewLink("A quick tour of the message list")},
		{"view-plain", list.viewLink("Five tips for getting around")},
		{"view-attachments", list.viewLink("Your checklist and a list of pages (2 attachments)")},
		{"compose", list.link("Write")},
		{"reply", parseDoc(t, h.get(list.viewLink("Paragraphs that flow")).body).link("Reply")},
	}
	for _, p := range pages {
		res := h.get(p.link)
		if res.status != http.StatusOK {
			t.Fatalf("%s: status %d, want 200", p.name, res.status)
		}
		served := parseDoc(t, res.body)
		wantHeading := text(served.tag("h1")[0])
		wantSubjects := served.subjects()
		for _, shot := range []struct {
			size   image.Point
			scheme string
		}{{image.Point{1280, 900}, "light"}, {image.Point{375, 800}, "light"}, {image.Point{1280, 900}, "dark"}, {image.Point{375, 800}, "dark"}} {
			size := shot.size
			name := p.name + "-" + strconv.Itoa(size.X) + "-" + shot.scheme
			t.Run(name, func(t *testing.T) {
				v := b.look(siteURL(h, p.link), size.X, size.Y, shot.scheme)
				file := filepath.Join(dir, name+".png")
				writePNG(t, file, v.PNG)
				checkScreenshot(t, file, size)
				for _, line := range v.Console {
					for _, csp := range cspViolations(line) {
						t.Errorf("CSP violation: %s", csp)
					}
				}
				if got := normSpace(v.Heading.Text); got != wantHeading || wantHeading == "" {
					t.Errorf("visible heading: got %q, want %q", got, wantHeading)
				}
				if !v.Heading.Box.inside(size.X, size.Y) {
					t.Errorf("heading at %+v, want it wholly inside the %v window", v.Heading.Box, size)
				}
				if v.ScrollWidth > v.InnerWidth {
					t.Errorf("page is %d px wide in a %d px window: it scrolls sideways", v.ScrollWidth, v.InnerWidth)
				}
				checkSeenSubjects(t, v.Subjects, wantSubjects, size)
			})
		}
	}
	t.Logf("screenshots in %s", dir)
}

// checkSeenSubjects asserts the browser shows every listed subject, in
// order, none cut off at the window's side, and the first on the first
// screen.
func checkSeenSubjects(t *testing.T, seen []seenText, want []string, size image.Point) {
	t.Helper()
	got := make([]string, len(seen))
	for i, s := range seen {
		got[i] = normSpace(s.Text)
		if s.Box.W <= 0 || s.Box.X < 0 || s.Box.X+s.Box.W > float64(size.X)+0.5 {
			t.Errorf("subject %q at %+v: cut off or hidden in a %d px wide window", got[i], s.Box, size.X)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("visible subjects: got %q, want %q", got, want)
	}
	if len(seen) > 0 && !seen[0].Box.inside(size.X, size.Y) {
		t.Errorf("first subject at %+v, want it on the first screen of %v", seen[0].Box, size)
	}
}

// checkScreenshot asserts file is a PNG of the given size that shows
// something: not one flat colour.
func checkScreenshot(t *testing.T, file string, size image.Point) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != size {
		t.Errorf("screenshot size: got %v, want %v", got, size)
	}
	colours := map[color.RGBA]int{}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			colours[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	most := 0
	for _, n := range colours {
		most = max(most, n)
	}
	total := bounds.Dx() * bounds.Dy()
	// Text and rules on a page cover well over 1% of it.
	if other := total - most; other*100 < total {
		t.Errorf("screenshot is (nearly) one flat colour: %d of %d pixels differ from the commonest, %d colours", other, total, len(colours))
	}
}

// loadKind says when a remote vector may load.
type loadKind int

const (
	loadsImage   loadKind = iota // an image: may load once the reader shows remote images
	loadsNever                   // must never load, remote images shown or not
	loadsOnClick                 // only on a click, which no page load makes: never seen
)

// remoteVector is one way an HTML mail loads something from the sender's
// server by itself.
type remoteVector struct {
	name string
	path string // what it asks the tracker for
	kind loadKind
	tmpl string // its markup; {T} is the tracker's URL
}

func (v remoteVector) markup(tracker string) string {
	return strings.ReplaceAll(v.tmpl, "{T}", tracker)
}

func remoteVectors() []remoteVector {
	return []remoteVector{
		{"img", "/img.png", loadsImage, `<img src="{T}/img.png" alt="pixel">`},
		{"srcset", "/srcset.png", loadsImage, `<img srcset="{T}/srcset.png 1x" alt="srcset">`},
		{"picture source", "/picture.png", loadsImage, `<picture><source srcset="{T}/picture.png"><img alt="picture"></picture>`},
		{"video poster", "/poster.png", loadsImage, `<video poster="{T}/poster.png"></video>`},
		{"table background", "/table-bg.png", loadsImage, `<table background="{T}/table-bg.png"><tr><td>cell</td></tr></table>`},
		{"body background", "/body-bg.png", loadsImage, `<body background="{T}/body-bg.png">`},
		{"style attribute url()", "/style-attr.png", loadsImage, `<div style="background-image: url('{T}/style-attr.png')">styled</div>`},
		{"style element url()", "/style-element.png", loadsImage, `<style>p { background: url("{T}/style-element.png") }</style>`},
		{"svg image", "/svg-image.png", loadsImage, `<svg width="10" height="10"><image href="{T}/svg-image.png" width="10" height="10"/></svg>`},
		{"input image", "/input-image.png", loadsImage, `<input type="image" src="{T}/input-image.png" alt="go">`},
		{"link stylesheet", "/link.css", loadsNever, `<link rel="stylesheet" href="{T}/link.css">`},
		{"style @import", "/import.css", loadsNever, `<style>@import url("{T}/import.css");</style>`},
		{"@font-face", "/font.woff", loadsNever, `<style>@font-face { font-family: t; src: url("{T}/font.woff") }</style><p style="font-family: t">font</p>`},
		{"link preload", "/preload.png", loadsNever, `<link rel="preload" as="image" href="{T}/preload.png">`},
		{"link prefetch", "/prefetch.html", loadsNever, `<link rel="prefetch" href="{T}/prefetch.html">`},
		{"script src", "/script.js", loadsNever, `<script src="{T}/script.js"></script>`},
		{"iframe", "/iframe.html", loadsNever, `<iframe src="{T}/iframe.html"></iframe>`},
		{"object", "/object.html", loadsNever, `<object data="{T}/object.html"></object>`},
		{"embed", "/embed.html", loadsNever, `<embed src="{T}/embed.html">`},
		{"audio", "/audio.wav", loadsNever, `<audio src="{T}/audio.wav" autoplay></audio>`},
		{"video src", "/video.webm", loadsNever, `<video src="{T}/video.webm" autoplay muted></video>`},
		{"base href", "/base/relative.png", loadsNever, `<base href="{T}/base/"><img src="relative.png" alt="relative">`},
		{"meta refresh", "/refresh.html", loadsNever, `<meta http-equiv="refresh" content="0;url={T}/refresh.html">`},
		{"a ping", "/ping", loadsOnClick, `<a href="{T}/link.html" ping="{T}/ping">a link with a ping</a>`},
	}
}

// scriptVector is one way an HTML mail could run script. If it runs, it
// asks the tracker for /pwned-<name> with an image, the one request the
// body's CSP lets through once remote images are shown.
type scriptVector struct {
	name string
	auto bool // runs by itself in a plain page in Chromium: the control must see it
	tmpl string
}

// markup is the vector's HTML requesting u when it runs: {JS} is the
// script, {U} the URL, {HTML64} a base64 HTML document and {SVG64} a
// base64 SVG image that run it.
func (v scriptVector) markup(u string) string {
	js := "(new(Image)).src='" + u + "'" // no blanks: it must work as an unquoted attribute too
	html64 := base64.StdEncoding.EncodeToString([]byte("<script>" + js + "</script>"))
	svg64 := base64.StdEncoding.EncodeToString([]byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="` + js + `"/>`))
	return strings.NewReplacer("{JS}", js, "{U}", u, "{HTML64}", html64, "{SVG64}", svg64).Replace(v.tmpl)
}

func scriptVectors() []scriptVector {
	return []scriptVector{
		{"script", true, `<script>{JS}</script>`},
		{"script-src", true, `<script src="{U}.js"></script>`},
		{"script-caps", true, `<SCRIPT>{JS}</SCRIPT>`},
		{"img-onerror", true, `<img src="x:" onerror="{JS}">`},
		{"img-onerror-caps", true, `<IMG SRC="x:" ONERROR="{JS}">`},
		{"body-onload", true, `<body onload="{JS}">`},
		{"body-onpageshow", true, `<body onpageshow="{JS}">`},
		{"svg-onload", true, `<svg onload="{JS}"></svg>`},
		{"svg-script", true, `<svg><script>{JS}</script></svg>`},
		{"svg-animate-onbegin", true, `<svg><animate onbegin="{JS}" attributeName="x" dur="1s"/></svg>`},
		{"svg-set-onbegin", true, `<svg><set onbegin="{JS}" attributeName="x" to="1"/></svg>`},
		{"iframe-data", true, `<iframe src="data:text/html;base64,{HTML64}"></iframe>`},
		{"iframe-srcdoc", true, `<iframe srcdoc="&lt;script&gt;{JS}&lt;/script&gt;"></iframe>`},
		{"iframe-javascript", true, `<iframe src="javascript:void({JS})"></iframe>`},
		{"object-data", true, `<object data="data:text/html;base64,{HTML64}"></object>`},
		{"embed-svg", true, `<embed src="data:image/svg+xml;base64,{SVG64}">`},
		{"details-ontoggle", true, `<details open ontoggle="{JS}"><summary>s</summary>d</details>`},
		{"input-onfocus", true, `<input autofocus onfocus="{JS}">`},
		{"audio-onerror", true, `<audio src="x:" onerror="{JS}"></audio>`},
		{"video-source-onerror", true, `<video><source src="x:" onerror="{JS}"></video>`},
		{"style-onload", true, `<style onload="{JS}"></style>`},
		{"link-onerror", true, `<link rel="stylesheet" href="x:" onerror="{JS}">`},
		{"noscript-breakout", true, `<noscript><p title="</noscript><img src=x: onerror={JS}>"></noscript>`},
		{"comment-breakout", true, `<!--<img src="--><img src=x: onerror={JS}>">`},
		{"cdata-breakout", true, `<![CDATA[><img src=x: onerror={JS}>]]>`},
		{"textarea-breakout", true, `<textarea><img title="</textarea><img src=x: onerror={JS}>"></textarea>`},
		{"title-breakout", true, `<title><img title="</title><img src=x: onerror={JS}>"></title>`},
		{"style-breakout", true, `<style><img title="</style><img src=x: onerror={JS}>"></style>`},
		{"xmp-breakout", true, `<xmp><img title="</xmp><img src=x: onerror={JS}>"></xmp>`},
		{"marquee-onstart", false, `<marquee onstart="{JS}">m</marquee>`},
		{"math-mglyph", false, `<math><mtext><table><mglyph><style><img src=x: onerror={JS}></style></mglyph></table></mtext></math>`},
		{"meta-refresh-javascript", false, `<meta http-equiv="refresh" content="0;url=javascript:{JS}">`},
		{"a-javascript", false, `<a href="javascript:{JS}">click me</a>`},
		{"a-javascript-tab", false, `<a href="jav&#x09;ascript:{JS}">click me too</a>`},
		{"form-javascript", false, `<form action="javascript:{JS}"><button>go</button></form>`},
		{"area-javascript", false, `<map name="m"><area shape="rect" coords="0,0,9,9" href="javascript:{JS}"></map>`},
	}
}
