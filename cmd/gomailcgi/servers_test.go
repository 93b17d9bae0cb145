package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/web"
)

const twoServers = `key-file = /etc/gomailcgi/keys

[server home]
label = Home mail
domains = example.org Example.NET
pop = mail.example.org:995
pop-security = tls
smtp = mail.example.org:587
smtp-security = starttls
login = local          # or: address (the default)

[server work]
label = Work
domains = *
pop = pop.work.example:110
pop-security = starttls
smtp = smtp.work.example:465
smtp-security = tls
from-domain = work.example
`

func TestServerSections(t *testing.T) {
	file := writeFile(t, twoServers)
	c, err := parseConfig([]string{"-config", file}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.KeyFile != "/etc/gomailcgi/keys" {
		t.Errorf("key-file before the sections: got %q", c.KeyFile)
	}
	ws := c.webConfig().Servers
	if len(ws) != 2 {
		t.Fatalf("got %d servers, want 2", len(ws))
	}
	home, work := ws[0], ws[1]
	for _, tt := range []struct{ name, got, want string }{
		{"home id", home.ID, "home"},
		{"home label", home.Label, "Home mail"},
		{"home domains (lower case)", strings.Join(home.Domains, " "), "example.org example.net"},
		{"home pop", home.POP.Server.Addr, "mail.example.org:995"},
		{"home smtp", home.SMTP.Server.Addr, "mail.example.org:587"},
		{"work domains", strings.Join(work.Domains, " "), "*"},
		{"work from-domain", work.FromDomain, "work.example"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if !home.LocalLogin || work.LocalLogin {
		t.Errorf("login: got home %v, work %v; want local for home only (the comment after it ignored)", home.LocalLogin, work.LocalLogin)
	}
	if home.POP.Server.Security != mailtools.SecurityTLS || home.SMTP.Server.Security != mailtools.SecuritySTARTTLS ||
		work.POP.Server.Security != mailtools.SecuritySTARTTLS || work.SMTP.Server.Security != mailtools.SecurityTLS {
		t.Errorf("security: got %v %v %v %v", home.POP.Server.Security, home.SMTP.Server.Security, work.POP.Server.Security, work.SMTP.Server.Security)
	}
}

// The flags of today stay the one server of a site without sections.
func TestFlagsAreOneServer(t *testing.T) {
	c, err := parseConfig([]string{"-pop", "mail.example.org:995", "-smtp", "mail.example.org:587"}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Servers != nil || c.webConfig().Servers != nil {
		t.Errorf("got server sections from flags alone")
	}
}

// A mistake in the sections stops the start, named by file and line and
// never quoting the file.
func TestServerSectionsRejected(t *testing.T) {
	section := func(id, domains string) string {
		return "[server " + id + "]\nlabel = L " + id + "\ndomains = " + domains + "\npop = p.example:995\nsmtp = s.example:587\n"
	}
	for _, tt := range []struct {
		name, text, want string
		args             []string
	}{
		{"duplicate id", section("home", "a.example") + section("home", "b.example"), ":6: server ID: want an ID of its own", nil},
		{"one domain twice", section("home", "a.example b.example") + section("work", "c.example B.example"), ":8: domains: want each domain served by one server", nil},
		{"two catch-alls", section("home", "*") + section("work", "*"), ":8: domains: want each domain served by one server", nil},
		{"missing pop", "[server home]\nlabel = Home\ndomains = *\nsmtp = s.example:587\n", ":1: this server section needs pop = host:port", nil},
		{"missing smtp", "[server home]\nlabel = Home\ndomains = *\npop = s.example:995\n", ":1: this server section needs smtp = host:port", nil},
		{"missing domains", "[server home]\nlabel = Home\npop = p.example:995\nsmtp = s.example:587\n", ":1: this server section needs domains", nil},
		{"bad address", "[server home]\ndomains = *\npop = secret.example\nsmtp = s.example:587\n", ":3: pop: want host:port", nil},
		{"unknown key", section("home", "*") + "page-size = 20\n", ":6: unknown setting of a server", nil},
		{"key twice", section("home", "*") + "pop = q.example:995\n", ":6: pop set again (first on line 4)", nil},
		{"bad security", section("home", "*") + "pop-security = secretly\n", ":6: pop-security: want tls, starttls or insecure", nil},
		{"bad login", section("home", "*") + "login = secretly\n", ":6: login: want local", nil},
		{"no label of two", section("home", "a.example") + "[server work]\ndomains = *\npop = p:1\nsmtp = s:2\n", ":6: label: want a name", nil},
		{"bad header", "[servers home]\n", ":1: want a section as [server ID]", nil},
		{"bad id", "[server ho/me]\nlabel = x\ndomains = *\npop = p:1\nsmtp = s:2\n", ":1: server ID: want letters", nil},
		{"with -pop", section("home", "*"), ":1: -pop and -smtp name the one server", []string{"-pop", "x.example:995"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, tt.text)
			_, err := parseConfig(append([]string{"-config", file}, tt.args...), env(nil), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), file+tt.want) {
				t.Fatalf("got %v, want %q", err, file+tt.want)
			}
			for _, secret := range []string{"secret", "B.example", "ho/me", "home"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes the file's %q", err, secret)
				}
			}
		})
	}
}

// A section's CA file is read at start, else the site's -ca-file; one
// that cannot be read is named by the line that names it, or the section's.
func TestServerCAFile(t *testing.T) {
	for _, tt := range []struct{ text, want string }{
		{"ca-file = /nonexistent/site-ca.pem\n[server work]\ndomains = *\npop = p:1\nsmtp = s:2\nca-file = /nonexistent/work-ca.pem\n", ".conf:6: "},
		{"ca-file = /nonexistent/site-ca.pem\n[server work]\ndomains = *\npop = p:1\nsmtp = s:2\n", ".conf:2: "},
	} {
		c, err := parseConfig([]string{"-config", writeFile(t, tt.text)}, env(nil), &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.serverTLS(c.webConfig().Servers)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("got %v, want %q", err, tt.want)
		}
	}
}

// The two-server example of docs/DEPLOY.md is a file the program takes.
func TestDeployDocServersExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/DEPLOY.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "## Several mail servers and domains on one site")
	_, block, ok2 := strings.Cut(after, "```ini\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/DEPLOY.md has no ini example under its section on several mail servers")
	}
	c, err := parseConfig([]string{"-config", writeFile(t, block)}, env(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatalf("the example: %v", err)
	}
	ws := c.webConfig().Servers
	if len(ws) != 2 || ws[0].ID != "home" || !ws[0].LocalLogin || ws[1].Domains[0] != web.AnyDomain ||
		c.CAFile != "/etc/gomailcgi/private-ca.pem" || ws[1].FromDomain != "work.example" {
		t.Errorf("the example reads as %+v (ca-file %q)", ws, c.CAFile)
	}
	if ca := c.Servers[1].values["ca-file"]; ca != "" {
		t.Errorf("work's ca-file: got %q, want it empty (its comment dropped)", ca)
	}
}
