package web

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// nestedArticles are the attached messages shown on a view page, outermost
// first.
func nestedArticles(d *doc) []*html.Node {
	return d.all(func(n *html.Node) bool { return n.Data == "article" && hasClass(n, "nested") })
}

// linkIn is the href of the first link under n whose text is s, or "".
func linkIn(n *html.Node, s string) string {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && c.Data == "a" && text(c) == s {
			return attrOf(c, "href")
		}
	}
	return ""
}

func TestViewForwardedMessage(t *testing.T) {
	h := newHarness(t)
	d := viewOf(t, h, "Fwd: Release notes for the demo server")
	if got := firstDL(t, d.root)["From"]; got != "Demo User <demo@example.org>" {
		t.Errorf("outer From: got %q", got)
	}
	arts := nestedArticles(d)
	if len(arts) != 1 {
		t.Fatalf("attached messages: got %d, want 1", len(arts))
	}
	hv := firstDL(t, arts[0])
	for name, want := range map[string]string{
		"From":    "gomailcgi Team <team@gomailcgi.example>",
		"To":      "Early Testers <testers@gomailcgi.example>",
		"Date":    "Fri, 20 Mar 2026 16:45 UTC",
		"Subject": "Release notes for the demo server",
	} {
		if got := hv[name]; got != want {
			t.Errorf("attached %s: got %q, want %q", name, got, want)
		}
	}
	var inner string
	for n := range arts[0].Descendants() {
		if n.Type == html.ElementNode && hasClass(n, "textbody") {
			inner = rawText(n)
		}
	}
	if !strings.Contains(inner, " - SMTP with AUTH PLAIN; mail you send to the demo user lands in\n   its inbox") {
		t.Errorf("attached body: got %q", inner)
	}
	if outer := plainBody(d); !strings.HasPrefix(strings.TrimSpace(outer), "Sam, forwarding the release notes") {
		t.Errorf("outer body: got %q", outer)
	}
	dl := linkIn(arts[0], "Download this attached message (.eml)")
	res := h.get(dl)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "message/rfc822" ||
		!strings.HasPrefix(res.body, "From: gomailcgi Team <team@gomailcgi.example>\r\n") {
		t.Errorf("attached message download: status %d, type %q, body %.40q", res.status, res.header.Get("Content-Type"), res.body)
	}
}

func TestViewNestedAttachments(t *testing.T) {
	h := newHarness(t)
	addFixture(t, h, "nested-rfc822.eml")
	d := viewOf(t, h, "Fwd: two levels")
	arts := nestedArticles(d)
	if len(arts) != 2 {
		t.Fatalf("attached messages: got %d, want 2 (one inside the other)", len(arts))
	}
	if !within(arts[1], func(n *html.Node) bool { return n == arts[0] }) {
		t.Error("the innermost message is not shown inside the one that carries it")
	}
	if got := firstDL(t, arts[0])["Subject"]; got != "Inner é" {
		t.Errorf("inner subject: got %q", got)
	}
	if got := firstDL(t, arts[1])["From"]; got != "Innermost <most@example.com>" {
		t.Errorf("innermost From: got %q", got)
	}
	csv := linkIn(arts[0], "inner.csv")
	if csv == "" {
		t.Fatal("the inner attachment is not listed with the inner message")
	}
	if res := h.get(csv); res.body != "a,b" || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("inner.csv: %q, %q", res.body, res.header.Get("Content-Disposition"))
	}
	if got := partNames(d); strings.Join(got, ",") != "inner.csv,outer.zip" {
		t.Errorf("parts listed: got %q, want inner.csv with the inner message and outer.zip", got)
	}
}

