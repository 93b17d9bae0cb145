package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
	"gomailcgi/internal/smallfile"
	"gomailcgi/internal/web"
)

// Config is everything the command line and environment decide.
type Config struct {
	Listen       string
	POP          string
	POPSecurity  string
	SMTP         string
	SMTPSecurity string
	CAFile       string
	KeyFile      string
	FromDomain   string
	BasePath     string
	PageSize     int
	IdleTimeout  time.Duration
	MaxSession   time.Duration

	MaxUploads     int
	MaxConns       int
	KeepCopy       bool
	TimeZone       string
	Language       string
	MaxRecipients  int
	AddrLimit      loginLimit
	UserLimit      loginLimit
	UserTotalLimit loginLimit
	TrustedProxies prefixList
	TrustedOrigins originList
	Servers        []serverSection // the settings file's [server ID] sections

	ConfigFile string
	CGI        bool   // run as a CGI program: GATEWAY_INTERFACE is set
	ScriptName string // the CGI program's own URL path (SCRIPT_NAME)
	TLSCert    string
	TLSKey     string
	FastCGI    string

	Explain  bool // the explain panel; -demo has it on too
	Demo     bool
	DemoMail string
	DemoPOP  string
	DemoSMTP string
}

// envPrefix names the environment fallback of each flag: -pop-security
// is read from GOMAILCGI_POP_SECURITY when not given on the command line.
const envPrefix = "GOMAILCGI_"

// envName returns the environment variable behind a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// maxConfigFileSize bounds the settings file: a few lines, never megabytes.
const maxConfigFileSize = 64 << 10

// parseConfig reads flags, then the environment for flags not given, then
// the settings file. Under CGI (GATEWAY_INTERFACE set) the command line is
// not ours: a web server may make arguments of the query string (Apache
// does for one without '='), so args are ignored there.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	if getenv("GATEWAY_INTERFACE") != "" {
		args = nil
	}
	c := &Config{}
	fs := c.flagSet(stderr)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("%s=%q: %v", envName(f.Name), v, err)
			}
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	if err := c.applyFile(fs, given, getenv); err != nil {
		return nil, err
	}
	c.CGI, c.ScriptName = getenv("GATEWAY_INTERFACE") != "", getenv("SCRIPT_NAME")
	return c, c.Validate()
}

