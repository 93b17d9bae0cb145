package web

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailtools"
)

// searchPath is the search for words in field, going on from older.
func searchPath(tok string, words, field, older string) string {
	q := url.Values{"t": {tok}, "q": {words}}
	if field != "" {
		q.Set("in", field)
	}
	if older != "" {
		q.Set("older", older)
	}
	return "/search?" + q.Encode()
}

// TestSearchPage searches bob's inbox from the list page's form, checks
// the rows and what the page says, opens a result and goes back.
func TestSearchPage(t *testing.T) {
	h := newHarness(t)
	for _, s := range []string{"Invoice March", "=?UTF-8?Q?Cr=C3=A8me?= order", "Lunch", "INVOICE april", "Crème invoice"} {
		h.addMail(bobUser, s, "text")
	}
	tok := h.loginAs(bobUser, bobPass, "")
	list, _ := h.list(tok, 1)
	forms := list.all(func(n *html.Node) bool { return n.Data == "form" && attrOf(n, "role") == "search" })
	if len(forms) != 1 || attrOf(forms[0], "method") != "get" || attrOf(forms[0], "action") != "/search" {
		t.Fatalf("the list page has %d search forms (GET /search), want 1", len(forms))
	}

	cases := []struct {
		words, field string
		want         []string
	}{
		{"invoice", "subject", []string{"Crème invoice", "INVOICE april", "Invoice March"}},
		{"creme", "", []string{"Crème invoice", "Crème order"}},
		{"creme invoice", "any", []string{"Crème invoice"}},
		{"invoice", "from", nil},
		{"erin", "from", []string{"Crème invoice", "INVOICE april", "Lunch", "Crème order", "Invoice March"}},
	}
	for _, c := range cases {
		t.Run(c.words+" in "+c.field, func(t *testing.T) {
			res := h.get(searchPath(tok, c.words, c.field, ""))
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200:\n%s", res.status, res.body)
			}
			d := parseDoc(t, res.body)
			if got := d.subjects(); !slices.Equal(got, c.want) {
				t.Errorf("found %q, want %q", got, c.want)
			}
			if got, want := searchSummary(d), fmt.Sprintf("5 messages searched, %d found.", len(c.want)); got != want {
				t.Errorf("the page says %q, want %q", got, want)
			}
			if got := d.field("q"); got != c.words {
				t.Errorf("the form's words are %q, want %q", got, c.words)
			}
			if got := len(d.inputs("m")); got != len(c.want) {
				t.Errorf("%d checkboxes, want one per row (%d)", got, len(c.want))
			}
		})
	}

	// Open a result, and go back to the results from it.
	d := parseDoc(t, h.get(searchPath(tok, "invoice", "subject", "")).body)
	view := h.get(d.viewLink("INVOICE april"))
	if view.status != http.StatusOK {
		t.Fatalf("view: status %d", view.status)
	}
	back := parseDoc(t, view.body).link("‹ Back to the results")
	u, _ := url.Parse(back)
	if u.Path != "/search" || u.Query().Get("q") != "invoice" || u.Query().Get("in") != "subject" {
		t.Fatalf("back link %q does not lead to the search", back)
	}
	again := parseDoc(t, h.get(back).body)
	if got := again.subjects(); !slices.Equal(got, []string{"Crème invoice", "INVOICE april", "Invoice March"}) {
		t.Errorf("back at the results: %q", got)
	}
	// The list's own view links still lead back to the list.
	fromList := parseDoc(t, h.get(list.viewLink("Lunch")).body)
	if !fromList.hasLink("‹ Back to the list") || fromList.hasLink("‹ Back to the results") {
		t.Error("a message opened from the list does not lead back to the list")
	}
}

// searchSummary is the text of the page's role="status" paragraph.
func searchSummary(d *doc) string {
	for _, n := range d.all(func(n *html.Node) bool { return attrOf(n, "role") == "status" }) {
		return text(n)
	}
	return ""
}

// TestSearchOlder bounds a search to three messages: each page offers the
// older ones through a cursor, which goes on after an older message was
// deleted (its message moved), and says so when its own message is gone.
func TestSearchOlder(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.SearchMessages = 3 }))
	var uids []string
	for i := 1; i <= 8; i++ {
		uids = append(uids, h.addMail(bobUser, fmt.Sprintf("Report %d", i), "text"))
	}
	tok := h.loginAs(bobUser, bobPass, "")
	d := parseDoc(t, h.get(searchPath(tok, "report", "subject", "")).body)
	if got, want := d.subjects(), []string{"Report 8", "Report 7", "Report 6"}; !slices.Equal(got, want) {
		t.Fatalf("first step: %q, want %q", got, want)
	}
	if got := searchSummary(d); got != "3 messages searched, 3 found." {
		t.Errorf("first step says %q", got)
	}
	older := d.link("Search older messages")

	// Another mail program deletes the oldest message: the cursor's
	// message moves down a number, and is found again by its id.
	h.mail.Mailbox(bobUser).Delete(uids[0])
	d = parseDoc(t, h.get(older).body)
	if got, want := d.subjects(), []string{"Report 5", "Report 4", "Report 3"}; !slices.Equal(got, want) {
		t.Fatalf("second step: %q, want %q", got, want)
	}
	if !strings.Contains(text(d.root), "Your inbox changed since the last results") {
		t.Error("the second step does not say the inbox changed")
	}
	older = d.link("Search older messages")
	d = parseDoc(t, h.get(older).body)
	if got, want := d.subjects(), []string{"Report 2"}; !slices.Equal(got, want) {
		t.Fatalf("last step: %q, want %q", got, want)
	}
	if d.hasLink("Search older messages") {
		t.Error("the last step offers older messages")
	}

	// The message the search goes on from is deleted: a clear 409.
	u, _ := url.Parse(older)
	ref, _ := mailtools.ParseRef(u.Query().Get("older"))
	h.mail.Mailbox(bobUser).Delete(ref.ID[1:])
	res := h.get(older)
	if res.status != http.StatusConflict || !strings.Contains(parseDoc(t, res.body).alert(), "cannot go on from where it stopped") {
		t.Errorf("going on from a deleted message: status %d, alert %q", res.status, parseDoc(t, res.body).alert())
	}
}