// forwardedHostile wraps testdata/render/hostile-html.eml as an attached
// message.
func forwardedHostile(t *testing.T) []byte {
	t.Helper()
	inner, err := os.ReadFile("../../testdata/render/hostile-html.eml")
	if err != nil {
		t.Fatal(err)
	}
	return []byte("From: Forwarder <fw@example.com>\r\nTo: alice@example.org\r\nSubject: Fwd: hostile\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
		"--outer\r\nContent-Type: text/plain\r\n\r\nLook at this <script>alert(0)</script>.\r\n" +
		"--outer\r\nContent-Type: message/rfc822\r\n\r\n" + string(inner) + "\r\n--outer--\r\n")
}

// TestBodyHostileHTML serves hostile HTML through /body, as the message
// itself and as an attached message, with remote images blocked and shown,
// and parses what a browser would get.
func TestBodyHostileHTML(t *testing.T) {
	h := newHarness(t)
	addFixture(t, h, "hostile-html.eml")
	h.mail.Mailbox(aliceUser).Add(forwardedHostile(t))
	tok := h.login()
	list, _ := h.list(tok, 1)

	var frames []string
	for _, subject := range []string{"Hostile HTML", "Fwd: hostile"} {
		view := parseDoc(t, h.get(list.viewLink(subject)).body)
		checkNoScript(t, view)
		show := parseDoc(t, h.get(view.link("Show remote images")).body)
		for _, d := range []*doc{view, show} {
			for _, f := range d.tag("iframe") {
				frames = append(frames, attrOf(f, "src"))
			}
		}
	}
	if len(frames) != 4 {
		t.Fatalf("framed bodies: got %d, want 4", len(frames))
	}
	if q := query(t, frames[2]); q.Get("p") != "2" {
		t.Errorf("the attached message's frame %q: want p=2", pathOf(t, frames[2]))
	}
	for _, src := range frames {
		t.Run(pathOf(t, src)[:strings.Index(pathOf(t, src), "t=")], func(t *testing.T) {
			res := fetch(t, h, src)
			checkBody(t, res, query(t, src).Get("remote") == "1")
			d := parseDoc(t, res.body)
			if !strings.Contains(text(d.root), "this text must survive") {
				t.Error("the harmless text is gone")
			}
			remote := query(t, src).Get("remote") == "1"
			checkHostileGone(t, d, remote)
			pixel := 0
			for _, img := range d.tag("img") {
				if attrOf(img, "src") == "https://evil.example/pixel.gif" {
					pixel++
				}
			}
			if want := map[bool]int{false: 0, true: 1}[remote]; pixel != want {
				t.Errorf("remote image shown %d times, want %d", pixel, want)
			}
		})
	}
	t.Run("plain text keeps markup as text", func(t *testing.T) {
		view := parseDoc(t, fetch(t, h, list.viewLink("Fwd: hostile")).body)
		if got := plainBody(view); !strings.Contains(got, "Look at this <script>alert(0)</script>.") {
			t.Errorf("text body: got %q", got)
		}
	})
}

// checkHostileGone fails for anything in a framed body that could run,
// leave the frame or reach another site without being asked: with remote,
// http and https images are asked for.
func checkHostileGone(t *testing.T, d *doc, remote bool) {
	t.Helper()
	for _, tag := range []string{"script", "iframe", "object", "embed", "form", "input", "base", "link", "svg", "math", "video", "source", "template"} {
		if n := len(d.tag(tag)); n > 0 {
			t.Errorf("%d <%s> elements", n, tag)
		}
	}
	for _, m := range d.tag("meta") {
		if _, ok := attr(m, "http-equiv"); ok {
			t.Error("a <meta http-equiv> survived")
		}
	}
	for _, n := range d.all(func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(a.Key, "on"):
				t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
			case a.Key == "href" || a.Key == "src" || a.Key == "srcset" || a.Key == "background" || a.Key == "poster":
				if strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") ||
					strings.HasPrefix(v, "data:text") || strings.HasPrefix(v, "data:image/svg") ||
					strings.Contains(v, "evil.example") && a.Key != "href" && !(remote && n.Data == "img" && a.Key == "src") {
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			case a.Key == "style" && strings.Contains(v, "url("):
				t.Errorf("<%s style=%q>", n.Data, a.Val)
			}
		}
	}
}
