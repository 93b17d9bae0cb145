package web

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/fixtures"
)

// person drives one browser tab with the site's script off, as a reader
// with a script-free browser would, by clicking and typing.
type person struct {
	t   *testing.T
	ctx context.Context
	h   *harness
}

func (d devtools) person(t *testing.T, h *harness, downloads string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(d.ctx)
	t.Cleanup(cancel)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: "allow", DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	return &person{t: t, ctx: ctx, h: h}
}

// do runs actions, failing the test with what it was doing.
func (p *person) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", what, err)
	}
}

// open follows the link with this text, then waits until what shows
// the next page (a CSS selector, or an XPath) is visible.
func (p *person) open(text, then string) {
	p.t.Helper()
	p.do("follow "+text, chromedp.Click(fmt.Sprintf("//a[normalize-space()=%q]", text)), visible(then))
}

// press presses the button with this text, then waits as open does.
func (p *person) press(text, then string) {
	p.t.Helper()
	p.do("press "+text, chromedp.Click(fmt.Sprintf("//button[normalize-space()=%q]", text)), visible(then))
}

func visible(sel string) chromedp.Action[chromedp.Void] {
	if strings.HasPrefix(sel, "//") {
		return chromedp.WaitVisible(sel)
	}
	return chromedp.WaitVisible(chromedp.CSS(sel))
}

// sees is the page's visible text. A page still settling (its frame
// loading) may refuse the question once: it is asked again.
func (p *person) sees() string {
	p.t.Helper()
	var err error
	for range 20 {
		var s string
		if s, err = chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("body"))); err == nil {
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatal(err)
	return ""
}

