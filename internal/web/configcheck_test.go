package web

import (
	"errors"
	"testing"
	"time"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// TestNewNamesTheBadSetting holds New's error to a *ConfigError naming the
// field, so that a command can name its own flag for it.
func TestNewNamesTheBadSetting(t *testing.T) {
	keys, err := seal.RandomKeys()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"page size", func(c *Config) { c.PageSize = 501 }, "web: PageSize 501: want 1 to 500"},
		{"negative page size", func(c *Config) { c.PageSize = -1 }, "web: PageSize -1: want 1 to 500"},
		{"base path", func(c *Config) { c.BasePath = "//host" }, `web: BasePath "//host": want a path like /mail, without a trailing slash`},
		{"upload", func(c *Config) { c.MaxUpload = -1 }, "web: MaxUpload -1: want at least 1"},
		{"uploads", func(c *Config) { c.MaxUploads = -1 }, "web: MaxUploads -1: want at least 1"},
		{"user uploads", func(c *Config) { c.MaxUserUploads = -2 }, "web: MaxUserUploads -2: want at least 1"},
		{"recipients", func(c *Config) { c.MaxRecipients = -1 }, "web: MaxRecipients -1: want at least 1"},
		{"login limit without a burst", func(c *Config) { c.AddrLimit = LoginLimit{Every: time.Second} },
			"web: AddrLimit 0/1s: want N/DURATION, N at least 1 and DURATION above 0, e.g. 20/30s"},
		{"login limit without a duration", func(c *Config) { c.UserTotalLimit = LoginLimit{Burst: 3} },
			"web: UserTotalLimit 3/0s: want N/DURATION, N at least 1 and DURATION above 0, e.g. 20/30s"},
		{"trusted origin", func(c *Config) { c.TrustedOrigins = []string{"https://ok.example", "mail.example.org:8443"} },
			`web: TrustedOrigins "mail.example.org:8443": want scheme://host[:port], e.g. https://mail.example.org:8443`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{
				POP:    &mailtools.POP{Server: mailtools.Server{Addr: "127.0.0.1:110"}},
				SMTP:   &mailtools.SMTP{Server: mailtools.Server{Addr: "127.0.0.1:25"}},
				Sealer: &seal.Sealer{Keys: keys},
			}
			tt.change(&cfg)
			_, err := New(cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCheckTakesSettingsAsGiven: a zero setting is New's to fill, so
// Check alone refuses it; a command's flag of 0 is not "the default".
func TestCheckTakesSettingsAsGiven(t *testing.T) {
	cfg := Config{PageSize: 0, MaxUpload: DefaultMaxUpload, MaxUploads: 1, MaxUserUploads: 1, MaxRecipients: 1,
		AddrLimit: DefaultAddrLimit, UserLimit: DefaultUserLimit, UserTotalLimit: DefaultUserTotalLimit}
	var ce *ConfigError
	if err := cfg.Check(); !errors.As(err, &ce) || ce.Setting != "PageSize" {
		t.Fatalf("page size 0: got %v, want a *ConfigError for PageSize", err)
	}
	cfg.PageSize = DefaultPageSize
	if err := cfg.Check(); err != nil {
		t.Errorf("good settings: %v", err)
	}
}
