package web

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// addFixture puts a file of testdata/render into alice's mailbox.
func addFixture(t *testing.T, h *harness, name string) {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/render/" + name)
	if err != nil {
		t.Fatal(err)
	}
	h.mail.Mailbox(aliceUser).Add(raw)
}

// viewOf logs in, opens the message listed with subject and returns its
// view page.
func viewOf(t *testing.T, h *harness, subject string) *doc {
	t.Helper()
	list, _ := h.list(h.login(), 1)
	res := h.get(list.viewLink(subject))
	if res.status != http.StatusOK {
		t.Fatalf("view %q: status %d", subject, res.status)
	}
	return parseDoc(t, res.body)
}

// frameSrc is the src of the page's only iframe, or "" when it has none.
func frameSrc(t *testing.T, d *doc) string {
	t.Helper()
	switch frames := d.tag("iframe"); len(frames) {
	case 0:
		return ""
	case 1:
		return attrOf(frames[0], "src")
	default:
		t.Fatalf("iframes: got %d, want at most 1", len(frames))
	}
	return ""
}

// query is the query of a link.
func query(t *testing.T, link string) url.Values {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// plainBody is the text of the page's plain-text bodies as they stand.
func plainBody(d *doc) string {
	var b strings.Builder
	for _, n := range d.all(func(n *html.Node) bool { return hasClass(n, "textbody") }) {
		b.WriteString(rawText(n))
	}
	return b.String()
}

// statusText is the text of the element with role="status" and class c.
func statusText(d *doc, c string) string {
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "role") == "status" && hasClass(n, c) }) {
		return text(n)
	}
	return ""
}

func TestViewFormatSwitch(t *testing.T) {
	h := newHarness(t)
	d := viewOf(t, h, "Five tips for getting around")
	if frameSrc(t, d) == "" {
		t.Fatal("by default, a message with both versions shows its HTML")
	}
	ref := refOf(t, frameSrc(t, d))
	if cur := d.all(func(n *html.Node) bool { return attrOf(n, "aria-current") != "" }); len(cur) != 1 || text(cur[0]) != "HTML" {
		t.Errorf("the switch does not mark HTML as shown")
	}

	plainLink := d.link("Plain text")
	q := query(t, plainLink)
	if q.Get("fmt") != "plain" || q.Get("m") != ref || q.Get("t") == "" {
		t.Errorf("plain link %q: want fmt=plain, m=%s and a token", pathOf(t, plainLink), ref)
	}
	plain := parseDoc(t, h.get(plainLink).body)
	if src := frameSrc(t, plain); src != "" {
		t.Errorf("the plain version is framed: %s", pathOf(t, src))
	}
	if got := plainBody(plain); !strings.Contains(got, "The text version of this message is what you see if you pick\n   \"plain text\"") {
		t.Errorf("plain body: got %q", got)
	}

	htmlLink := plain.link("HTML")
	if q := query(t, htmlLink); q.Get("fmt") != "html" || q.Get("m") != ref {
		t.Errorf("HTML link %q: want fmt=html and m=%s", pathOf(t, htmlLink), ref)
	}
	back := parseDoc(t, h.get(htmlLink).body)
	src := frameSrc(t, back)
	if src == "" {
		t.Fatal("the HTML link does not show the HTML version")
	}
	body := h.get(src)
	if body.status != http.StatusOK || !strings.Contains(text(parseDoc(t, body.body).root), "The HTML version of this message is the one you are reading now") {
		t.Errorf("framed body: status %d, text %q", body.status, text(parseDoc(t, body.body).root))
	}
	if !plain.hasLink("HTML") || plain.hasLink("Plain text") {
		t.Error("the plain page should link to HTML only")
	}

	for _, subject := range []string{"Welcome to gomailcgi", "A quick tour of the message list"} {
		t.Run("one version: "+subject, func(t *testing.T) {
			d := viewOf(t, h, subject)
			if d.hasLink("Plain text") || d.hasLink("HTML") {
				t.Error("a switch is offered for a message with one version")
			}
		})
	}
}

func TestViewRemoteImages(t *testing.T) {
	h := newHarness(t)
	addFixture(t, h, "remote-images.eml")
	d := viewOf(t, h, "Remote images")
	if got, want := statusText(d, "remote"), "2 remote images were blocked. Show remote images"; got != want {
		t.Errorf("notice: got %q, want %q", got, want)
	}
	blocked := h.get(frameSrc(t, d))
	checkBody(t, blocked, false)
	bd := parseDoc(t, blocked.body)
	if n := len(bd.all(func(n *html.Node) bool { return hasClass(n, "remote-blocked") })); n != 2 {
		t.Errorf("placeholders: got %d, want 2", n)
	}
	for _, img := range bd.tag("img") {
		t.Errorf("blocked body has <img src=%q>", attrOf(img, "src"))
	}

	show := d.link("Show remote images")
	if q := query(t, show); q.Get("remote") != "1" || q.Get("m") != refOf(t, frameSrc(t, d)) {
		t.Errorf("show link %q: want remote=1 for this message", pathOf(t, show))
	}
	res := h.get(show)
	if got := res.header.Get("Content-Security-Policy"); got != pageCSP {
		t.Errorf("page CSP with remote images: got %q, want %q", got, pageCSP)
	}
	shown := parseDoc(t, res.body)
	src := frameSrc(t, shown)
	if query(t, src).Get("remote") != "1" {
		t.Fatalf("iframe %q does not ask for remote images", pathOf(t, src))
	}
	allowed := h.get(src)
	checkBody(t, allowed, true)
	var srcs []string
	for _, img := range parseDoc(t, allowed.body).tag("img") {
		srcs = append(srcs, attrOf(img, "src"))
	}
	if want := []string{"https://cdn.shop.example/banner.png", "http://cdn.shop.example/pixel.gif"}; strings.Join(srcs, " ") != strings.Join(want, " ") {
		t.Errorf("images: got %q, want %q", srcs, want)
	}
	if !strings.Contains(statusText(shown, "remote"), "Remote images are shown") {
		t.Errorf("notice when shown: got %q", statusText(shown, "remote"))
	}
	again := parseDoc(t, h.get(shown.link("Block remote images")).body)
	if query(t, frameSrc(t, again)).Has("remote") {
		t.Error("Block remote images still asks for them")
	}

	// Only this message: another one opened next still blocks.
	list := parseDoc(t, h.get(shown.link("‹ Back to the list")).body)
	other := parseDoc(t, h.get(list.viewLink("A quick tour of the message list")).body)
	if got := statusText(other, "remote"); got != "1 remote image was blocked. Show remote images" {
		t.Errorf("next message: notice %q", got)
	}
	checkBody(t, h.get(frameSrc(t, other)), false)
}