// flagSet is every flag, each bound to its field of c and set to its
// default. The package doc lists them all; TestEveryFlagIsDocumented
// holds it to that.
func (c *Config) flagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("gomailcgi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.ConfigFile, "config", "", "settings `file`: one name = value per line, named as the flags; flags and the environment win")
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:8080", "HTTP listen `address`")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM, chain included); reloaded when it changes")
	fs.StringVar(&c.TLSKey, "tls-key", "", "the private key `file` of -tls-cert")
	fs.StringVar(&c.FastCGI, "fcgi", "", "serve FastCGI instead of HTTP on this `address`: host:port, or unix:/path/to.sock")
	fs.StringVar(&c.POP, "pop", "", "POP3 server `host:port`")
	fs.StringVar(&c.POPSecurity, "pop-security", "tls", "POP3 connection security: tls, starttls or insecure")
	fs.StringVar(&c.SMTP, "smtp", "", "SMTP submission server `host:port`")
	fs.StringVar(&c.SMTPSecurity, "smtp-security", "starttls", "SMTP connection security: tls, starttls or insecure")
	fs.StringVar(&c.CAFile, "ca-file", "", "PEM `file` of extra CA certificates to trust (a private mail server's CA)")
	fs.StringVar(&c.KeyFile, "key-file", "", "`file` of state keys, one base64 32-byte key per line; the first seals, all open")
	fs.StringVar(&c.FromDomain, "from-domain", "", "`domain` for the From address of users who log in without one (default: the POP host)")
	fs.StringVar(&c.BasePath, "base-path", "", "URL `prefix` the pages live under, e.g. /mail")
	fs.IntVar(&c.PageSize, "page-size", web.DefaultPageSize, "messages per list page")
	fs.DurationVar(&c.IdleTimeout, "idle-timeout", seal.DefaultIdle, "log out after this long without a page")
	fs.DurationVar(&c.MaxSession, "max-session", seal.DefaultAbsolute, "log out this long after login, whatever happens")
	fs.StringVar(&c.Language, "language", "", "`code` of the language pages are in when the browser names none offered, e.g. de or ja (English)")
	fs.StringVar(&c.TimeZone, "time-zone", "Local", "`zone` every page shows dates in, e.g. Europe/Berlin or UTC; Local is the server's")
	fs.BoolVar(&c.KeepCopy, "keep-copy", true, "tick \"Keep a copy in my inbox\" on new messages")
	fs.IntVar(&c.MaxConns, "max-connections", 256, "HTTP connections served at the same time; more wait")
	fs.IntVar(&c.MaxUploads, "max-uploads", web.DefaultMaxUploads, "message forms read at the same time; more are answered 503")
	fs.IntVar(&c.MaxRecipients, "max-recipients", web.DefaultMaxRecipients, "recipients of one message, To, Cc and Bcc together")
	c.AddrLimit, c.UserLimit = loginLimit(web.DefaultAddrLimit), loginLimit(web.DefaultUserLimit)
	c.UserTotalLimit = loginLimit(web.DefaultUserTotalLimit)
	fs.Var(&c.AddrLimit, "login-limit-addr", "failed logins per client network (IPv4 address, IPv6 /64): `N/DURATION`, N at once, then one per DURATION")
	fs.Var(&c.UserLimit, "login-limit-user", "failed logins per user name from one client network: `N/DURATION`")
	fs.Var(&c.UserTotalLimit, "login-limit-user-total", "failed logins per user name from all networks: `N/DURATION`; past it, networks that failed for the user wait")
	fs.Var(&c.TrustedProxies, "trusted-proxies", "`CIDR`s, comma-separated, of reverse proxies whose X-Forwarded-For names the client")
	fs.Var(&c.TrustedOrigins, "trusted-origins", "`origin`s, comma-separated (https://host:port), whose forms are the site's own: its public address when a proxy does not pass the browser's Host")
	fs.BoolVar(&c.Explain, "explain", false, "show \"How this page was made\" at the foot of every page: the request, its token decoded, the mail conversation (on with -demo)")
	fs.BoolVar(&c.Demo, "demo", false, "start the embedded demo mail servers and use them")
	fs.StringVar(&c.DemoMail, "demo-mail", "testdata", "`dir`ectory whose *.eml seed the demo mailbox")
	fs.StringVar(&c.DemoPOP, "demo-pop", "127.0.0.1:8110", "demo POP3 listen `address`")
	fs.StringVar(&c.DemoSMTP, "demo-smtp", "127.0.0.1:8025", "demo SMTP listen `address`")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gomailcgi [flags]\n\nEvery flag can also be set as %sNAME (e.g. -pop-security as %s).\n\n", envPrefix, envName("pop-security"))
		fs.PrintDefaults()
	}
	return fs
}

// basePath is the URL prefix of every page: -base-path, or under CGI the
// program's own path, so that /cgi-bin/gomailcgi/list is the list.
func (c *Config) basePath() string {
	if c.BasePath == "" && c.CGI {
		return strings.TrimSuffix(c.ScriptName, "/")
	}
	return c.BasePath
}

