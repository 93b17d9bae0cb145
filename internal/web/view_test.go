package web

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailmsg"
)

// headerValues reads the view page's header list: dt text -> dd text.
func headerValues(d *doc) map[string]string {
	out := map[string]string{}
	dts := d.tag("dt")
	dds := d.tag("dd")
	for i := range min(len(dts), len(dds)) {
		out[text(dts[i])] = text(dds[i])
	}
	return out
}

func TestViewPlain(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	res := h.get(list.viewLink("Re: Re: Does delete really check the message?"))
	if res.status != http.StatusOK {
		t.Fatalf("status %d", res.status)
	}
	d := parseDoc(t, res.body)
	hv := headerValues(d)
	for name, want := range map[string]string{
		"From":    "Sam Reader <sam@example.com>",
		"To":      "Demo User <demo@example.org>",
		"Subject": "Re: Re: Does delete really check the message?",
		"Date":    "Thu, 26 Mar 2026 15:40 UTC",
	} {
		if got := hv[name]; got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	if len(d.tag("iframe")) != 0 {
		t.Error("a plain-text message is shown in an iframe")
	}
	pres := d.tag("pre")
	if len(pres) == 0 || !strings.Contains(rawText(pres[0]), "Thanks, that answers it.") {
		t.Fatal("the text body is not in the page")
	}
	if got := len(d.tag("blockquote")); got < 3 {
		t.Errorf("quote levels: got %d blockquotes, want nested quotes", got)
	}
	for _, l := range []string{"Reply", "Reply all", "Forward", "‹ Back to the list", "Download (.eml)"} {
		if !d.hasLink(l) {
			t.Errorf("no %q link", l)
		}
	}
	forms := d.all(func(n *html.Node) bool { return n.Data == "form" && attrOf(n, "method") == "post" })
	if len(forms) != 1 || attrOf(forms[0], "action") != "/delete" {
		t.Errorf("want one POST form to /delete, got %d", len(forms))
	}
}

func TestViewKeepsListPage(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.PageSize = 5 }))
	tok := h.login()
	list, _ := h.list(tok, 2)
	d := parseDoc(t, h.get(list.viewLink("Grüße aus Zürich — UTF-8 überall ✓")).body)
	back := parseDoc(t, h.get(d.link("‹ Back to the list")).body)
	if got := back.subjects(); len(got) != 5 || got[0] != "Привет из демо-ящика (KOI8-R)" {
		t.Errorf("back to the list: got %q, want page 2", got)
	}
}

func TestViewHTMLInSandboxedFrame(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	d := parseDoc(t, h.get(list.viewLink("A quick tour of the message list")).body)
	frames := d.tag("iframe")
	if len(frames) != 1 {
		t.Fatalf("iframes: got %d, want 1", len(frames))
	}
	// Links may open in a new tab; nothing in the frame may run or reach
	// this site's origin.
	if v, ok := attr(frames[0], "sandbox"); !ok || strings.Contains(v, "allow-scripts") || strings.Contains(v, "allow-same-origin") {
		t.Errorf("iframe sandbox: got %q (present %v), want present without allow-scripts or allow-same-origin", v, ok)
	}
	if len(d.tag("script")) != 0 {
		t.Error("the page has a script element")
	}
	res := h.get(attrOf(frames[0], "src"))
	if res.status != http.StatusOK {
		t.Fatalf("body: status %d", res.status)
	}
	csp := res.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "sandbox", "frame-ancestors 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("body CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "script-src") {
		t.Errorf("body CSP %q allows scripts", csp)
	}
	body := parseDoc(t, res.body)
	if len(body.tag("script")) != 0 {
		t.Error("the HTML body still has a script element")
	}
	if !strings.Contains(text(body.root), "message list") {
		t.Error("the HTML body lost its text")
	}
}

