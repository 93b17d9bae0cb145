// Package web is gomailcgi's user interface: classic server-rendered pages
// that log in, list the inbox, show, compose, send and delete mail. It needs
// no JavaScript, cookies or login state kept on the server: the login
// travels from page to page in a sealed, expiring token (query parameter and
// hidden field "t"), and messages are named by sync-checked references
// ("m"). Every handler returns an error, and one adapter turns it into a
// page with a fitting status. docs/FLOW.md draws the pages as a state
// machine.
//
// The tests' file names say what each needs: real_*_test.go run against
// the real Dovecot and Postfix (mailstack.Require, skipped without them),
// browser_*_test.go drive Chromium or w3m, a11y_*_test.go check
// accessibility (axe, the keyboard) in Chromium, and perf_*_test.go
// measure speed and memory (TestPerf on the real stack too). The rest need
// nothing outside the test process.
package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
)

// Defaults for a Config's zero values, and the largest page: as many
// messages as one POP listing reads.
const (
	DefaultPageSize       = 50
	MaxPageSize           = mailtools.MaxPageSize
	DefaultMaxUpload      = 25 << 20 // bytes of one submitted message form
	DefaultMaxUploads     = 8        // message forms read at the same time
	DefaultMaxUserUploads = 2        // message forms of one user read at the same time
	DefaultMaxRecipients  = 100      // To, Cc and Bcc of one message together
)

// Config is what the web interface needs. Sealer is required, and either
// Servers or POP and SMTP.
type Config struct {
	// Servers is the allowlist of mail servers a login can use, chosen by
	// the domain of the address typed or by the user from their labels.
	// Empty means the one server of POP, SMTP, ServerID and FromDomain.
	Servers []MailServer
	POP     *mailtools.POP  // where mail is read and logins are checked
	SMTP    *mailtools.SMTP // where mail is sent
	Sealer  *seal.Sealer    // seals and opens the state token
	// ServerID names the mail servers a login is for; it is sealed into
	// every token and checked when one is opened, so a token from another
	// configuration is refused. Empty means "pop=" + POP.Server.Addr.
	ServerID string
	// PageSize is how many messages a list page shows; 0 means 50.
	PageSize int
	// BasePath is the path prefix the site is served under: "" or e.g. "/mail".
	BasePath string
	// BasePathOf, when set, names each request's own base path in place
	// of BasePath: behind a web server that says per request where it
	// serves the site (a FastCGI request's SCRIPT_NAME). One that Check
	// would refuse counts as "".
	BasePathOf func(*http.Request) string
	// FromDomain completes a login name without '@' into a From address;
	// empty means the POP server's host name.
	FromDomain string
	// MaxUpload bounds the body of one submitted message form, attachments
	// included; 0 means 25 MB.
	MaxUpload int64
	// MaxUploads bounds the message forms read at the same time, so that
	// uploads cannot take more than MaxUploads×MaxUpload of memory; a send
	// past it is answered 503 at once. 0 means 8.
	MaxUploads int
	// MaxUserUploads bounds the message forms of one user read at the
	// same time, so one login cannot take every upload slot; a send past
	// it is answered 429 at once. 0 means 2.
	MaxUserUploads int
	// MaxRecipients bounds To, Cc and Bcc of one message together; 0
	// means 100.
	MaxRecipients int
	// AddrLimit bounds failed logins per client network (an IPv4 address
	// or an IPv6 /64), UserLimit per user name from one network, and
	// UserTotalLimit per user name from all networks; zero values mean
	// DefaultAddrLimit, DefaultUserLimit and DefaultUserTotalLimit.
	AddrLimit, UserLimit, UserTotalLimit LoginLimit
	// KeepCopy ticks "Keep a copy in my inbox" on a new message: the copy
	// goes to the sender through the same SMTP envelope.
	KeepCopy bool
	// BodyStall is the longest a request body may pause, and MinBodyRate
	// the bytes per second it must average past the first BodyStall; zero
	// values mean DefaultBodyStall and DefaultMinBodyRate.
	BodyStall   time.Duration
	MinBodyRate int64
	// BodyDeadline is the longest a request body may take to arrive in
	// all, however steadily it comes; 0 means the time a form of MaxUpload
	// takes at MinBodyRate, but at most MaxBodyDeadline.
	BodyDeadline time.Duration
	// TrustedProxies are the addresses of reverse proxies whose
	// X-Forwarded-For names the client; empty means none is trusted.
	TrustedProxies []netip.Prefix
	// TrustedOrigins are origins ("https://host:port") whose forms are the
	// site's own besides the request's Host: the site's public address
	// when a proxy in front does not pass the Host the browser sent.
	TrustedOrigins []string
	// Logger receives one line per request and every unexpected error; nil
	// discards them. Tokens, passwords and query strings are never logged.
	Logger *slog.Logger
	// Explain adds to the foot of every page the panel "How this page was
	// made": the request, its token decoded, the mail conversation and
	// where the page leads. With it off nothing is recorded.
	Explain bool
	// Now is the clock for displayed dates; nil means time.Now.
	Now func() time.Time
	// Location is the one time zone every page shows dates in, and says
	// so; nil means the server's local zone.
	Location *time.Location
	// Language is the code of the language pages are in when neither a
	// link nor the browser's Accept-Language names one offered: "de",
	// "ja"; "" means English.
	Language string
	// SearchMessages bounds the messages one search request scans before
	// it offers to go on with older ones; 0 means
	// mailtools.DefaultSearchMessages.
	SearchMessages int
}

