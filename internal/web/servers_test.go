package web

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// countingProxy relays TCP connections to target and counts those it
// accepted: a test sees whether the site dialled a server at all.
type countingProxy struct {
	ln       net.Listener
	accepted atomic.Int64
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.accepted.Add(1)
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go func() { io.Copy(up, c); up.Close() }()
				io.Copy(c, up)
			}()
		}
	}()
	return p
}

func (p *countingProxy) addr() string { return p.ln.Addr().String() }

// twoServers is a site of two mail servers, "home" for example.org and
// "work" for example.net, each with a user alice of its own (login =
// local: alice@example.net logs in to work's POP server as alice). Every
// connection to home's POP server goes through a counting proxy.
type twoServers struct {
	*harness
	work      *devmail.Server
	homeCount *countingProxy
}

const workPass = "work-secret-pw"

func newTwoServers(t *testing.T, opts ...harnessOption) *twoServers {
	t.Helper()
	work, err := devmail.Start(devmail.Config{Users: map[string]string{aliceUser: workPass}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { work.Close() })
	ts := &twoServers{work: work}
	server := func(addr string) mailtools.Server {
		return mailtools.Server{Addr: addr, Security: mailtools.SecurityInsecure, DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second}
	}
	opts = append([]harnessOption{webOption(func(c *Config) {
		ts.homeCount = newCountingProxy(t, c.POP.Server.Addr)
		c.Servers = []MailServer{{
			ID: "home", Label: "Home mail", Domains: []string{"example.org"}, LocalLogin: true,
			POP:  &mailtools.POP{Server: server(ts.homeCount.addr())},
			SMTP: c.SMTP,
		}, {
			ID: "work", Label: "Work", Domains: []string{"example.net"}, LocalLogin: true,
			POP:  &mailtools.POP{Server: server(work.POPAddr())},
			SMTP: &mailtools.SMTP{Server: server(work.SMTPAddr())},
		}}
		c.POP, c.SMTP, c.ServerID, c.FromDomain = nil, nil, "", ""
	})}, opts...)
	ts.harness = newHarness(t, opts...)
	return ts
}

func TestServerChosenByDomain(t *testing.T) {
	ts := newTwoServers(t)
	ts.addMail(aliceUser, "At home", "home")
	ts.work.Mailbox(aliceUser).Add([]byte("From: b@example.net\r\nSubject: At work\r\n\r\nwork\r\n"))

	for _, tt := range []struct{ user, pass, label, subject, other string }{
		{"alice@example.org", alicePass, "Home mail", "At home", "At work"},
		{"alice@Example.NET", workPass, "Work", "At work", "At home"},
	} {
		t.Run(tt.user, func(t *testing.T) {
			tok := ts.loginAs(tt.user, tt.pass, "")
			d, res := ts.list(tok, 1)
			if res.status != http.StatusOK {
				t.Fatalf("list: status %d", res.status)
			}
			subjects := strings.Join(d.subjects(), "|")
			if !strings.Contains(subjects, tt.subject) || strings.Contains(subjects, tt.other) {
				t.Errorf("list of %s: got %q, want %q and not %q", tt.user, subjects, tt.subject, tt.other)
			}
			header := d.all(func(n *html.Node) bool { return n.Data == "p" && attrOf(n, "class") == "user" })
			if len(header) != 1 || !strings.Contains(text(header[0]), "on "+tt.label) {
				t.Errorf("header: got %v, want it to name %q", header, tt.label)
			}
		})
	}
}

func TestServerChoiceWhenDomainUnknown(t *testing.T) {
	ts := newTwoServers(t)
	for _, user := range []string{"alice@example.com", "alice"} {
		t.Run(user, func(t *testing.T) {
			before := ts.homeCount.accepted.Load()
			res := ts.post("/login", url.Values{"user": {user}, "password": {workPass}, "name": {"Alice"}})
			if res.status != http.StatusOK {
				t.Fatalf("status %d, want 200 with a choice", res.status)
			}
			d := parseDoc(t, res.body)
			if got := d.field("user"); got != user {
				t.Errorf("user field: got %q, want %q kept", got, user)
			}
			if got := text(d.all(func(n *html.Node) bool { return n.Data == "label" && attrOf(n, "for") == "user" })[0]); got != "Email address" {
				t.Errorf("user field's label: got %q, want %q on a site of several servers", got, "Email address")
			}
			if got := d.field("name"); got != "Alice" {
				t.Errorf("name field: got %q, want it kept", got)
			}
			var labels []string
			for _, o := range d.tag("option") {
				labels = append(labels, attrOf(o, "value")+"="+text(o))
			}
			if got, want := strings.Join(labels, ","), "=Choose your mail server,home=Home mail,work=Work"; got != want {
				t.Errorf("options: got %q, want %q", got, want)
			}
			if strings.Contains(res.body, ts.work.POPAddr()) || strings.Contains(res.body, ts.homeCount.addr()) {
				t.Error("the page names a server's address")
			}
			if n := ts.homeCount.accepted.Load() - before; n != 0 {
				t.Errorf("%d connections to a server before one was chosen", n)
			}
			// choosing one logs in there
			res = ts.post("/login", url.Values{"user": {user}, "password": {workPass}, "server": {"work"}})
			if res.status != http.StatusSeeOther {
				t.Fatalf("login with server=work: status %d, want 303", res.status)
			}
		})
	}
}

func TestForgedServerIsRefused(t *testing.T) {
	ts := newTwoServers(t)
	for _, id := range []string{"evil", "127.0.0.1:25", "pop=" + ts.homeCount.addr(), "HOME"} {
		before := ts.homeCount.accepted.Load()
		res := ts.post("/login", url.Values{"user": {"alice@example.org"}, "password": {alicePass}, "server": {id}})
		if res.status != http.StatusBadRequest {
			t.Errorf("server=%q: status %d, want 400", id, res.status)
		}
		if n := ts.homeCount.accepted.Load() - before; n != 0 {
			t.Errorf("server=%q: %d connections made, want none", id, n)
		}
		if d := parseDoc(t, res.body); len(d.tag("select")) != 1 {
			t.Errorf("server=%q: want the choice of servers on the page", id)
		}
	}
	// the counter counts: a real choice connects
	before := ts.homeCount.accepted.Load()
	ts.post("/login", url.Values{"user": {"alice@example.org"}, "password": {alicePass}, "server": {"home"}})
	if n := ts.homeCount.accepted.Load() - before; n == 0 {
		t.Error("server=home: no connection counted; the proxy does not count")
	}
}

func TestTokenOfUnknownServerLogsOut(t *testing.T) {
	ts := newTwoServers(t)
	for _, id := range []string{"gone", "pop=" + ts.mail.POPAddr(), ""} {
		tok, err := ts.sealer.Seal(seal.State{User: aliceUser, Password: alicePass, Server: id})
		if err != nil {
			t.Fatal(err)
		}
		res := ts.get("/list?t=" + url.QueryEscape(tok))
		if res.status != http.StatusUnauthorized {
			t.Errorf("token for %q: status %d, want 401", id, res.status)
		}
		if d := parseDoc(t, res.body); len(d.inputs("password")) != 1 {
			t.Errorf("token for %q: want a login form", id)
		}
	}
}

func TestTokenNamesItsServer(t *testing.T) {
	ts := newTwoServers(t)
	tok := ts.loginAs("alice@example.net", workPass, "")
	st, err := ts.sealer.Open(tok)
	if err != nil {
		t.Fatal(err)
	}
	if st.Server != "work" {
		t.Errorf("token's server: got %q, want the ID %q", st.Server, "work")
	}
	// alice of home with the same name and home's ID is another login:
	// work's password does not open home's mailbox
	st.Server = "home"
	forged, err := ts.sealer.Seal(st)
	if err != nil {
		t.Fatal(err)
	}
	if res := ts.get("/list?t=" + url.QueryEscape(forged)); res.status == http.StatusOK {
		t.Errorf("work's login under home's ID: status 200, want a refusal")
	}
}

func TestLoginThrottlePerServer(t *testing.T) {
	ts := newTwoServers(t, webOption(func(c *Config) {
		c.UserLimit = LoginLimit{Burst: 2, Every: time.Hour}
	}))
	for range 2 {
		res := ts.post("/login", url.Values{"user": {"alice@example.org"}, "password": {"wrong"}})
		if res.status != http.StatusUnauthorized {
			t.Fatalf("wrong password: status %d, want 401", res.status)
		}
	}
	if res := ts.post("/login", url.Values{"user": {"alice@example.org"}, "password": {alicePass}}); res.status != http.StatusTooManyRequests {
		t.Errorf("home's alice after two failures: status %d, want 429", res.status)
	}
	// work's alice is another user: not held back by home's failures
	if res := ts.post("/login", url.Values{"user": {"alice@example.net"}, "password": {workPass}}); res.status != http.StatusSeeOther {
		t.Errorf("work's alice: status %d, want 303", res.status)
	}
}

func TestServersConfigChecked(t *testing.T) {
	pop := &mailtools.POP{Server: mailtools.Server{Addr: "127.0.0.1:1"}}
	smtp := &mailtools.SMTP{Server: mailtools.Server{Addr: "127.0.0.1:2"}}
	ok := func() []MailServer {
		return []MailServer{
			{ID: "a", Label: "A", Domains: []string{"example.org"}, POP: pop, SMTP: smtp},
			{ID: "b", Label: "B", Domains: []string{AnyDomain}, POP: pop, SMTP: smtp},
		}
	}
	for _, tt := range []struct {
		name    string
		change  func([]MailServer)
		setting string
	}{
		{"good", func([]MailServer) {}, ""},
		{"duplicate id", func(s []MailServer) { s[1].ID = "a" }, "Servers[1].ID"},
		{"duplicate domain", func(s []MailServer) { s[1].Domains = []string{"example.net", "example.org"} }, "Servers[1].Domains"},
		{"two catch-alls", func(s []MailServer) { s[0].Domains = []string{AnyDomain} }, "Servers[1].Domains"},
		{"no pop", func(s []MailServer) { s[1].POP = nil }, "Servers[1].POP"},
		{"no label", func(s []MailServer) { s[0].Label = " " }, "Servers[0].Label"},
		{"bad id", func(s []MailServer) { s[0].ID = "a b" }, "Servers[0].ID"},
		{"upper-case domain", func(s []MailServer) { s[0].Domains = []string{"Example.org"} }, "Servers[0].Domains"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.change(s)
			c := Config{Servers: s, Sealer: &seal.Sealer{}}
			err := c.setDefaults()
			var ce *ConfigError
			switch {
			case tt.setting == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.setting != "" && (!errors.As(err, &ce) || ce.Setting != tt.setting):
				t.Errorf("got %v, want a ConfigError about %s", err, tt.setting)
			}
			if ce != nil {
				i, field, ok := ServerSetting(ce.Setting)
				if got := fmt.Sprintf("Servers[%d].%s", i, field); !ok || got != ce.Setting {
					t.Errorf("ServerSetting(%q): got %q, %v", ce.Setting, got, ok)
				}
			}
		})
	}
}

