package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/mailstack"
)

// TestRealTwoDomains serves the stack's two domains from one site: "home"
// (the first domain, POP3+STLS, login = local) and "second" (the second,
// POP3S, the whole address as login). A user of the same name and password
// in each logs in, reads only their own mailbox, writes to the other and
// replies. Every connection to a POP server goes through a counting proxy.
func TestRealTwoDomains(t *testing.T) {
	env := mailstack.Require(t)
	if env.Domain2 == "" {
		t.Fatal("the stack names no second domain: restart it with this scripts/mailstack.sh")
	}
	t.Parallel()
	const name = "webrealsv"
	homeUser := realUser(t, env, name)
	secondUser := realUser(t, env, name+"@"+env.Domain2)
	env.Fill(t, homeUser, 2)
	env.Fill(t, secondUser, 3)
	homeAddr, secondAddr := name+"@"+env.Domain, name+"@"+env.Domain2

	homePOP := newCountingProxy(t, env.POP3)
	secondPOP := newCountingProxy(t, env.POP3S)
	smtp := &mailtools.SMTP{Server: realServer(env, env.Submission, mailtools.SecuritySTARTTLS)}
	popAt := func(addr string, sec mailtools.Security) *mailtools.POP {
		s := realServer(env, addr, sec)
		s.TLSConfig = s.TLSConfig.Clone()
		s.TLSConfig.ServerName = env.TLSServerName // the proxy's address is not the certificate's
		return &mailtools.POP{Server: s}
	}
	site := newRealHarness(t, env, mailtools.Server{}, webOption(func(c *Config) {
		c.Servers = []MailServer{{
			ID: "home", Label: "Home mail", Domains: []string{env.Domain}, LocalLogin: true,
			POP: popAt(homePOP.addr(), mailtools.SecuritySTARTTLS), SMTP: smtp,
		}, {
			ID: "second", Label: "Second domain", Domains: []string{env.Domain2},
			POP: popAt(secondPOP.addr(), mailtools.SecurityTLS), SMTP: smtp,
		}}
		c.POP, c.SMTP, c.FromDomain = nil, nil, ""
	}))
	subject := fmt.Sprintf("Across the domains %d", time.Now().UnixNano())
	var homeTok, secondTok string

	step := func(name string, f func(t *testing.T, h *harness)) {
		if !t.Run(name, func(t *testing.T) { f(t, site.forT(t)) }) {
			t.FailNow()
		}
	}
	step("each reads their own mailbox", func(t *testing.T, h *harness) {
		homeTok = h.loginAs(homeAddr, realPass, "")
		secondTok = h.loginAs(secondAddr, realPass, "")
		for _, tt := range []struct {
			tok, label string
			want       []string
		}{
			{homeTok, "Home mail", fillSubjects(2)},
			{secondTok, "Second domain", fillSubjects(3)},
		} {
			d, res := h.list(tt.tok, 1)
			if res.status != http.StatusOK {
				t.Fatalf("list: status %d", res.status)
			}
			if got := d.subjects(); !slices.Equal(got, tt.want) {
				t.Errorf("%s: subjects %q, want %q", tt.label, got, tt.want)
			}
			if got := userLine(d); !strings.Contains(got, "on "+tt.label) {
				t.Errorf("header: got %q, want it to name %q", got, tt.label)
			}
		}
	})
	step("home writes to second", func(t *testing.T, h *harness) {
		compose := h.page("/compose?t="+url.QueryEscape(homeTok), http.StatusOK)
		form := formValues(t, compose, "/send", url.Values{
			"to": {secondAddr}, "subject": {subject}, "body": {"Hello from the first domain.\r\n"},
		})
		if res := h.postMultipart("/send", form); res.status != http.StatusSeeOther {
			t.Fatalf("send: status %d\n%s", res.status, res.body)
		}
		env.Drain(t)
	})
	step("second reads it and replies", func(t *testing.T, h *harness) {
		view := h.viewOn(secondTok, subject)
		hv := headerValues(view)
		if hv["From"] != homeAddr || hv["To"] != secondAddr {
			t.Errorf("headers: got From %q To %q, want %q, %q", hv["From"], hv["To"], homeAddr, secondAddr)
		}
		compose := h.page(view.link("Reply"), http.StatusOK)
		if got := compose.field("to"); got != homeAddr {
			t.Errorf("reply To: got %q, want %q", got, homeAddr)
		}
		form := formValues(t, compose, "/send", url.Values{"body": {"Got it.\n" + compose.field("body")}})
		if res := h.postMultipart("/send", form); res.status != http.StatusSeeOther {
			t.Fatalf("reply: status %d\n%s", res.status, res.body)
		}
		env.Drain(t)
		d := h.viewOn(homeTok, "Re: "+subject)
		if hv := headerValues(d); hv["From"] != secondAddr {
			t.Errorf("the reply's From: got %q, want %q", hv["From"], secondAddr)
		}
		if got := boxSubjects(t, env, homeUser); slices.Contains(got, subject) {
			t.Errorf("home's mailbox holds the message sent to second: %q", got)
		}
	})
	step("a token opens its own server only", func(t *testing.T, h *harness) {
		for _, tt := range []struct{ tok, want, not string }{
			{homeTok, "Re: " + subject, subject},
			{secondTok, subject, "Re: " + subject},
		} {
			d, _ := h.list(tt.tok, 1)
			got := d.subjects()
			if !slices.Contains(got, tt.want) || slices.Contains(got, tt.not) {
				t.Errorf("list: got %q, want %q and not %q", got, tt.want, tt.not)
			}
		}
		st, err := h.sealer.Open(secondTok)
		if err != nil {
			t.Fatal(err)
		}
		if st.Server != "second" {
			t.Errorf("token's server: got %q, want the ID %q", st.Server, "second")
		}
		tampered := []byte(secondTok)
		tampered[len(tampered)/2] ^= 1
		if res := h.get("/list?t=" + url.QueryEscape(string(tampered))); res.status != http.StatusUnauthorized {
			t.Errorf("a tampered token: status %d, want 401", res.status)
		}
	})
	step("unknown domain gets the choice", func(t *testing.T, h *harness) {
		before := homePOP.accepted.Load() + secondPOP.accepted.Load()
		res := h.post("/login", url.Values{"user": {name + "@unknown.test"}, "password": {realPass}})
		if res.status != http.StatusOK || len(parseDoc(t, res.body).tag("select")) != 1 {
			t.Fatalf("status %d, want 200 with a choice of servers", res.status)
		}
		if n := homePOP.accepted.Load() + secondPOP.accepted.Load() - before; n != 0 {
			t.Errorf("%d connections before a server was chosen", n)
		}
		// home's login = local: the part before @ is home's user
		res = h.post("/login", url.Values{"user": {name + "@unknown.test"}, "password": {realPass}, "server": {"home"}})
		if res.status != http.StatusSeeOther {
			t.Errorf("with server=home: status %d, want 303", res.status)
		}
	})
	step("a forged server gets 400 and no connection", func(t *testing.T, h *harness) {
		before := homePOP.accepted.Load() + secondPOP.accepted.Load()
		for _, id := range []string{"evil", env.POP3, "pop=" + env.POP3} {
			res := h.post("/login", url.Values{"user": {homeAddr}, "password": {realPass}, "server": {id}})
			if res.status != http.StatusBadRequest {
				t.Errorf("server=%q: status %d, want 400", id, res.status)
			}
		}
		if n := homePOP.accepted.Load() + secondPOP.accepted.Load() - before; n != 0 {
			t.Errorf("%d connections made for forged servers", n)
		}
	})
}

// userLine is the page header's "Logged in as" line.
func userLine(d *doc) string {
	for _, p := range d.all(func(n *html.Node) bool { return n.Data == "p" && attrOf(n, "class") == "user" }) {
		return text(p)
	}
	return ""
}