// New checks cfg and returns the site's handler. It does no more: a
// page's templates and words are read when a request first needs them,
// as a CGI process serves one request.
func New(cfg Config) (http.Handler, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.BasePathOf != nil {
		return newMounts(s, cfg.BasePathOf), nil
	}
	return s.routes(), nil
}

// newServer checks cfg and builds the server New routes to.
func newServer(cfg Config) (*server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	locales, err := locale.New(cfg.Language)
	if err != nil {
		return nil, err
	}
	pseudo, _ := locales.Lookup(locale.Pseudo)
	return &server{cfg: cfg, log: cfg.Logger, pages: parsePages(append(locales.Offered(), pseudo)), locales: locales, urls: urls{base: cfg.BasePath},
		uploads:    newUploadSlots(cfg.MaxUploads, cfg.MaxUserUploads),
		loginFails: newLoginThrottle(cfg.AddrLimit, cfg.UserLimit, cfg.UserTotalLimit, cfg.Now),
		searches:   &searchGate{},
		buffers:    &sync.Pool{},
	}, nil
}

// setDefaults fills zero values, then rejects what cannot work (Check).
func (c *Config) setDefaults() error {
	if c.Sealer == nil {
		return errors.New("web: Config.Sealer is required")
	}
	if err := c.setServerDefaults(); err != nil {
		return err
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.MaxUpload == 0 {
		c.MaxUpload = DefaultMaxUpload
	}
	if c.MaxUploads == 0 {
		c.MaxUploads = DefaultMaxUploads
	}
	if c.MaxUserUploads == 0 {
		c.MaxUserUploads = DefaultMaxUserUploads
	}
	if c.MaxRecipients == 0 {
		c.MaxRecipients = DefaultMaxRecipients
	}
	if c.BodyStall <= 0 {
		c.BodyStall = DefaultBodyStall
	}
	if c.MinBodyRate <= 0 {
		c.MinBodyRate = DefaultMinBodyRate
	}
	if c.BodyDeadline <= 0 {
		c.BodyDeadline = defaultBodyDeadline(c.MaxUpload+formSlack, c.BodyStall, c.MinBodyRate)
	}
	if c.AddrLimit == (LoginLimit{}) {
		c.AddrLimit = DefaultAddrLimit
	}
	if c.UserLimit == (LoginLimit{}) {
		c.UserLimit = DefaultUserLimit
	}
	if c.UserTotalLimit == (LoginLimit{}) {
		c.UserTotalLimit = DefaultUserTotalLimit
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	return c.Check()
}

// server holds the dependencies every handler shares. It is read-only once
// built, but for the upload slots and login throttles, which lock their own.
type server struct {
	cfg     Config
	log     *slog.Logger
	pages   map[string]*langPages // by language code
	locales *locale.Set
	urls    urls
	uploads *uploadSlots // the message forms being read

	loginFails *loginThrottle // failed logins per network, user and both

	searches *searchGate // one search at a time per user and server

	buffers *sync.Pool // render's page buffers (*bytes.Buffer), shared by every base path
}
