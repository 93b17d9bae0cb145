package render

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/fixtures"
)

// TestHostileHTML checks the sanitized output of hostile-html.eml element
// by element, with remote content blocked and allowed.
func TestHostileHTML(t *testing.T) {
	for _, allowRemote := range []bool{false, true} {
		t.Run(fmt.Sprintf("allowRemote=%v", allowRemote), func(t *testing.T) {
			v := viewOf(fixtures.Hostile(t, "hostile-html.eml"), Options{AllowRemote: allowRemote, CIDURL: testCIDURL})
			out := string(v.HTML)
			assertSafeHTML(t, out, allowRemote)

			var hrefs []string
			for _, a := range elements(t, out, "a") {
				if h := attr(a, "href"); h != "" {
					hrefs = append(hrefs, h)
					if got := attr(a, "rel"); got != "noopener noreferrer" {
						t.Errorf("rel of %q: got %q, want %q", h, got, "noopener noreferrer")
					}
					if got := attr(a, "target"); got != "_blank" {
						t.Errorf("target of %q: got %q, want %q", h, got, "_blank")
					}
				}
			}
			wantHrefs := []string{"https://example.com/ok?a=1&b=2", "mailto:someone@example.com"}
			if !slices.Equal(hrefs, wantHrefs) {
				t.Errorf("hrefs: got %q, want %q", hrefs, wantHrefs)
			}

			var srcs []string
			for _, img := range elements(t, out, "img") {
				srcs = append(srcs, attr(img, "src"))
			}
			png := "data:image/png;base64,"
			wantSrcs := []string{png}
			if allowRemote {
				wantSrcs = []string{"https://evil.example/pixel.gif", png}
			}
			if len(srcs) != len(wantSrcs) {
				t.Fatalf("img srcs: got %q, want %q", srcs, wantSrcs)
			}
			for i := range srcs {
				if !strings.HasPrefix(srcs[i], wantSrcs[i]) {
					t.Errorf("img src %d: got %q, want prefix %q", i, srcs[i], wantSrcs[i])
				}
			}
			wantBlocked := 1
			if allowRemote {
				wantBlocked = 0
			}
			if v.RemoteBlocked != wantBlocked {
				t.Errorf("RemoteBlocked: got %d, want %d", v.RemoteBlocked, wantBlocked)
			}

			var styles []string
			for _, tag := range []string{"div", "p", "span", "table", "td"} {
				for _, n := range elements(t, out, tag) {
					if s := attr(n, "style"); s != "" {
						styles = append(styles, s)
					}
					if b := attr(n, "background"); b != "" {
						t.Errorf("background attribute kept: %q", b)
					}
				}
			}
			wantStyles := []string{"color: red", "color: blue", "color: #336699; font-weight: bold; text-align: center"}
			if !slices.Equal(styles, wantStyles) {
				t.Errorf("styles: got %q, want %q", styles, wantStyles)
			}
		})
	}
}

// TestSanitizeSnippets runs short hostile snippets through the sanitizer.
func TestSanitizeSnippets(t *testing.T) {
	tests := []struct {
		name, in string
		text     string // expected text content (blanks collapsed)
	}{
		{"script", `<p>a</p><script>alert(1)</script><p>b</p>`, "ab"},
		{"onerror", `<img src=x onerror=alert(1) alt=pic>`, "[image: pic]"},
		{"svg onload", `<svg onload=alert(1)><text>t</text></svg>`, "t"},
		{"nested script in attribute", `<a href="https://x.example/" title="<script>">l</a>`, "l"},
		{"meta refresh", `<meta http-equiv=refresh content="0;url=https://x.example/">m`, "m"},
		{"style element", `<style>@import url(https://x.example/a.css)</style>s`, "s"},
		{"css url in style", `<p style="background:url('https://x.example/t.png')">c</p>`, "c"},
		{"obfuscated javascript", `<a href="jav&#x09;ascript:alert(1)">j</a><a href="JaVaScRiPt:alert(1)">k</a>`, "jk"},
		{"entity colon", `<a href="javascript&colon;alert(1)">e</a>`, "e"},
		{"form", `<form action=https://x.example/><input value=v><textarea>ta</textarea></form>`, "ta"},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>f`, "f"},
		{"object", `<object data=https://x.example/o></object><embed src=https://x.example/e>o`, "o"},
		{"base", `<base href="https://x.example/">b`, "b"},
		{"data html link", `<a href="data:text/html,<script>alert(1)</script>">d</a>`, "d"},
		{"uppercase tags", `<SCRIPT>alert(1)</SCRIPT><IMG SRC="https://x.example/p.gif" ALT="u">`, "[image: u]"},
		{"malformed nesting", `<p><b><i>x</p></b>y<table><tr><td>z`, "xyz"},
		{"unterminated comment", `a<!-- <script>alert(1)</script>`, "a"},
		{"cdata", `<![CDATA[<script>alert(1)</script>]]>c`, "alert(1)]]>c"},
		{"link element", `<link rel=stylesheet href=https://x.example/s.css>l`, "l"},
		{"expression", `<div style="width:expression(alert(1));color:red">x</div>`, "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := "Content-Type: text/html; charset=utf-8\r\n\r\n" + tc.in
			for _, allowRemote := range []bool{false, true} {
				v := viewOf([]byte(raw), Options{AllowRemote: allowRemote})
				assertSafeHTML(t, string(v.HTML), allowRemote)
				if !allowRemote {
					got := strings.Join(strings.Fields(htmlText(t, string(v.HTML))), "")
					want := strings.Join(strings.Fields(tc.text), "")
					if got != want {
						t.Errorf("text: got %q, want %q (HTML %q)", got, want, v.HTML)
					}
				}
			}
		})
	}
}