func TestSearchBadRequests(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	for _, path := range []string{
		"/search?t=" + url.QueryEscape(tok) + "&q=x&in=body",
		"/search?t=" + url.QueryEscape(tok) + "&q=x&after=2026-13-01",
		"/search?t=" + url.QueryEscape(tok) + "&q=x&older=nonsense",
		"/search?t=" + url.QueryEscape(tok) + "&q=" + strings.Repeat("a+", 11),
	} {
		if res := h.get(path); res.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path[len(path)-20:], res.status)
		}
	}
	if res := h.get("/search?t=bad&q=x"); res.status != http.StatusUnauthorized {
		t.Errorf("bad token: status %d, want 401", res.status)
	}
	res := h.get("/search?t=" + url.QueryEscape(tok) + "&q=")
	if d := parseDoc(t, res.body); res.status != http.StatusOK || len(d.subjects()) != 0 || searchSummary(d) == "" {
		t.Errorf("empty search: status %d, want 200 and a notice without rows", res.status)
	}
}

// TestSearchStreamsRows holds the POP server's side of the scan after its
// first window: the head of the page and the first row must reach the
// browser all the same, before the scan can end. A second search of the
// same user meanwhile gets a 429 page.
func TestSearchStreamsRows(t *testing.T) {
	hold := newHoldingProxy()
	h := newHarness(t, webOption(func(c *Config) {
		c.POP.Server.Addr = hold.start(t, c.POP.Server.Addr)
	}))
	// More messages than one window of TOP commands (1,024), so the scan
	// has a second window for the proxy to hold.
	const size = 1100
	box := h.mail.Mailbox(bobUser)
	for i := 1; i <= size; i++ {
		subject := fmt.Sprintf("Filler %d", i)
		if i == size || i == 1 {
			subject = fmt.Sprintf("Needle %d", i)
		}
		box.Add(fmt.Appendf(nil, "From: a@example.net\r\nSubject: %s\r\nDate: Fri, 27 Mar 2026 10:00:00 +0000\r\n\r\nx\r\n", subject))
	}
	tok := h.loginAs(bobUser, bobPass, "")
	hold.armed.Store(true)
	res, err := h.client.Get(h.srv.URL + searchPath(tok, "needle", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rows := make(chan string, 1)
	go func() {
		br := bufio.NewReader(res.Body)
		var page bytes.Buffer
		for {
			line, err := br.ReadString('\n')
			page.WriteString(line)
			if strings.Contains(line, "Needle 1100") || err != nil {
				rows <- page.String()
				return
			}
		}
	}()
	select {
	case page := <-rows:
		if !strings.Contains(page, "Needle 1100") {
			t.Errorf("the browser had no row:\n%s", page)
		}
		if n := hold.tops.Load(); n < 1 || n >= size {
			t.Errorf("the first row came after %d of the %d TOP commands reached the server, want it while the scan is held", n, size)
		}
	case <-time.After(10 * time.Second): // not a measure: the scan is held, so no row would come at all
		t.Error("no row reached the browser while the scan was held")
	}
	if second := h.get(searchPath(tok, "filler", "", "")); second.status != http.StatusTooManyRequests {
		t.Errorf("a second search meanwhile: status %d, want 429", second.status)
	}
	hold.release()
	var rest bytes.Buffer
	rest.ReadFrom(res.Body)
	if !strings.Contains(rest.String(), "1,100 messages searched, 2 found.") {
		t.Errorf("the page's end:\n%s", rest.String())
	}
}

// holdingProxy forwards POP3 connections; once armed, it holds what the
// client sends after its first window of TOP commands, until released.
type holdingProxy struct {
	armed   atomic.Bool
	tops    atomic.Int64 // TOP commands passed on
	once    sync.Once
	release func()
	held    chan struct{}
}

func newHoldingProxy() *holdingProxy {
	p := &holdingProxy{held: make(chan struct{})}
	p.release = func() { p.once.Do(func() { close(p.held) }) }
	return p
}

func (p *holdingProxy) start(t testing.TB, addr string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.release(); ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			go func() { defer c.Close(); bufio.NewReader(up).WriteTo(c) }()
			go func() {
				defer up.Close()
				tops := 0
				buf := make([]byte, 64<<10)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						k := bytes.Count(buf[:n], []byte("TOP "))
						if p.armed.Load() && tops > 0 && k > 0 {
							<-p.held
						}
						tops += k
						p.tops.Add(int64(k))
						if _, err := up.Write(buf[:n]); err != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}
