package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

func TestNewRejectsBadConfig(t *testing.T) {
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	good := func() Config {
		return Config{
			POP:    &mailtools.POP{Server: mailtools.Server{Addr: "127.0.0.1:110", Security: mailtools.SecurityInsecure}},
			SMTP:   &mailtools.SMTP{Server: mailtools.Server{Addr: "127.0.0.1:25", Security: mailtools.SecurityInsecure}},
			Sealer: &seal.Sealer{Keys: keys},
		}
	}
	tests := []struct {
		name   string
		change func(*Config)
	}{
		{"no POP", func(c *Config) { c.POP = nil }},
		{"no SMTP", func(c *Config) { c.SMTP = nil }},
		{"no Sealer", func(c *Config) { c.Sealer = nil }},
		{"base path without slash", func(c *Config) { c.BasePath = "mail" }},
		{"base path with trailing slash", func(c *Config) { c.BasePath = "/mail/" }},
		{"base path //host", func(c *Config) { c.BasePath = "//host" }},
		{"base path with ..", func(c *Config) { c.BasePath = "/a/../b" }},
		{"base path with a wildcard", func(c *Config) { c.BasePath = "/{x}" }},
		{"base path with an escape", func(c *Config) { c.BasePath = "/a%zz" }},
		{"page size too large", func(c *Config) { c.PageSize = 10000 }},
		{"negative page size", func(c *Config) { c.PageSize = -1 }},
		{"negative upload", func(c *Config) { c.MaxUpload = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.change(&cfg)
			if _, err := New(cfg); err == nil {
				t.Error("New accepted it")
			}
		})
	}
	if _, err := New(good()); err != nil {
		t.Errorf("New(good config): %v", err)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{
		POP:    &mailtools.POP{Server: mailtools.Server{Addr: "mail.example.org:995"}},
		SMTP:   &mailtools.SMTP{},
		Sealer: &seal.Sealer{},
	}
	if err := cfg.setDefaults(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Servers) != 1 {
		t.Fatalf("defaults: got %d servers, want the one of POP and SMTP", len(cfg.Servers))
	}
	ms := cfg.Servers[0]
	if ms.FromDomain != "mail.example.org" || cfg.PageSize != 50 || ms.ID != "pop=mail.example.org:995" || cfg.MaxUpload != 25<<20 {
		t.Errorf("defaults: got FromDomain %q PageSize %d ServerID %q MaxUpload %d", ms.FromDomain, cfg.PageSize, ms.ID, cfg.MaxUpload)
	}
	for _, tt := range []struct{ user, want string }{
		{"ann", "ann@mail.example.org"},
		{"ann@example.net", "ann@example.net"},
	} {
		if got := fromAddress(tt.user, ms.FromDomain); got != tt.want {
			t.Errorf("fromAddress(%q): got %q, want %q", tt.user, got, tt.want)
		}
	}
}

func TestBasePath(t *testing.T) {
	h := newHarness(t, webOption(func(c *Config) { c.BasePath = "/mail" }))
	res := h.post("/mail/login", url.Values{"user": {aliceUser}, "password": {alicePass}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login: status %d", res.status)
	}
	loc := res.header.Get("Location")
	if !strings.HasPrefix(loc, "/mail/list?") {
		t.Fatalf("login redirect: got %q, want /mail/list?…", loc)
	}
	list := parseDoc(t, h.get(loc).body)
	if len(list.subjects()) == 0 {
		t.Fatal("no list under the base path")
	}
	for _, n := range list.all(func(*html.Node) bool { return true }) {
		for _, a := range n.Attr {
			if (a.Key == "href" || a.Key == "action" || a.Key == "src") && !strings.HasPrefix(a.Val, "/mail/") {
				t.Errorf("<%s %s=%q> is outside the base path", n.Data, a.Key, a.Val)
			}
		}
	}
	view := parseDoc(t, h.get(list.viewLink("Welcome to gomailcgi")).body)
	if got := headerValues(view)["Subject"]; got != "Welcome to gomailcgi" {
		t.Errorf("view under the base path: subject %q", got)
	}
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/mail", http.StatusMovedPermanently},
		{"/mail/", http.StatusOK},
		{"/mail/static/style.css", http.StatusOK},
		{"/mail/static/", http.StatusNotFound},
		{"/list?t=x", http.StatusNotFound},
	} {
		if got := h.get(tt.path).status; got != tt.status {
			t.Errorf("GET %s: status %d, want %d", tt.path, got, tt.status)
		}
	}
}