// TestCIDImages checks that cid: images resolve to their parts through
// CIDURL and that the parts are marked Inline.
func TestCIDImages(t *testing.T) {
	v := viewOf(fixtures.Hostile(t, "cid-related.eml"), Options{CIDURL: testCIDURL})
	imgs := elements(t, string(v.HTML), "img")
	if len(imgs) != 1 || attr(imgs[0], "src") != "/part?id=1.2.2" {
		t.Fatalf("imgs: got %d, want one with src /part?id=1.2.2 (HTML %q)", len(imgs), v.HTML)
	}
	if !v.Attachments[0].Inline || v.Attachments[1].Inline {
		t.Errorf("Inline: got %v, %v, want true, false", v.Attachments[0].Inline, v.Attachments[1].Inline)
	}
	if v.RemoteBlocked != 0 {
		t.Errorf("RemoteBlocked: got %d, want 0", v.RemoteBlocked)
	}
	noURL := viewOf(fixtures.Hostile(t, "cid-related.eml"), Options{})
	if imgs := elements(t, string(noURL.HTML), "img"); len(imgs) != 0 {
		t.Errorf("without CIDURL: got %d img elements, want 0", len(imgs))
	}
}

// manyParts builds a multipart/mixed message with n small attachments.
func manyParts(n int) []byte {
	var b strings.Builder
	b.WriteString("Subject: many parts\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n")
	b.WriteString("--B\r\nContent-Type: text/plain\r\n\r\nThe body.\r\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "--B\r\nContent-Type: application/octet-stream; name=\"f%d.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n", i)
	}
	b.WriteString("--B--\r\n")
	return []byte(b.String())
}

// deepMultipart nests n multiparts, with a text part at the bottom.
func deepMultipart(n int) []byte {
	var b strings.Builder
	b.WriteString("Subject: deep\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return []byte(b.String())
}

// deepMessages nests n message/rfc822 parts.
func deepMessages(n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Subject: level %d\r\nContent-Type: message/rfc822\r\n\r\n", i)
	}
	b.WriteString("Subject: bottom\r\n\r\nbottom text\r\n")
	return []byte(b.String())
}

// TestLimits checks that huge and deep messages degrade with a note.
func TestLimits(t *testing.T) {
	t.Run("10000 parts", func(t *testing.T) {
		v := viewOf(manyParts(10000), Options{})
		// The root multipart and the text part count as parts too.
		if got, want := len(v.Attachments), mailmsg.DefaultMaxParts-2; got != want {
			t.Errorf("attachments: got %d, want %d", got, want)
		}
		if got, want := v.PartsOmitted, 10001-mailmsg.DefaultMaxParts; got != want {
			t.Errorf("PartsOmitted: got %d, want %d", got, want)
		}
		if !slices.Contains(v.Problems, ProblemTooManyParts) {
			t.Errorf("problems: got %q, want %q", v.Problems, ProblemTooManyParts)
		}
		if plainText(v.Text) != "The body.\n" {
			t.Errorf("body: got %q", plainText(v.Text))
		}
	})
	t.Run("nesting 100 deep", func(t *testing.T) {
		v := viewOf(deepMultipart(100), Options{})
		if !slices.Contains(v.Problems, ProblemTooDeep) {
			t.Errorf("problems: got %q, want %q", v.Problems, ProblemTooDeep)
		}
		if len(v.Attachments) != 1 || v.Attachments[0].ContentType != "multipart/mixed" {
			t.Fatalf("attachments: got %+v, want the too-deep multipart", v.Attachments)
		}
		if id := v.Attachments[0].ID; strings.Count(id, ".") != mailmsg.DefaultMaxDepth-1 {
			t.Errorf("too-deep part ID: got %q, want %d levels", id, mailmsg.DefaultMaxDepth)
		}
	})
	t.Run("messages 100 deep", func(t *testing.T) {
		v := viewOf(deepMessages(100), Options{})
		depth := 0
		for n := v; len(n.Nested) > 0; n = n.Nested[0] {
			depth++
		}
		if depth != mailmsg.DefaultMaxDepth {
			t.Errorf("nested views: got %d levels, want %d", depth, mailmsg.DefaultMaxDepth)
		}
		if !slices.Contains(v.Problems, ProblemTooDeep) {
			t.Errorf("problems: got %q, want %q", v.Problems, ProblemTooDeep)
		}
	})
	t.Run("100 KB header line", func(t *testing.T) {
		raw := "Subject: " + strings.Repeat("x", 100<<10) + "\r\nFrom: a@example.com\r\n\r\nbody\r\n"
		v := viewOf([]byte(raw), Options{})
		if len(v.Header.Subject) >= 100<<10 || len(v.Header.Subject) < 16<<10 {
			t.Errorf("subject length: got %d, want shortened to about %d", len(v.Header.Subject), 32<<10)
		}
		if len(v.Header.From) != 1 || v.Header.From[0].Addr != "a@example.com" {
			t.Errorf("from after the long line: got %q", v.Header.From)
		}
		if plainText(v.Text) != "body\n" {
			t.Errorf("body: got %q", plainText(v.Text))
		}
		if !slices.Contains(v.Problems, ProblemLongHeader) {
			t.Errorf("problems: got %q, want %q", v.Problems, ProblemLongHeader)
		}
	})
	t.Run("custom limits", func(t *testing.T) {
		v := Message(read(manyParts(50), mailmsg.Limits{MaxParts: 10, MaxDepth: 1}), Options{})
		if len(v.Attachments) != 8 || v.PartsOmitted != 41 {
			t.Errorf("attachments, omitted: got %d, %d, want 8, 41", len(v.Attachments), v.PartsOmitted)
		}
	})
	t.Run("long text", func(t *testing.T) {
		raw := "Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", (mailmsg.MaxTextPart/18)+1000)
		v := viewOf([]byte(raw), Options{})
		// The shortened part is listed, with a note of its own on the
		// page; it is not a problem of the message.
		if len(v.Shortened) != 1 || v.Shortened[0].Size != int64(len(raw)-len("Subject: big\r\n\r\n")) ||
			slices.Contains(v.Problems, ProblemLongText) {
			t.Errorf("got shortened %+v and problems %q; want the part listed with its size, and no problem", v.Shortened, v.Problems)
		}
		last := v.Text[len(v.Text)-1].Lines
		if got := last[len(last)-1].Segments; len(got) == 0 || got[len(got)-1].Text != "0123456789abcdef" {
			t.Errorf("the shown start does not end with a whole line: %+v", got)
		}
	})
}

