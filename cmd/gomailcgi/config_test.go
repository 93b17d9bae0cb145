package main

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/web"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(*Config) string
	}{
		{
			name: "defaults with demo",
			args: []string{"-demo", "-demo-mail", "."},
			check: func(c *Config) string {
				if c.Listen != "127.0.0.1:8080" || c.PageSize != 50 || c.IdleTimeout != 30*time.Minute || c.MaxSession != 12*time.Hour {
					return "wrong defaults"
				}
				return ""
			},
		},
		{
			name: "environment fills what flags leave",
			args: []string{"-pop", "pop.example.org:995"},
			env:  map[string]string{"GOMAILCGI_SMTP": "smtp.example.org:587", "GOMAILCGI_POP_SECURITY": "starttls", "GOMAILCGI_PAGE_SIZE": "20"},
			check: func(c *Config) string {
				if c.SMTP != "smtp.example.org:587" || c.POPSecurity != "starttls" || c.PageSize != 20 {
					return "environment not applied"
				}
				return ""
			},
		},
		{
			name: "a flag wins over the environment",
			args: []string{"-pop", "a.example.org:110", "-smtp", "b.example.org:25", "-pop-security", "insecure"},
			env:  map[string]string{"GOMAILCGI_POP": "env.example.org:995", "GOMAILCGI_POP_SECURITY": "tls"},
			check: func(c *Config) string {
				if c.POP != "a.example.org:110" || c.POPSecurity != "insecure" {
					return "environment overrode a flag"
				}
				return ""
			},
		},
		{
			name: "abuse limits",
			args: []string{"-demo", "-demo-mail", ".", "-max-uploads", "3", "-login-limit-user", "5/2m",
				"-login-limit-user-total", "300/20s",
				"-trusted-proxies", "10.0.0.0/8, 192.0.2.1", "-trusted-origins", "https://mail.example.org:8443, http://10.0.0.5:8080"},
			env: map[string]string{"GOMAILCGI_MAX_RECIPIENTS": "40", "GOMAILCGI_LOGIN_LIMIT_ADDR": "50/10s"},
			check: func(c *Config) string {
				if c.MaxUploads != 3 || c.MaxRecipients != 40 || c.UserLimit != (loginLimit{5, 2 * time.Minute}) ||
					c.UserTotalLimit != (loginLimit{300, 20 * time.Second}) ||
					c.AddrLimit != (loginLimit{50, 10 * time.Second}) || c.TrustedProxies.String() != "10.0.0.0/8,192.0.2.1/32" ||
					c.TrustedOrigins.String() != "https://mail.example.org:8443,http://10.0.0.5:8080" {
					return "limits not applied"
				}
				return ""
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, env(tt.env), &bytes.Buffer{})
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if msg := tt.check(c); msg != "" {
				t.Errorf("%s: %+v", msg, c)
			}
		})
	}
}

func TestParseConfigRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no servers", nil, nil, "-pop is required"},
		{"bad security", []string{"-pop", "a:1", "-smtp", "b:2", "-pop-security", "ssl"}, nil, "-pop-security"},
		{"bad env security", []string{"-pop", "a:1", "-smtp", "b:2"}, map[string]string{"GOMAILCGI_SMTP_SECURITY": "none"}, "-smtp-security"},
		{"bad env number", []string{"-demo"}, map[string]string{"GOMAILCGI_PAGE_SIZE": "many"}, "GOMAILCGI_PAGE_SIZE"},
		{"pop without port", []string{"-pop", "mail.example.org", "-smtp", "b:2"}, nil, "-pop"},
		{"page size", []string{"-demo", "-demo-mail", ".", "-page-size", "0"}, nil, "-page-size"},
		{"demo not on loopback", []string{"-demo", "-demo-mail", ".", "-demo-pop", "0.0.0.0:110"}, nil, "loopback"},
		{"demo mail missing", []string{"-demo", "-demo-mail", "/nonexistent"}, nil, "-demo-mail"},
		{"base path", []string{"-demo", "-demo-mail", ".", "-base-path", "mail/"}, nil, "-base-path"},
		{"base path //host", []string{"-demo", "-demo-mail", ".", "-base-path", "//host"}, nil, "-base-path \"//host\""},
		{"base path with ..", []string{"-demo", "-demo-mail", ".", "-base-path", "/a/../b"}, nil, "-base-path"},
		{"base path with a wildcard", []string{"-demo", "-demo-mail", ".", "-base-path", "/{x}"}, nil, "-base-path"},
		{"base path with an escape", []string{"-demo", "-demo-mail", ".", "-base-path", "/a%zz"}, nil, "-base-path"},
		{"SCRIPT_NAME //host", nil, map[string]string{"GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "//host",
			"GOMAILCGI_POP": "a:1", "GOMAILCGI_SMTP": "b:2", "GOMAILCGI_KEY_FILE": "/k"}, "SCRIPT_NAME \"//host\""},
		{"unknown flag", []string{"-colour"}, nil, "-colour"},
		{"login limit", []string{"-demo", "-demo-mail", ".", "-login-limit-addr", "many"}, nil, "N/DURATION"},
		{"trusted proxy", []string{"-demo", "-demo-mail", ".", "-trusted-proxies", "proxy.example"}, nil, "not an address"},
		{"trusted origin", []string{"-demo", "-demo-mail", ".", "-trusted-origins", "mail.example.org:8443"}, nil, "want scheme://host"},
		{"max uploads", []string{"-demo", "-demo-mail", ".", "-max-uploads", "0"}, nil, "-max-uploads"},
		{"time zone", []string{"-demo", "-demo-mail", ".", "-time-zone", "Mars/Olympus"}, nil, "-time-zone"},
		{"language", []string{"-demo", "-demo-mail", ".", "-language", "tlh"}, nil, `-language "tlh": want one of en, de, ar, ja`},
		{"pseudo-locale as the default", []string{"-demo", "-demo-mail", ".", "-language", "en-XA"}, nil, "-language"},
		{"stray argument", []string{"-demo", "-demo-mail", ".", "extra"}, nil, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			_, err := parseConfig(tt.args, env(tt.env), &stderr)
			if err == nil {
				t.Fatal("got no error")
			}
			if msg := err.Error() + stderr.String(); !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not mention %q", msg, tt.want)
			}
		})
	}
}

