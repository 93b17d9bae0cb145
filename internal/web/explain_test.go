package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/record"
)

// A password that is also in the mailbox: in a subject and in a body.
const (
	teachUser = "dora"
	teachPass = "Pw-Quokka-7731"
)

// explainHarness is a site with the panel on, and dora, whose mail holds
// her own password.
func explainHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t,
		mailOption(func(c *devmail.Config) { c.Users[teachUser] = teachPass }),
		webOption(func(c *Config) { c.Explain = true }))
	h.addMail(teachUser, "Your password is "+teachPass, "Hello Dora,\r\n\r\nyour new password is "+teachPass+".\r\n")
	h.addMail(teachUser, "Lunch", "Lunch at noon? (not "+teachPass+")")
	h.addMail(teachUser, "Third", "A third message.")
	return h
}

// panelOf is the panel of a page: the aside, or a redirect's section.
func panelOf(t *testing.T, body string) *html.Node {
	t.Helper()
	d := parseDoc(t, body)
	for _, n := range d.all(func(n *html.Node) bool {
		return (n.Data == "aside" || n.Data == "section") && attrOf(n, "aria-label") == "How this page was made"
	}) {
		return n
	}
	t.Fatalf("no panel on the page:\n%s", body)
	return nil
}

// renderNode is a node as HTML.
func renderNode(n *html.Node) string {
	var b bytes.Buffer
	html.Render(&b, n)
	return b.String()
}