// renderAllocBound fails if rendering raw allocates more than a fixed
// multiple of its size: quadratic work on a megabyte shows as gigabytes.
// How fast it is, is the benchmarks' business (make bench).
func renderAllocBound(t *testing.T, raw []byte, opt Options) *View {
	t.Helper()
	const slack = 1 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v := viewOf(raw, opt)
	runtime.ReadMemStats(&after)
	if got, bound := after.TotalAlloc-before.TotalAlloc, uint64(allocPerByte*len(raw)+slack); got > bound {
		t.Errorf("rendering %d bytes allocated %d bytes, want at most %d", len(raw), got, bound)
	}
	return v
}

// TestRenderManyPartsIsLinear guards against quadratic behaviour on many parts.
func TestRenderManyPartsIsLinear(t *testing.T) {
	renderAllocBound(t, manyParts(10000), Options{})
}

// TestPathologicalInputs guards against inputs that are slow to render.
func TestPathologicalInputs(t *testing.T) {
	for _, tc := range pathologicalInputs() {
		t.Run(tc.name, func(t *testing.T) {
			v := renderAllocBound(t, []byte(tc.raw), Options{CIDURL: testCIDURL})
			assertSafeHTML(t, string(v.HTML), false)
		})
	}
}

// pathologicalInputs are messages that are slow to render if any step of
// the renderer is worse than linear.
func pathologicalInputs() []struct{ name, raw string } {
	mb := 1 << 20
	return []struct{ name, raw string }{
		{"http repeated", "\r\n" + strings.Repeat("http", mb/4)},
		{"url with closing brackets", "\r\nhttp://a.example/" + strings.Repeat(")", mb)},
		{"url with dots", "\r\nhttp://a.example/" + strings.Repeat(".", mb)},
		{"long url", "\r\nhttps://a.example/" + strings.Repeat("a", mb)},
		{"quotes", "\r\n" + strings.Repeat(">", mb)},
		{"flowed soft lines", "Content-Type: text/plain; format=flowed\r\n\r\n" + strings.Repeat("a \r\n", mb/4)},
		{"encoded words", "Subject: " + strings.Repeat("=?utf-8?q?a?= ", 2000) + "\r\n\r\n"},
		{"many fields", strings.Repeat("X-A: b\r\n", mb/8) + "\r\nbody"},
		{"qp long line", "Content-Transfer-Encoding: quoted-printable\r\n\r\n" + strings.Repeat("=41", mb)},
		{"html nesting", "Content-Type: text/html\r\n\r\n" + strings.Repeat("<div>", 100000)},
		{"html attributes", "Content-Type: text/html\r\n\r\n<p " + strings.Repeat("a=b ", 100000) + ">"},
		{"boundary lines", "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + strings.Repeat("--b\r\n", mb/5)},
		{"no newline", "Subject: x\r\n\r\n" + strings.Repeat("x", 4*mb)},
	}
}