// applyFile reads the settings file (-config, else GOMAILCGI_CONFIG) into
// the flags that neither the command line nor the environment set. An error
// names the file and line, never the line's content: the path may name a
// file that holds secrets, and the error goes to a log.
func (c *Config) applyFile(fs *flag.FlagSet, given map[string]bool, getenv func(string) string) error {
	if c.ConfigFile == "" {
		return nil
	}
	data, err := smallfile.Read(c.ConfigFile, maxConfigFileSize)
	if err != nil {
		return fmt.Errorf("-config: %v", err)
	}
	defer clear(data)
	seen := map[string]int{}
	var section *serverSection
	for i, line := range strings.Split(string(data), "\n") {
		where := fmt.Sprintf("%s:%d", c.ConfigFile, i+1)
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// After the first [server ID] line every line belongs to a server.
		if id, ok, err := sectionStart(line); err != nil {
			return fmt.Errorf("%s: %v", where, err)
		} else if ok {
			c.Servers = append(c.Servers, serverSection{file: c.ConfigFile, line: i + 1, id: id,
				values: map[string]string{}, lines: map[string]int{}})
			section = &c.Servers[len(c.Servers)-1]
			continue
		}
		if section != nil {
			if err := section.set(line, i+1); err != nil {
				return fmt.Errorf("%s: %v", where, err)
			}
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		f := fs.Lookup(name)
		switch {
		case !ok:
			return fmt.Errorf("%s: want name = value", where)
		case f == nil || name == "config":
			return fmt.Errorf("%s: unknown setting (gomailcgi -h lists them)", where)
		case seen[name] != 0:
			return fmt.Errorf("%s: %s set again (first on line %d)", where, name, seen[name])
		}
		seen[name] = i + 1
		if given[name] || getenv(envName(name)) != "" {
			continue
		}
		if err := f.Value.Set(value); err != nil {
			return fmt.Errorf("%s: %s: not a valid value (gomailcgi -h says what it takes)", where, name)
		}
	}
	return nil
}

// webFlags names the flag behind each setting of web.Config that a flag
// sets, so that web's *web.ConfigError names the flag.
var webFlags = map[string]string{
	"PageSize":       "-page-size",
	"BasePath":       "-base-path",
	"MaxUploads":     "-max-uploads",
	"MaxRecipients":  "-max-recipients",
	"AddrLimit":      "-login-limit-addr",
	"UserLimit":      "-login-limit-user",
	"UserTotalLimit": "-login-limit-user-total",
	"TrustedOrigins": "-trusted-origins",
	"Language":       "-language",
}

// webConfig is the settings of web.Config the flags decide; run adds the
// mail servers, the sealer, the From domain and the logger.
func (c *Config) webConfig() web.Config {
	return web.Config{
		PageSize:       c.PageSize,
		BasePath:       c.basePath(),
		MaxUpload:      web.DefaultMaxUpload,
		MaxUploads:     c.MaxUploads,
		MaxUserUploads: web.DefaultMaxUserUploads,
		MaxRecipients:  c.MaxRecipients,
		Servers:        c.webServers(),
		AddrLimit:      web.LoginLimit(c.AddrLimit),
		UserLimit:      web.LoginLimit(c.UserLimit),
		UserTotalLimit: web.LoginLimit(c.UserTotalLimit),
		KeepCopy:       c.KeepCopy,
		Explain:        c.Explain || c.Demo,
		Location:       c.location(),
		Language:       c.Language,
		TrustedProxies: c.TrustedProxies,
		TrustedOrigins: c.TrustedOrigins,
	}
}

// Validate checks the values that parsing alone cannot: the flags web
// does not know here, the rest by web's own Config.Check, its error
// naming the flag.
func (c *Config) Validate() error {
	switch {
	case c.CGI && c.Demo:
		return errors.New("-demo cannot run under CGI: each request is a new process, so the demo mail servers would not outlive it. Run gomailcgi -demo on its own")
	case c.CGI && c.KeyFile == "":
		return errors.New("under CGI -key-file is required: each request is a new process, and a key made at start would not open the next page's token")
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("-tls-cert and -tls-key go together")
	case c.FastCGI != "" && c.TLSCert != "":
		return errors.New("-fcgi and -tls-cert do not go together: the web server in front speaks TLS")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("-listen %q: want host:port", c.Listen)
	}
	if c.Demo {
		for name, addr := range map[string]string{"-demo-pop": c.DemoPOP, "-demo-smtp": c.DemoSMTP} {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return fmt.Errorf("%s %q: want host:port", name, addr)
			}
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return fmt.Errorf("%s %q: the demo servers listen on loopback only", name, addr)
			}
		}
		if st, err := os.Stat(c.DemoMail); err != nil || !st.IsDir() {
			return fmt.Errorf("-demo-mail %q: not a directory", c.DemoMail)
		}
	} else if len(c.Servers) == 0 {
		if c.POP == "" {
			return errors.New("-pop is required (or -demo for the built-in demo servers)")
		}
		if c.SMTP == "" {
			return errors.New("-smtp is required (or -demo for the built-in demo servers)")
		}
		for name, addr := range map[string]string{"-pop": c.POP, "-smtp": c.SMTP} {
			if host, port, err := net.SplitHostPort(addr); err != nil || host == "" || port == "" {
				return fmt.Errorf("%s %q: want host:port", name, addr)
			}
		}
	}
	if _, err := mailtools.ParseSecurity(c.POPSecurity); err != nil {
		return fmt.Errorf("-pop-security: %v", err)
	}
	if _, err := mailtools.ParseSecurity(c.SMTPSecurity); err != nil {
		return fmt.Errorf("-smtp-security: %v", err)
	}
	if c.IdleTimeout < time.Minute || c.MaxSession < c.IdleTimeout {
		return fmt.Errorf("-idle-timeout %v, -max-session %v: want at least a minute, and max-session >= idle-timeout", c.IdleTimeout, c.MaxSession)
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("-time-zone %q: not a time zone name (like Europe/Berlin or UTC)", c.TimeZone)
	}
	if c.MaxConns < 1 {
		return fmt.Errorf("-max-connections %d: want at least 1", c.MaxConns)
	}
	if err := c.checkServers(); err != nil {
		return err
	}
	wc := c.webConfig()
	return c.flagError(wc.Check())
}