func TestBadFlagExitsWithStatus2(t *testing.T) {
	if os.Getenv("GOMAILCGI_TEST_RUN_MAIN") == "1" {
		os.Args = []string{"gomailcgi", "-pop-security", "bogus", "-pop", "a:1", "-smtp", "b:2"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBadFlagExitsWithStatus2$")
	cmd.Env = append(os.Environ(), "GOMAILCGI_TEST_RUN_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("got %v, want exit status 2", err)
	}
	if lines := strings.Count(strings.TrimSpace(stderr.String()), "\n") + 1; lines != 1 {
		t.Errorf("want a one-line error, got %d lines:\n%s", lines, stderr.String())
	}
}

// TestWebSettingErrorsNameTheFlag: web checks its settings, and the
// one-line error names the flag (or SCRIPT_NAME under CGI) that set it.
func TestWebSettingErrorsNameTheFlag(t *testing.T) {
	demo := []string{"-demo", "-demo-mail", "."}
	cgi := map[string]string{"GATEWAY_INTERFACE": "CGI/1.1", "GOMAILCGI_POP": "a:1", "GOMAILCGI_SMTP": "b:2", "GOMAILCGI_KEY_FILE": "/k"}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"page size", []string{"-page-size", "0"}, nil, "-page-size 0: want 1 to 500"},
		{"page size from the environment", nil, map[string]string{"GOMAILCGI_PAGE_SIZE": "501"}, "-page-size 501: want 1 to 500"},
		{"base path", []string{"-base-path", "//host"}, nil, `-base-path "//host": want a path like /mail, without a trailing slash`},
		{"SCRIPT_NAME", nil, map[string]string{"SCRIPT_NAME": "//host"}, `SCRIPT_NAME "//host": want a path like /mail, without a trailing slash`},
		{"base path under CGI", nil, map[string]string{"SCRIPT_NAME": "/cgi-bin/m", "GOMAILCGI_BASE_PATH": "mail/"}, `-base-path "mail/": want a path like /mail, without a trailing slash`},
		{"uploads", []string{"-max-uploads", "0"}, nil, "-max-uploads 0: want at least 1"},
		{"recipients", []string{"-max-recipients", "-1"}, nil, "-max-recipients -1: want at least 1"},
		{"connections", []string{"-max-connections", "0"}, nil, "-max-connections 0: want at least 1"},
		{"login limit", []string{"-login-limit-user-total", "0/10s"}, nil,
			"-login-limit-user-total 0/10s: want N/DURATION, N at least 1 and DURATION above 0, e.g. 20/30s"},
		{"trusted origin", []string{"-trusted-origins", "https://ok.example, mail.example.org:8443"}, nil,
			`-trusted-origins "mail.example.org:8443": want scheme://host[:port], e.g. https://mail.example.org:8443`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args, e := append(append([]string{}, demo...), tt.args...), map[string]string{}
			if _, ok := tt.env["SCRIPT_NAME"]; ok {
				args = nil
				maps.Copy(e, cgi)
			}
			maps.Copy(e, tt.env)
			_, err := parseConfig(args, env(e), &bytes.Buffer{})
			if err == nil {
				t.Fatal("got no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWebFlagsNameRealFlags holds the table of web settings to flags that
// exist, each set from a field of web.Config that exists.
func TestWebFlagsNameRealFlags(t *testing.T) {
	c := &Config{}
	fs := c.flagSet(&bytes.Buffer{})
	fields := reflect.TypeOf(web.Config{})
	for setting, flagName := range webFlags {
		if _, ok := fields.FieldByName(setting); !ok {
			t.Errorf("web.Config has no field %s", setting)
		}
		if fs.Lookup(strings.TrimPrefix(flagName, "-")) == nil {
			t.Errorf("%s: no flag %s", setting, flagName)
		}
	}
}