func TestViewAttachmentsAndDownloads(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	list, _ := h.list(tok, 1)
	d := parseDoc(t, h.get(list.viewLink("Your checklist and a list of pages (2 attachments)")).body)

	tests := []struct {
		link            string // start of the link text
		wantType        string
		wantDisposition string
		wantBody        string // start of the decoded content
	}{
		{"gomailcgi-checklist.txt", "text/plain", `inline; filename=gomailcgi-checklist.txt`, "gomailcgi first-run checklist"},
		{"aperçu des pages.csv", "text/csv", `attachment; filename="aper_u des pages.csv"; filename*=utf-8''aper%C3%A7u%20des%20pages.csv`, "page,method,what it does"},
	}
	for _, tt := range tests {
		t.Run(tt.link, func(t *testing.T) {
			var href string
			for _, a := range d.tag("a") {
				if strings.HasPrefix(text(a), tt.link) {
					href = attrOf(a, "href")
				}
			}
			if href == "" {
				t.Fatalf("no attachment link %q", tt.link)
			}
			res := h.get(href)
			if res.status != http.StatusOK {
				t.Fatalf("status %d", res.status)
			}
			if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, tt.wantType) {
				t.Errorf("Content-Type: got %q, want %q", got, tt.wantType)
			}
			if got := res.header.Get("Content-Disposition"); got != tt.wantDisposition {
				t.Errorf("Content-Disposition: got %q, want %q", got, tt.wantDisposition)
			}
			if !strings.HasPrefix(res.body, tt.wantBody) {
				t.Errorf("content: got %q…, want it to start %q", res.body[:min(40, len(res.body))], tt.wantBody)
			}
		})
	}
	t.Run("no such part", func(t *testing.T) {
		res := h.get(strings.Replace(d.link("Download (.eml)"), "/source?", "/part?p=9&", 1))
		if res.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.status)
		}
	})
	t.Run("source", func(t *testing.T) {
		res := h.get(d.link("Download (.eml)"))
		if res.status != http.StatusOK {
			t.Fatalf("status %d", res.status)
		}
		if got := res.header.Get("Content-Type"); got != "message/rfc822" {
			t.Errorf("Content-Type: got %q", got)
		}
		if got := res.header.Get("Content-Disposition"); !strings.HasPrefix(got, "attachment; filename=") || !strings.Contains(got, ".eml") {
			t.Errorf("Content-Disposition: got %q", got)
		}
		box := h.mail.Mailbox(aliceUser)
		want, _ := box.Raw(box.UIDs()[3])
		if res.body != string(want) {
			t.Errorf("source: got %d bytes, want the %d stored", len(res.body), len(want))
		}
	})
}

func TestViewBadReference(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	for _, m := range []string{"", "x", "1", "1.zzz", "0.u1"} {
		res := h.get("/view?t=" + tok + "&m=" + m)
		if res.status != http.StatusBadRequest {
			t.Errorf("m=%q: status %d, want 400", m, res.status)
		}
	}
}

// A message of any size opens: the text part past the display limit shows
// its start in whole lines with a link to the whole of it, a reply quotes
// its start, and the large attachment is
// listed with its size, both read from the one RETR stream.
func TestViewLargeMessage(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	line := "The quick brown fox jumps over the lazy dog, again and again.\r\n"
	text := strings.Repeat(line, mailmsg.MaxTextPart/len(line)+1000)
	blob := bytes.Repeat([]byte{0, 1, 2, 250, 251, 255}, 1<<20) // 6 MB
	var raw bytes.Buffer
	raw.WriteString("From: a@example.net\r\nSubject: Huge\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n")
	raw.WriteString(text)
	raw.WriteString("--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=blob.bin\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(blob)
	for len(enc) > 76 {
		raw.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	raw.WriteString(enc + "\r\n--b--\r\n")
	h.mail.Mailbox(aliceUser).Add(raw.Bytes())

	list, _ := h.list(tok, 1)
	res := h.get(list.viewLink("Huge"))
	if res.status != http.StatusOK {
		t.Fatalf("view: status %d", res.status)
	}
	d := parseDoc(t, res.body)
	body := strings.TrimSpace(plainBody(d))
	if !strings.HasPrefix(body, "The quick brown fox") || len(body) > viewText || !strings.HasSuffix(body, "again and again.") {
		t.Errorf("body: got %d bytes starting %.40q, want at most the first %d in whole lines", len(body), body, viewText)
	}
	if !d.hasLink("blob.bin") || !strings.Contains(res.body, "6.0 MB") {
		t.Errorf("the attachment is not listed with its size:\n%s", res.body)
	}
	whole := h.get(d.link("Download the whole text"))
	// the CRLF before a boundary belongs to the boundary
	if whole.status != http.StatusOK || whole.body+"\r\n" != text {
		t.Errorf("whole text: status %d, %d bytes, want %d", whole.status, len(whole.body), len(text))
	}
	if got, want := whole.header.Get("Content-Disposition"), "attachment; filename=Huge.txt"; got != want {
		t.Errorf("whole text: Content-Disposition %q, want %q: a file, not a page", got, want)
	}
	reply := h.page(d.link("Reply"), http.StatusOK).field("body")
	if len(reply) > maxQuoted*11/10 || !strings.Contains(reply, "> The quick brown fox") ||
		!strings.HasSuffix(strings.TrimSpace(reply), "[…the rest of the original is not included here]") {
		t.Errorf("reply: %d bytes ending %q; want the start quoted and a line that says the rest is not", len(reply), reply[max(0, len(reply)-80):])
	}
	got := h.get(d.link("blob.bin"))
	if got.status != http.StatusOK || got.body != string(blob) {
		t.Errorf("attachment: status %d, %d bytes, want the %d original bytes", got.status, len(got.body), len(blob))
	}
}