func (p *person) value(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

func (p *person) expect(what string) {
	p.t.Helper()
	if !strings.Contains(p.sees(), what) {
		p.t.Fatalf("the page does not show %q:\n%s", what, p.sees())
	}
}

// TestBrowserWalk walks the whole site in Chromium with script off, as a
// person would: it logs in, pages, reads each kind of message, downloads,
// replies, forwards, sends with files, saves and continues a draft,
// deletes, comes back after the login ran out, and meets a tampered link.
func TestBrowserWalk(t *testing.T) {
	b := requireDevtools(t)
	h := newHarness(t, webOption(func(c *Config) { c.PageSize = 10 }))
	downloads := t.TempDir()
	p := b.person(t, h, downloads)

	p.do("the login page", chromedp.Navigate(siteURL(h, "/login")), chromedp.WaitVisible(chromedp.CSS("#user")))
	p.do("log in", chromedp.SendKeys(chromedp.CSS("#user"), aliceUser), chromedp.SendKeys(chromedp.CSS("#password"), alicePass),
		chromedp.SendKeys(chromedp.CSS("#name"), "Alice Liddell"))
	p.press("Log in", "table.messages")
	p.expect("Messages 1–10 of 15")
	p.open("Older ›", "table.messages")
	p.expect("Messages 11–15 of 15")
	p.expect("Welcome to gomailcgi")
	p.open("« Newest", "table.messages")

	t.Run("search, open a result and go back to the results", func(t *testing.T) {
		p.do("type the words", chromedp.SendKeys(chromedp.CSS("#search-q"), "muller"),
			chromedp.SetValue(chromedp.CSS("#search-in"), "from"))
		p.press("Search", `//p[@role="status"][contains(., "searched")]`)
		p.expect("15 messages searched, 1 found.")
		p.open("The weekly plan, with an old-style attachment name", "dl.headers")
		p.open("‹ Back to the results", `//p[@role="status"][contains(., "searched")]`)
		if got := p.value("#search-q"); got != "muller" {
			t.Errorf("back at the results, the form has %q", got)
		}
		p.expect("The weekly plan, with an old-style attachment name")
		p.open("Inbox", "p.count")
	})

	t.Run("plain message and a reply", func(t *testing.T) {
		p.open("Paragraphs that flow", "dl.headers")
		p.expect("This line ends without a space, so it is a hard break.")
		p.open("Reply", "#body")
		if to, subject := p.value("#to"), p.value("#subject"); to != "Rowan Flow <rowan@example.com>" || subject != "Re: Paragraphs that flow" {
			t.Errorf("reply: To %q, Subject %q", to, subject)
		}
		p.open("Cancel", "table.messages")
	})
	t.Run("an inline image and an attached message", func(t *testing.T) {
		p.open("New icon for the inbox (inline image)", "iframe.htmlbody")
		p.expect("envelope.png")
		p.open("‹ Back to the list", "table.messages")
		p.open("Fwd: Release notes for the demo server", "article.nested")
		p.expect("Attached message: Release notes for the demo server")
		p.expect("What's new in the demo mail server")
		p.open("‹ Back to the list", "table.messages")
	})
	t.Run("HTML message fits its frame", func(t *testing.T) {
		p.open("Older ›", "table.messages")
		p.open("A quick tour of the message list", "iframe.htmlbody")
		frameH, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`document.querySelector("iframe.htmlbody").getBoundingClientRect().height`))
		if err != nil {
			t.Fatal(err)
		}
		own, err := chromedp.Run(p.ctx, chromedp.AttributeValue(chromedp.CSS("p.hint a"), "href"))
		if err != nil {
			t.Fatal(err)
		}
		p.do("the body on its own page", chromedp.Navigate(siteURL(h, own.Value)), chromedp.WaitVisible(chromedp.CSS("main")))
		contentH, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`document.querySelector("main").getBoundingClientRect().bottom + 8`))
		if err != nil {
			t.Fatal(err)
		}
		if extra := frameH - contentH; extra < -100 || extra > 900 {
			t.Errorf("the frame is %.0f px for %.0f px of content: want taller by less than a screen", frameH, contentH)
		}
		p.open("‹ Back to the message", "dl.headers")
		p.open("‹ Back to the list", "table.messages")
		p.open("« Newest", "table.messages")
	})
	t.Run("download an attachment", func(t *testing.T) {
		p.open("Older ›", "table.messages")
		p.open("Your checklist and a list of pages (2 attachments)", "dl.headers")
		p.do("download", chromedp.Click(`//a[contains(normalize-space(), "aperçu des pages.csv")]`))
		var got []byte
		for range 200 {
			if got, _ = os.ReadFile(filepath.Join(downloads, "aperçu des pages.csv")); got != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		raw := fixtures.All(t)["04-attachments.eml"]
		_, body, err := mailmsg.OpenPart(bytes.NewReader(raw), "3")
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		want.ReadFrom(body)
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("downloaded %d bytes, want the %d of the attachment", len(got), want.Len())
		}
	})
	t.Run("forward with its attachments", func(t *testing.T) {
		p.open("Forward", "#to")
		p.do("address it", chromedp.SendKeys(chromedp.CSS("#to"), "bob@example.org"))
		p.press("Send", "ul.actions")
		p.expect("was handed to the mail server for delivery to:")
		sent := h.mail.Sent()
		m := readSent(t, sent[len(sent)-1].To, sent[len(sent)-1].Data)
		if len(m.attachments) != 2 || !strings.Contains(m.header.Get("From"), "Alice Liddell") {
			t.Errorf("the forward has %d attachments, From %q", len(m.attachments), m.header.Get("From"))
		}
		p.open("Back to the inbox", "table.messages")
	})
	t.Run("reply all", func(t *testing.T) {
		p.open("Re: Re: Does delete really check the message?", "dl.headers")
		p.open("Reply all", "#body")
		if to, cc := p.value("#to"), p.value("#cc"); !strings.Contains(to, "sam@example.com") || !strings.Contains(cc, "team@gomailcgi.example") {
			t.Errorf("reply all: To %q Cc %q", to, cc)
		}
		p.open("Cancel", "table.messages")
	})
	t.Run("send two files", func(t *testing.T) {
		dir := t.TempDir()
		files := []string{filepath.Join(dir, "one.txt"), filepath.Join(dir, "two.bin")}
		os.WriteFile(files[0], []byte("first file\n"), 0o644)
		os.WriteFile(files[1], []byte{0, 1, 2, 255}, 0o644)
		p.open("Write", "#to")
		p.do("fill the form", chromedp.SendKeys(chromedp.CSS("#to"), "bob@example.org"), chromedp.SendKeys(chromedp.CSS("#subject"), "Two files"),
			chromedp.SendKeys(chromedp.CSS("#body"), "See both."), chromedp.SetUploadFiles(chromedp.CSS("#attach"), files))
		p.press("Send", "ul.actions")
		sent := h.mail.Sent()
		m := readSent(t, sent[len(sent)-1].To, sent[len(sent)-1].Data)
		if m.attachments["one.txt"] != "first file\n" || m.attachments["two.bin"] != "\x00\x01\x02\xff" {
			t.Errorf("the files arrived as %q", m.attachments)
		}
		if !slices.Contains(h.subjectsIn(bobUser), "Two files") {
			t.Error("the message did not arrive")
		}
		p.open("Back to the inbox", "table.messages")
	})
	t.Run("save a draft and continue it", func(t *testing.T) {
		p.open("Write", "#to")
		p.do("fill the form", chromedp.SendKeys(chromedp.CSS("#to"), "bob@example.org"), chromedp.SendKeys(chromedp.CSS("#subject"), "Half a thought"),
			chromedp.SendKeys(chromedp.CSS("#body"), "To be continued"))
		p.press("Save draft", "table.messages")
		p.expect("Your draft was saved")
		p.open("Half a thought", "dl.headers")
		p.open("Continue editing", "#to")
		if got := p.value("#body"); !strings.Contains(got, "To be continued") {
			t.Errorf("the continued draft's body: %q", got)
		}
		p.open("Cancel", "table.messages")
	})
	t.Run("delete one, then several", func(t *testing.T) {
		p.open("Lines that start with a dot", "dl.headers")
		p.press("Delete this message…", `//a[starts-with(normalize-space(), "Cancel, keep")]`)
		p.expect("Delete this message for good?")
		p.press("Delete for good", "dl.headers")
		p.expect("Deleted for good: “Lines that start with a dot”.")
		p.open("‹ Back to the list", "table.messages")
		p.do("tick two", chromedp.Click(`//tr[.//a[normalize-space()="Paragraphs that flow"]]//input`),
			chromedp.Click(`//tr[.//a[normalize-space()="One paragraph, one very long line"]]//input`))
		p.press("Delete selected…", `//a[starts-with(normalize-space(), "Cancel, keep")]`)
		p.expect("Delete these 2 messages for good?")
		p.press("Delete for good", "td.pick")
		p.expect("Deleted for good:")
		left := h.subjectsIn(aliceUser)
		for _, gone := range []string{"Lines that start with a dot", "Paragraphs that flow", "One paragraph, one very long line"} {
			if slices.Contains(left, gone) {
				t.Errorf("%q is still in the mailbox", gone)
			}
		}
	})
	t.Run("the login runs out", func(t *testing.T) {
		p.open("Older ›", "table.messages")
		h.advance(2 * time.Hour)
		p.open("Five tips for getting around", "#password")
		p.expect("Please log in again")
		p.do("log in again", chromedp.SendKeys(chromedp.CSS("#user"), aliceUser), chromedp.SendKeys(chromedp.CSS("#password"), alicePass))
		p.press("Log in", "dl.headers")
		p.expect("Five tips for getting around")
	})
	t.Run("a tampered link", func(t *testing.T) {
		p.do("tampered", chromedp.Navigate(siteURL(h, "/list?t=AAAA"+strings.Repeat("x", 60))), chromedp.WaitVisible(chromedp.CSS("#password")))
		p.expect("Please log in again")
	})
}