// flagError names the flag of a setting web rejected: "-page-size 0: want
// 1 to 500", or under CGI "SCRIPT_NAME "//host": ...", the web server's.
func (c *Config) flagError(err error) error {
	var ce *web.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	if i, field, ok := web.ServerSetting(ce.Setting); ok && i < len(c.Servers) {
		return c.Servers[i].error(field, ce.Want)
	}
	name, ok := webFlags[ce.Setting]
	if !ok {
		return err
	}
	if ce.Setting == "BasePath" && c.BasePath == "" {
		name = "SCRIPT_NAME"
	}
	return fmt.Errorf("%s %s: %s", name, ce.Value, ce.Want)
}

// roots returns the roots to trust for the mail servers of -pop and
// -smtp (see rootsFor).
func (c *Config) roots() (func() *x509.CertPool, error) {
	roots, err := rootsFor(c.CAFile)
	if err != nil {
		return nil, fmt.Errorf("-ca-file: %v", err)
	}
	return roots, nil
}

// rootsFor returns the system's roots and the certificates of caFile,
// made when a TLS connection first needs them (a CGI request for a page
// that asks no mail server never does: loading the system's roots takes
// milliseconds); nil, the system's roots, when caFile is "". The file is
// read and checked at once, so a bad one stops the start.
func rootsFor(caFile string) (func() *x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%q: no PEM certificates in it", caFile)
	}
	return sync.OnceValue(func() *x509.CertPool {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(pem)
		return pool
	}), nil
}

// loginLimit is a web.LoginLimit as a flag: "N/DURATION". Set parses it;
// web.Config.Check says whether it can work.
type loginLimit web.LoginLimit

func (l *loginLimit) String() string {
	return strconv.Itoa(l.Burst) + "/" + l.Every.String()
}

func (l *loginLimit) Set(s string) error {
	n, d, ok := strings.Cut(s, "/")
	burst, err1 := strconv.Atoi(strings.TrimSpace(n))
	every, err2 := time.ParseDuration(strings.TrimSpace(d))
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("want N/DURATION, e.g. 20/30s")
	}
	*l = loginLimit{Burst: burst, Every: every}
	return nil
}

// prefixList is a comma-separated list of CIDR prefixes as a flag; a
// single address counts as its own prefix.
type prefixList []netip.Prefix

func (p *prefixList) String() string {
	parts := make([]string, len(*p))
	for i, x := range *p {
		parts[i] = x.String()
	}
	return strings.Join(parts, ",")
}

func (p *prefixList) Set(s string) error {
	var out prefixList
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return fmt.Errorf("%q: not an address or CIDR", f)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		x, err := netip.ParsePrefix(f)
		if err != nil {
			return fmt.Errorf("%q: not an address or CIDR", f)
		}
		out = append(out, x.Masked())
	}
	*p = out
	return nil
}

// originList is a comma-separated list of origins as a flag; each is
// checked by web.Config.Check.
type originList []string

func (o *originList) String() string { return strings.Join(*o, ",") }

func (o *originList) Set(s string) error {
	var out originList
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		out = append(out, f)
	}
	*o = out
	return nil
}

// location is -time-zone, checked by Validate.
func (c *Config) location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.Local
	}
	return loc
}