// checkBody checks a framed body's response: its CSP allows remote images
// exactly when asked, and it is a sandboxed document only this site frames.
func checkBody(t *testing.T, res response, remote bool) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("body: status %d", res.status)
	}
	csp := res.header.Get("Content-Security-Policy")
	img := "img-src 'self' data:;"
	if remote {
		img = "img-src 'self' data: https: http:;"
	}
	for _, want := range []string{"default-src 'none';", img, "frame-ancestors 'self'", "; sandbox"} {
		if !strings.Contains(csp, want) {
			t.Errorf("body CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("body CSP %q allows scripts", csp)
	}
}

func TestInlineImagePart(t *testing.T) {
	h := newHarness(t)
	d := viewOf(t, h, "New icon for the inbox (inline image)")
	body := h.get(frameSrc(t, d))
	imgs := parseDoc(t, body.body).tag("img")
	if len(imgs) != 1 {
		t.Fatalf("images in the body: got %d, want 1", len(imgs))
	}
	src := attrOf(imgs[0], "src")
	if !strings.HasPrefix(src, "/part?") {
		t.Fatalf("cid image src %q: want the part route", src)
	}
	res := h.get(src)
	for k, want := range map[string]string{
		"Content-Type":           "image/png",
		"Content-Disposition":    `inline; filename=envelope.png`,
		"X-Content-Type-Options": "nosniff",
	} {
		if got := res.header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "\x89PNG\r\n") {
		t.Errorf("image: status %d, %d bytes, not a PNG", res.status, len(res.body))
	}
	var inline []string
	for _, s := range d.all(func(n *html.Node) bool { return attrOf(n, "aria-label") == "Inline images" }) {
		for a := range s.Descendants() {
			if a.Type == html.ElementNode && a.Data == "a" {
				inline = append(inline, text(a))
				if res := h.get(attrOf(a, "href")); res.header.Get("Content-Disposition") != `attachment; filename=envelope.png` {
					t.Errorf("inline image listed for download: Content-Disposition %q", res.header.Get("Content-Disposition"))
				}
			}
		}
	}
	if len(inline) != 1 || inline[0] != "envelope.png" {
		t.Errorf("inline images listed: got %q, want [envelope.png]", inline)
	}
}

// TestInlinePartOnlyForRasterImages asks for parts inline that must still
// download: SVG, HTML and a CSV.
func TestInlinePartOnlyForRasterImages(t *testing.T) {
	h := newHarness(t)
	h.mail.Mailbox(aliceUser).Add([]byte("From: Erin <erin@example.net>\r\nTo: alice@example.org\r\n" +
		"Subject: Tricky inline parts\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/related; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/html\r\n\r\n<p>Look: <img src=\"cid:svg@x\"> <img src=\"cid:page@x\"></p>\r\n" +
		"--b\r\nContent-Type: image/svg+xml\r\nContent-ID: <svg@x>\r\n\r\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>\r\n" +
		"--b\r\nContent-Type: text/html\r\nContent-ID: <page@x>\r\nContent-Disposition: inline; filename=\"page.html\"\r\n\r\n<script>alert(2)</script>\r\n" +
		"--b--\r\n"))
	d := viewOf(t, h, "Tricky inline parts")
	var srcs []string
	for _, img := range parseDoc(t, h.get(frameSrc(t, d)).body).tag("img") {
		srcs = append(srcs, attrOf(img, "src"))
	}
	if len(srcs) != 2 {
		t.Fatalf("images: got %q, want the two cid: parts", srcs)
	}
	tests := []struct{ name, src, wantType string }{
		{"svg", srcs[0], "image/svg+xml"},
		{"html", srcs[1], "text/html"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if query(t, tt.src).Get("inline") != "1" {
				t.Fatalf("src %q does not ask for inline", pathOf(t, tt.src))
			}
			res := fetch(t, h, tt.src)
			if got := res.header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type: got %q, want %q", got, tt.wantType)
			}
			if got := res.header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment;") {
				t.Errorf("Content-Disposition: got %q, want an attachment", got)
			}
			if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options: got %q", got)
			}
		})
	}
}
