package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "gomailcgi.conf")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A flag wins over the environment, the environment over the file.
func TestConfigFile(t *testing.T) {
	file := writeFile(t, "# settings\n\npop = file.example.org:995\nsmtp = file.example.org:587\n"+
		"page-size = 30\nsmtp-security = tls\n  from-domain   =  example.net  \n")
	c, err := parseConfig([]string{"-pop", "flag.example.org:995"},
		env(map[string]string{"GOMAILCGI_CONFIG": file, "GOMAILCGI_PAGE_SIZE": "40"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, got, want string }{
		{"pop (flag)", c.POP, "flag.example.org:995"},
		{"page-size (environment)", strconv.Itoa(c.PageSize), "40"},
		{"smtp (file)", c.SMTP, "file.example.org:587"},
		{"smtp-security (file)", c.SMTPSecurity, "tls"},
		{"from-domain (file, blanks trimmed)", c.FromDomain, "example.net"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestConfigFileRejects(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown name", "pop = a:1\ncolour = blue\n", ":2: unknown setting \"colour\""},
		{"bad value", "pop = a:1\nsmtp = b:2\npage-size = many\n", ":3: page-size = \"many\""},
		{"not name = value", "pop a:1\n", ":1: want name = value"},
		{"twice", "pop = a:1\npop = b:2\n", ":2: pop set again (first on line 1)"},
		{"config in config", "config = other.conf\n", ":1: unknown setting \"config\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, tt.text)
			_, err := parseConfig([]string{"-config", file}, env(nil), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), file+tt.want) {
				t.Errorf("got %v, want %q", err, file+tt.want)
			}
		})
	}
}

func TestCGIMode(t *testing.T) {
	keys := writeFile(t, "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=\n")
	cgi := map[string]string{"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "/cgi-bin/gomailcgi"}
	if _, err := parseConfig([]string{"-demo", "-demo-mail", "."}, env(cgi), &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "-demo cannot run under CGI") {
		t.Errorf("demo under CGI: got %v", err)
	}
	if _, err := parseConfig([]string{"-pop", "a:1", "-smtp", "b:2"}, env(cgi), &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "-key-file is required") {
		t.Errorf("CGI without a key file: got %v", err)
	}
	c, err := parseConfig([]string{"-pop", "a:1", "-smtp", "b:2", "-key-file", keys}, env(cgi), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.CGI || c.basePath() != "/cgi-bin/gomailcgi" {
		t.Errorf("CGI %v, base path %q; want true and the script's path", c.CGI, c.basePath())
	}
}