// flowArrows are the arrows of docs/FLOW.md's state diagram, "A>B".
func flowArrows(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../../docs/FLOW.md")
	if err != nil {
		t.Fatal(err)
	}
	arrows := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+) --> (\w+)`).FindAllStringSubmatch(string(data), -1) {
		arrows[m[1]+">"+m[2]] = true
	}
	if len(arrows) < 20 {
		t.Fatalf("found only %d arrows in docs/FLOW.md", len(arrows))
	}
	return arrows
}

// panelFacts are what a panel says, read back from its HTML.
type panelFacts struct {
	state string   // "This page is the state X"
	ways  []string // "To" of each way not in the site header
	text  string
}

func readPanel(t *testing.T, n *html.Node) panelFacts {
	t.Helper()
	f := panelFacts{text: text(n)}
	if m := regexp.MustCompile(`the state (\w+) of docs/FLOW.md`).FindStringSubmatch(f.text); m != nil {
		f.state = m[1]
	}
	for li := range n.Descendants() {
		if li.Type != html.ElementNode || li.Data != "li" || li.Parent == nil || attrOf(li.Parent, "class") != "explain-ways" {
			continue
		}
		if strings.HasPrefix(text(li), "(site header)") {
			continue
		}
		var to string
		for c := range li.Descendants() {
			if c.Type == html.ElementNode && c.Data == "strong" {
				to = text(c)
			}
		}
		f.ways = append(f.ways, to)
	}
	return f
}

// TestExplainPanelWalk walks every state with the panel on, as dora, whose
// mailbox holds her password, and checks each panel against the request:
// what it says was asked and answered, the mail conversation, and that
// where it says the page leads is an arrow of docs/FLOW.md. No panel holds
// the password, its length, or a whole token; outside the panel a token
// is only in links and forms.
func TestExplainPanelWalk(t *testing.T) {
	h := explainHarness(t)
	arrows := flowArrows(t)
	var tokens []string
	check := func(name string, res response, wantStatus int, want ...string) {
		t.Helper()
		if res.status != wantStatus {
			t.Fatalf("%s: status %d, want %d:\n%s", name, res.status, wantStatus, res.body)
		}
		panel := panelOf(t, res.body)
		raw := renderNode(panel)
		if strings.Contains(raw, teachPass) || strings.Contains(strings.ToLower(raw), strings.ToLower(teachPass)) {
			t.Errorf("%s: the panel holds the password:\n%s", name, raw)
		}
		for _, tok := range tokens {
			if strings.Contains(raw, tok) || strings.Contains(raw, url.QueryEscape(tok)) {
				t.Errorf("%s: the panel holds a whole token", name)
			}
		}
		f := readPanel(t, panel)
		for _, w := range want {
			if !strings.Contains(f.text, w) {
				t.Errorf("%s: the panel does not say %q:\n%s", name, w, f.text)
			}
		}
		if strings.Contains(f.text, "password: ") {
			t.Errorf("%s: the panel gives the password's size: %s", name, f.text)
		}
		if f.state != "" {
			from := f.state
			if from == "Changed" {
				from = "List" // "Changed" is the list page itself, reloaded (docs/FLOW.md)
			}
			for _, to := range f.ways {
				if !arrows[from+">"+to] {
					t.Errorf("%s: the panel says the page leads from %s to %s, which docs/FLOW.md has no arrow for", name, f.state, to)
				}
			}
		}
		// Outside the panel, a token is only in a link, a frame or a form.
		panel.Parent.RemoveChild(panel)
		d := parseDoc(t, res.body)
		for n := range d.root.Descendants() {
			for i := range n.Attr {
				if k := n.Attr[i].Key; k == "href" || k == "src" || k == "action" || (k == "value" && attrOf(n, "name") == "t") {
					n.Attr[i].Val = ""
				}
			}
		}
		rest := renderNode(d.root)
		for _, tok := range tokens {
			if strings.Contains(rest, tok) {
				t.Errorf("%s: a token outside links and forms", name)
			}
		}
	}
	tokenOf := func(loc string) string {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		tok := u.Query().Get("t")
		tokens = append(tokens, tok)
		return tok
	}

	check("home", h.get("/"), http.StatusOK, "GET / was answered 200 OK", "state Home", "carried no token", "did not talk to a mail server")
	check("login form", h.get("/login?next=list"), http.StatusOK, "state Login", "next: 4 bytes, list")
	check("wrong password", h.post("/login", url.Values{"user": {teachUser}, "password": {teachPass + "x"}}), http.StatusUnauthorized,
		"POST /login was answered 401", "PASS ••••", "-ERR")

	res := h.post("/login", url.Values{"user": {teachUser}, "password": {teachPass}, "next": {"list"}})
	tok := tokenOf(res.header.Get("Location"))
	check("login", res, http.StatusSeeOther, "POST /login was answered 303 See Other", "a redirect", "USER "+teachUser, "PASS ••••",
		"password (never shown, nor its length)", "The redirect carries a fresh token")

	res = h.get("/list?t=" + url.QueryEscape(tok))
	d := parseDoc(t, res.body)
	rows := len(d.subjects())
	check("list", res, http.StatusOK, "GET /list was answered 200 OK", "state List", "it is list",
		"user: "+teachUser, "mail servers: test", "UIDL 3", "TOP 3 0", "9 commands in one write (pipelined): UIDL 3 LIST 3 TOP 3 0",
		"link ×"+itoa(rows)+": GET /view carrying m t → View")
	tok = parseDoc(t, res.body).token()
	tokens = append(tokens, tok)
	view := parseDoc(t, res.body).viewLink("Your password is " + teachPass)

	res = h.get(view)
	m := refOf(t, view)
	num, uid, _ := strings.Cut(m, ".")
	check("view", res, http.StatusOK, "GET /view was answered 200 OK", "state View", "it is view",
		"m: "+itoa(len(m))+" bytes, "+m,
		"message "+num+" was listed with UIDL "+uid[1:]+"; the server's UIDL for "+num+" is "+uid[1:]+": it is the same message.",
		"RETR "+num)
	vd := parseDoc(t, res.body)
	tokens = append(tokens, vd.token())

	// A search streams its rows; the panel comes with the page's foot,
	// after the scan, and holds the TOP commands it sent.
	res = h.get("/search?t=" + url.QueryEscape(tok) + "&q=" + url.QueryEscape(teachPass) + "&in=subject")
	check("search", res, http.StatusOK, "GET /search was answered 200 OK", "state Search", "it is list", "TOP 3 0",
		"q: "+itoa(len(teachPass))+" bytes", "form: GET /search carrying after before in q t → Search")

	raw := vd.link("View source")
	if raw != "" {
		check("source", h.get(raw), http.StatusOK, "state Source", "RETR")
	}
	reply := vd.link("Reply")
	res = h.get(reply)
	cd := parseDoc(t, res.body)
	check("reply", res, http.StatusOK, "state Compose", "mode: 5 bytes, reply", "form: POST /send")
	ctok := cd.token()
	tokens = append(tokens, ctok)

	res = h.postMultipart("/send", url.Values{"t": {ctok}, "to": {"bob@example.org"}, "subject": {"Re: " + teachPass}, "body": {"Quoting " + teachPass}})
	tokenOf(res.header.Get("Location"))
	check("send", res, http.StatusSeeOther, "POST /send was answered 303 See Other", "is send", "subject=(", "MAIL FROM:<dora@example.org>",
		"RCPT TO:<bob@example.org>", "DATA", "bytes of message, then \".\"", "a form of",
		"t: "+itoa(len(ctok))+" bytes (the sealed token, opened before anything else is read)", "subject: "+itoa(len("Re: "+teachPass))+" bytes", "body: ")
	check("sent", h.get(res.header.Get("Location")), http.StatusOK, "state Sent", "did not talk to a mail server")

	res = h.post("/delete", url.Values{"t": {tok}, "m": {m}, "page": {"1"}})
	check("confirm", res, http.StatusOK, "POST /delete was answered 200 OK", "state Confirm", "it is delete",
		"it is the same message", "form: POST /delete carrying confirm from m page t → List")
	dtok := parseDoc(t, res.body).token()
	tokens = append(tokens, dtok)
	res = h.post("/delete", url.Values{"t": {dtok}, "m": {m}, "page": {"1"}, "confirm": {"1"}})
	check("delete", res, http.StatusOK, "state List", "it is delete", "DELE "+num, "confirm: 1 byte, 1")

	// The message is gone now: the view of its old link says so.
	check("gone", h.get(view), http.StatusGone, "state Changed", "no message has UIDL "+uid[1:]+" now: it is gone")

	check("tampered", h.get("/list?t="+url.QueryEscape(tok[:len(tok)-4]+"AAAA")), http.StatusUnauthorized,
		"does not open with the server's key", "authentication failed")
	h.advance(31 * 60e9)
	check("expired", h.get("/list?t="+url.QueryEscape(dtok)), http.StatusUnauthorized, "It has expired", "past its expiry")
	check("logout", h.get("/logout"), http.StatusOK, "state Logout")
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestExplainPanelOff: without Explain, no page has the panel.
func TestExplainPanelOff(t *testing.T) {
	h := newHarness(t)
	tok := h.login()
	for _, path := range []string{"/", "/login", "/list?t=" + url.QueryEscape(tok), "/logout"} {
		res := h.get(path)
		if strings.Contains(res.body, "How this page was made") {
			t.Errorf("%s has the panel with Explain off", path)
		}
	}
}

// With the panel off the explain middleware is not in the chain: a
// handler's context carries no record, so mailtools records nothing.
func TestExplainOffRecordsNothing(t *testing.T) {
	for _, on := range []bool{false, true} {
		s := &server{cfg: Config{Explain: on}}
		var got *record.Recorder
		s.explain(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = record.From(r.Context())
		})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/list", nil))
		if (got != nil) != on {
			t.Errorf("Explain %v: the handler's record is %v", on, got)
		}
	}
}
