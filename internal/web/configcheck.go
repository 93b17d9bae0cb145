package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"gomailcgi/internal/locale"
)

// ConfigError is a setting of Config that cannot work. Setting is the
// field's name, so that a command can name its own flag for it.
type ConfigError struct {
	Setting string // the Config field, e.g. "PageSize"
	Value   string // the value as given, quoted when a string
	Want    string // what would work, e.g. "want 1 to 500"
}

func (e *ConfigError) Error() string {
	return "web: " + e.Setting + " " + e.Value + ": " + e.Want
}

// Check reports the first setting that cannot work as a *ConfigError. It
// takes the settings as they are: New fills zero ones with their defaults
// before it checks, a command checks the values its flags were given.
// POP, SMTP and Sealer are not settings; New requires them. Servers are
// checked when given.
func (c *Config) Check() error {
	if c.PageSize < 1 || c.PageSize > MaxPageSize {
		return &ConfigError{"PageSize", strconv.Itoa(c.PageSize), fmt.Sprintf("want 1 to %d", MaxPageSize)}
	}
	if !validBasePath(c.BasePath) {
		return &ConfigError{"BasePath", strconv.Quote(c.BasePath), "want a path like /mail, without a trailing slash"}
	}
	if c.MaxUpload < 1 {
		return &ConfigError{"MaxUpload", strconv.FormatInt(c.MaxUpload, 10), "want at least 1"}
	}
	for _, n := range []struct {
		setting string
		value   int
	}{{"MaxUploads", c.MaxUploads}, {"MaxUserUploads", c.MaxUserUploads}, {"MaxRecipients", c.MaxRecipients}} {
		if n.value < 1 {
			return &ConfigError{n.setting, strconv.Itoa(n.value), "want at least 1"}
		}
	}
	for _, l := range []struct {
		setting string
		limit   LoginLimit
	}{{"AddrLimit", c.AddrLimit}, {"UserLimit", c.UserLimit}, {"UserTotalLimit", c.UserTotalLimit}} {
		if l.limit.Burst < 1 || l.limit.Every <= 0 {
			return &ConfigError{l.setting, strconv.Itoa(l.limit.Burst) + "/" + l.limit.Every.String(),
				"want N/DURATION, N at least 1 and DURATION above 0, e.g. 20/30s"}
		}
	}
	if c.Language != "" {
		langs, err := locale.New("")
		if err != nil {
			return err
		}
		if l, ok := langs.Lookup(c.Language); !ok || l.Code == locale.Pseudo {
			var codes []string
			for _, l := range langs.Offered() {
				codes = append(codes, l.Code)
			}
			return &ConfigError{"Language", strconv.Quote(c.Language), "want one of " + strings.Join(codes, ", ")}
		}
	}
	for _, o := range c.TrustedOrigins {
		if err := http.NewCrossOriginProtection().AddTrustedOrigin(o); err != nil {
			return &ConfigError{"TrustedOrigins", strconv.Quote(o), "want scheme://host[:port], e.g. https://mail.example.org:8443"}
		}
	}
	return checkServers(c.Servers)
}

// validBasePath reports whether p can prefix every route: empty, or
// /seg/seg..., each segment neither empty nor . or .., of characters a URL
// path holds unescaped (not %, nor the braces of a route's wildcards).
func validBasePath(p string) bool {
	if p == "" {
		return true
	}
	if !strings.HasPrefix(p, "/") {
		return false
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
		for _, r := range seg {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~!$&'()*+,;=:@", r)) {
				return false
			}
		}
	}
	return true
}
