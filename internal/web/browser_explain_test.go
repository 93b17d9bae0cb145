package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// w3m shows the panel as plain text under the page: a text browser has no
// <details> to close.
func TestTextBrowserShowsPanel(t *testing.T) {
	h := explainHarness(t)
	tok := h.loginAs(teachUser, teachPass, "")
	page := w3mDump(t, siteURL(h, "/list?t="+url.QueryEscape(tok)), "")
	for _, want := range []string{"How this page was made", "GET /list was answered 200 OK", "state List",
		"PASS ••••", "UIDL 3", "GET /view carrying m t → View"} {
		if !strings.Contains(page, want) {
			t.Errorf("w3m does not show %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, teachPass) && !strings.Contains(page, "Your password is "+teachPass) {
		t.Errorf("w3m shows the password outside the subject:\n%s", page)
	}
}

// panel opens the panel by its summary, as a person clicks it (it is
// closed on every page), and returns its text.
func (p *person) panel() string {
	p.t.Helper()
	open, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.querySelector("aside.explain details").open`))
	if err != nil {
		p.t.Fatal(err)
	}
	if open {
		p.t.Fatal("the panel is open before it is asked for")
	}
	p.do("open the panel", chromedp.Click(chromedp.CSS("aside.explain summary")), chromedp.WaitVisible(chromedp.CSS("aside.explain h2")))
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS("aside.explain details")))
	if err != nil {
		p.t.Fatal(err)
	}
	return s
}

// TestBrowserPanel walks the states in Chromium with script off, opens
// the panel on each, and checks it against the request the browser made:
// its method and path, the state, and the mail conversation.
func TestBrowserPanel(t *testing.T) {
	b := requireDevtools(t)
	h := explainHarness(t)
	p := b.person(t, h, t.TempDir())
	checkPanel := func(state, method string, want ...string) {
		t.Helper()
		loc, err := chromedp.Run(p.ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(loc)
		text := p.panel()
		want = append(want, fmt.Sprintf("%s %s was answered", method, u.Path))
		if state != "" {
			want = append(want, "the state "+state+" of docs/FLOW.md")
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the panel does not say %q:\n%s", u.Path, w, text)
			}
		}
		if strings.Contains(text, teachPass) {
			t.Errorf("%s: the panel shows the password", u.Path)
		}
		if tok := u.Query().Get("t"); tok != "" && strings.Contains(text, tok) {
			t.Errorf("%s: the panel shows the whole token", u.Path)
		}
	}

	p.do("the home page", chromedp.Navigate(siteURL(h, "/")), chromedp.WaitVisible(chromedp.CSS("main")))
	checkPanel("Home", "GET", "did not talk to a mail server")
	p.open("Read mail", "#user")
	checkPanel("Login", "GET", "form: POST /login carrying name next password user → List")
	p.do("log in", chromedp.SendKeys(chromedp.CSS("#user"), teachUser), chromedp.SendKeys(chromedp.CSS("#password"), teachPass))
	p.press("Log in", "table.messages")
	// The browser followed the 303: the panel is the list's own request.
	checkPanel("List", "GET", "PASS ••••", "TOP 3 0", "user: "+teachUser)
	p.open("Your password is "+teachPass, "dl.headers")
	checkPanel("View", "GET", "it is the same message.", "RETR ")
	p.open("Reply", "#body")
	checkPanel("Compose", "GET", "mode: 5 bytes, reply", "POST /send", "→ Sent")
	p.do("address it", chromedp.SetValue(chromedp.CSS("#to"), "bob@example.org"))
	p.press("Send", "ul.actions")
	checkPanel("Sent", "GET", "did not talk to a mail server", "subject: ")
	p.open("Back to the inbox", "table.messages")
	p.open("Lunch", "dl.headers")
	p.press("Delete this message…", `//a[starts-with(normalize-space(), "Cancel, keep")]`)
	checkPanel("Confirm", "POST", "it is delete", "it is the same message.", "carrying confirm from m next page t → List")
	p.press("Delete for good", "dl.headers")
	checkPanel("", "POST", "DELE ", "it is delete")
}

// TestAccessibilityWithPanel runs axe-core on each state with the panel
// open, at a desktop and a phone width, and wants no violation.
func TestAccessibilityWithPanel(t *testing.T) {
	axe := axeSource(t)
	b := requireDevtools(t)
	h := explainHarness(t)
	tok := h.loginAs(teachUser, teachPass, "")
	list, _ := h.list(tok, 1)
	view := list.viewLink("Your password is " + teachPass)
	vd := parseDoc(t, h.get(view).body)
	pages := []struct{ name, body string }{
		{"home", h.get("/").body},
		{"login", h.get("/login?next=list").body},
		{"list", h.get("/list?t=" + url.QueryEscape(tok)).body},
		{"view", h.get(view).body},
		{"compose", h.get(vd.link("Reply")).body},
		{"source", h.get(vd.link("View source")).body},
		{"confirm", h.post("/delete", url.Values{"t": {tok}, "m": {refOf(t, view)}, "page": {"1"}}).body},
		{"logged out", h.get("/list?t=expired").body},
	}
	for _, p := range pages {
		if !strings.Contains(p.body, "<details>") {
			t.Fatalf("%s: no panel", p.name)
		}
		open := strings.Replace(p.body, "<details>", "<details open>", 1)
		for _, w := range []int{1280, 375} {
			t.Run(fmt.Sprintf("%s-%d", p.name, w), func(t *testing.T) {
				for _, v := range b.auditPage(axe, siteURL(h, "/nowhere"), open, w, 900, "light") {
					var where []string
					for _, n := range v.Nodes {
						where = append(where, strings.Join(n.Target, " "))
					}
					t.Errorf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", "))
				}
			})
		}
	}
}
