package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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

// A bad line is named by file and line; its content is never quoted,
// since the file may be one that was never meant as settings (a key file,
// /etc/passwd) and the error goes to a log others may read.
func TestConfigFileRejects(t *testing.T) {
	tests := []struct{ name, text, want, secret string }{
		{"unknown name", "pop = a:1\ncolour = blue\n", ":2: unknown setting", "colour"},
		{"bad value", "pop = a:1\nsmtp = b:2\npage-size = many\n", ":3: page-size: not a valid value", "many"},
		{"bad proxy", "trusted-proxies = secret.example\n", ":1: trusted-proxies: not a valid value", "secret.example"},
		{"not name = value", "pop a:1\n", ":1: want name = value", "a:1"},
		{"twice", "pop = a:1\npop = b:2\n", ":2: pop set again (first on line 1)", "b:2"},
		{"config in config", "config = other.conf\n", ":1: unknown setting", "other.conf"},
		{"a passwd file", "root:x:0:0:root:/root:/bin/bash\n", ":1: want name = value", "root:x"},
		{"a key file", "ZGVwbG95LWtleS1vbmUtZGVwbG95LWtleS1vbmUtMDE=\n", ":1: unknown setting", "ZGVwbG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, tt.text)
			_, err := parseConfig([]string{"-config", file}, env(nil), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), file+tt.want) {
				t.Fatalf("got %v, want %q", err, file+tt.want)
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q quotes the file's %q", err, tt.secret)
			}
		})
	}
}

// Only a small regular file is read as settings: a device that never ends,
// a FIFO that waits for a writer, a folder or a big file is refused.
func TestConfigFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := writeFile(t, "pop = a:1\nsmtp = b:2\n"+strings.Repeat("# a comment line, many times over\n", 2000))
	tests := []struct{ path, want string }{
		{"/dev/zero", "/dev/zero: not a regular file"},
		{fifo, fifo + ": not a regular file"},
		{dir, dir + ": not a regular file"},
		{big, big + ": larger than 65536 bytes"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			_, err := parseConfig(nil, env(map[string]string{"GOMAILCGI_CONFIG": tt.path}), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// Apache's mod_cgi turns a query string without '=' into command-line
// arguments (GET /cgi-bin/gomailcgi/?-config+/etc/passwd). Under CGI the
// command line is ignored: settings come from the environment and the
// settings file only.
func TestCGIIgnoresArguments(t *testing.T) {
	keys := writeFile(t, "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=\n")
	conf := writeFile(t, "pop = a:1\nsmtp = b:2\nkey-file = "+keys+"\n")
	cgi := map[string]string{"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "/cgi-bin/gomailcgi", "GOMAILCGI_CONFIG": conf}
	for _, args := range [][]string{
		{"-config", "/etc/passwd"},
		{"-config", keys},
		{"-config", "/dev/zero"},
		{"-key-file", "/etc/passwd", "-pop", "evil.example:110"},
		{"-demo"},
		{"-h"},
		{"stray"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stderr bytes.Buffer
			c, err := parseConfig(args, env(cgi), &stderr)
			if err != nil {
				t.Fatalf("got %v, want the arguments ignored", err)
			}
			if c.ConfigFile != conf || c.KeyFile != keys || c.POP != "a:1" || c.Demo || stderr.Len() != 0 {
				t.Errorf("config %q, key file %q, pop %q, demo %v, stderr %q: want those of %s", c.ConfigFile, c.KeyFile, c.POP, c.Demo, stderr.String(), conf)
			}
		})
	}
}

func TestCGIMode(t *testing.T) {
	keys := writeFile(t, "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=\n")
	cgi := func(more ...string) func(string) string {
		m := map[string]string{"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "/cgi-bin/gomailcgi"}
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return env(m)
	}
	if _, err := parseConfig(nil, cgi("GOMAILCGI_DEMO", "1", "GOMAILCGI_DEMO_MAIL", "."), &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "-demo cannot run under CGI") {
		t.Errorf("demo under CGI: got %v", err)
	}
	if _, err := parseConfig(nil, cgi("GOMAILCGI_POP", "a:1", "GOMAILCGI_SMTP", "b:2"), &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "-key-file is required") {
		t.Errorf("CGI without a key file: got %v", err)
	}
	c, err := parseConfig(nil, cgi("GOMAILCGI_POP", "a:1", "GOMAILCGI_SMTP", "b:2", "GOMAILCGI_KEY_FILE", keys), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.CGI || c.basePath() != "/cgi-bin/gomailcgi" {
		t.Errorf("CGI %v, base path %q; want true and the script's path", c.CGI, c.basePath())
	}
}