// Every page that talks to POP talks to the login's own server: the
// search and the compose form's address suggestions too, on a site whose
// Config has no POP of its own.
func TestEveryPageUsesTheLoginsServer(t *testing.T) {
	ts := newTwoServers(t)
	ts.addMail(aliceUser, "At home", "home")
	ts.work.Mailbox(aliceUser).Add([]byte("From: Bea Work <bea@example.net>\r\nSubject: At work\r\n\r\nwork\r\n"))
	for _, tt := range []struct{ user, pass, subject, other, suggest string }{
		{"alice@example.org", alicePass, "At home", "At work", ""},
		{"alice@example.net", workPass, "At work", "At home", "bea@example.net"},
	} {
		t.Run(tt.user, func(t *testing.T) {
			tok := ts.loginAs(tt.user, tt.pass, "")
			res := ts.get("/search?t=" + url.QueryEscape(tok) + "&q=at&in=subject")
			if res.status != http.StatusOK {
				t.Fatalf("search: status %d", res.status)
			}
			found := strings.Join(parseDoc(t, res.body).subjects(), "|")
			if !strings.Contains(found, tt.subject) || strings.Contains(found, tt.other) {
				t.Errorf("search of %s: found %q, want %q and not %q", tt.user, found, tt.subject, tt.other)
			}
			res = ts.get("/compose?t=" + url.QueryEscape(tok))
			if res.status != http.StatusOK {
				t.Fatalf("compose: status %d", res.status)
			}
			if tt.suggest != "" && !strings.Contains(string(res.body), tt.suggest) {
				t.Errorf("compose of %s: no suggestion of %q", tt.user, tt.suggest)
			}
			if strings.Contains(string(res.body), "bea@example.net") && tt.suggest == "" {
				t.Errorf("compose of %s suggests the other server's sender", tt.user)
			}
		})
	}
}
