// Command gomailcgi is a classic multi-page webmail server: read mail over
// POP3 and send it over SMTP from any browser, JavaScript or not.
//
// Every page is an HTML form or link; the login travels between pages in a
// sealed, expiring token (AES-256-GCM under a server key), never in clear and
// never in a cookie. Nothing is stored on the server.
//
// Usage:
//
//	gomailcgi -demo                      # built-in demo mail servers; log in as demo / demo
//	gomailcgi -pop mail.example.org:995 -smtp mail.example.org:587 -key-file /etc/gomailcgi/keys
//	gomailcgi -config /etc/gomailcgi/gomailcgi.conf   # settings, and [server] sections for several
//	gomailcgi discover example.org       # a [server] section from the domain's SRV records
//
// Flags (each also read from GOMAILCGI_<NAME>, dashes as underscores, e.g.
// -pop-security from GOMAILCGI_POP_SECURITY; a flag on the command line wins):
//
//	-config FILE          settings, one "name = value" per line named as the flags
//	                      (also GOMAILCGI_CONFIG); flags and the environment win
//	-listen ADDR          HTTP listen address (127.0.0.1:8080)
//	-tls-cert FILE        serve HTTPS (with HSTS) with this certificate; -tls-key FILE
//	-fcgi ADDR            serve FastCGI on host:port or unix:/path instead of HTTP
//	-pop HOST:PORT        POP3 server; -pop-security tls|starttls|insecure (tls)
//	-smtp HOST:PORT       SMTP submission server; -smtp-security tls|starttls|insecure (starttls)
//	-ca-file FILE         extra CA certificates (PEM) to trust, for a private mail server
//	-key-file FILE        state keys, one `openssl rand -base64 32` per line; the first
//	                      seals, every one opens (rotation). Without it a random key is
//	                      made at start and every login ends when the process restarts.
//	-from-domain DOMAIN   completes a login name without @ into a From address
//	-base-path PATH       URL prefix, e.g. /mail; under CGI, and under FastCGI
//	                      without it, each request's SCRIPT_NAME
//	-page-size N          messages per list page (50)
//	-time-zone ZONE       the one zone every page shows dates in, e.g. Europe/Berlin
//	                      or UTC (Local: the server's)
//	-language CODE        the pages' language when neither a ?lang= link nor the
//	                      browser's Accept-Language names one offered (en, de, …)
//	-keep-copy            tick "Keep a copy in my inbox" on new messages (true;
//	                      -keep-copy=false leaves it unticked)
//	-idle-timeout D       logout after D without a page (30m); -max-session D (12h)
//	-explain              show "How this page was made" at the foot of every page:
//	                      the request, its token decoded (never the password), the
//	                      POP3/SMTP conversation, where the page leads; for teaching
//	                      (docs/TEACHING.md). On with -demo.
//	-demo                 start the embedded demo POP3/SMTP servers and use them
//	-demo-mail DIR        seed the demo mailbox from DIR/*.eml (testdata)
//	-demo-pop ADDR        demo POP3 address (127.0.0.1:8110); -demo-smtp ADDR (127.0.0.1:8025)
//
//	-healthcheck URL      check a running server and exit: 0 when URL answers 2xx,
//	                      else 1; needs no other setting (a container image's
//	                      HEALTHCHECK, which has no shell: see docs/DEPLOY.md)
//
// Limits against abuse: -login-limit-addr, -login-limit-user and
// -login-limit-user-total (N/DURATION), -trusted-proxies CIDRs,
// -trusted-origins (the site's public origin behind a proxy that drops
// the port from Host), -max-recipients, -max-uploads, -max-connections.
//
// One site can serve several mail servers: the settings file then holds a
// [server ID] section for each, with keys named as the flags (label,
// domains, pop, pop-security, smtp, smtp-security, ca-file, from-domain)
// and login = local|address (the POP login is the part before @, or the
// whole address, the default). The login page picks the server by the
// domain of the address typed, or offers a choice of labels; a user never
// names a host. -pop and -smtp are then not given. `gomailcgi discover
// DOMAIN` prints a section from the domain's SRV records (RFC 6186:
// _pop3s, _pop3, _submissions, _submission), to check and paste; it exits
// with status 1 when the domain publishes none. It is never run at login.
//
// Run by a web server as a CGI program (GATEWAY_INTERFACE set), it serves
// that one request under the script's path; settings then come from the
// environment and GOMAILCGI_CONFIG only, the command line is ignored (a web
// server may make it of the query string), and -key-file is required.
//
// A bad flag value is a one-line error and exit status 2; under CGI the
// browser gets a plain 500 page, and the reason goes to the error log.
// SIGINT and SIGTERM shut the server down gracefully. docs/DEPLOY.md shows
// every mode.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/cgi"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // -time-zone names work without the system's zone files

	"golang.org/x/net/netutil"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/seal"
	"gomailcgi/internal/web"
)

// The demo account.
const (
	demoUser     = "demo"
	demoPassword = "demo"
	demoDomain   = "example.org"
)

func main() {
	if target, ok := healthcheckURL(os.Args[1:], os.Getenv); ok {
		os.Exit(healthcheck(target, os.Stderr))
	}
	// An admin's command, never a CGI request's: under CGI the command
	// line may be made of a query string.
	if len(os.Args) > 1 && os.Args[1] == "discover" && os.Getenv("GATEWAY_INTERFACE") == "" {
		os.Exit(runDiscover(os.Args[2:], net.DefaultResolver, os.Stdout, os.Stderr))
	}
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gomailcgi:", err)
		failCGI()
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log, os.Stdout); err != nil {
		log.Error("gomailcgi stopped", "err", err)
		failCGI()
		os.Exit(1)
	}
}

// cgiSetupError is the whole answer of a CGI program that cannot start. It
// says nothing of why: the reason is in the web server's error log (our
// stderr), and a page must never show a setting, a path or a line of a file.
const cgiSetupError = "Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n" +
	"Cache-Control: no-store\r\n\r\nThis webmail is not set up right. The web server's error log says why.\n"

// failCGI answers the browser with cgiSetupError when run as a CGI program.
// cgi.Serve fails before it writes, or when stdout is gone: the page is
// never a second answer.
func failCGI() {
	if os.Getenv("GATEWAY_INTERFACE") != "" {
		os.Stdout.WriteString(cgiSetupError)
	}
}

// run serves until ctx ends, then shuts down gracefully.
func run(ctx context.Context, cfg *Config, log *slog.Logger, out io.Writer) error {
	roots, err := cfg.roots()
	if err != nil {
		return err
	}
	popSec, _ := mailtools.ParseSecurity(cfg.POPSecurity)
	smtpSec, _ := mailtools.ParseSecurity(cfg.SMTPSecurity)
	popAddr, smtpAddr, fromDomain := cfg.POP, cfg.SMTP, cfg.FromDomain
	if cfg.Demo {
		demo, err := devmail.Start(devmail.Config{
			POPAddr:  cfg.DemoPOP,
			SMTPAddr: cfg.DemoSMTP,
			Users:    map[string]string{demoUser: demoPassword},
			Seed:     os.DirFS(cfg.DemoMail),
			SeedUser: demoUser,
			CatchAll: demoUser,
			Logger:   log.With("component", "demo"),
		})
		if err != nil {
			return fmt.Errorf("demo mail servers: %w", err)
		}
		defer demo.Close()
		popAddr, smtpAddr = demo.POPAddr(), demo.SMTPAddr()
		popSec, smtpSec = mailtools.SecurityInsecure, mailtools.SecurityInsecure
		if fromDomain == "" {
			fromDomain = demoDomain // the sample mailbox writes to demo@example.org
		}
	}
	keys, err := loadKeys(cfg.KeyFile, cfg.Demo, log)
	if err != nil {
		return err
	}
	wc := cfg.webConfig()
	if len(wc.Servers) > 0 {
		if err := cfg.serverTLS(wc.Servers); err != nil {
			return err
		}
	} else {
		wc.POP = &mailtools.POP{Server: mailtools.Server{Addr: popAddr, Security: popSec, Roots: roots}}
		wc.SMTP = &mailtools.SMTP{Server: mailtools.Server{Addr: smtpAddr, Security: smtpSec, Roots: roots}}
		wc.FromDomain = fromDomain
	}
	wc.Sealer = &seal.Sealer{Keys: keys, Idle: cfg.IdleTimeout, Absolute: cfg.MaxSession}
	wc.Logger = log
	if cfg.FastCGI != "" && cfg.BasePath == "" {
		wc.BasePathOf = fcgiBasePath // each request's SCRIPT_NAME, as under CGI
	}
	handler, err := web.New(wc)
	if err != nil {
		return err
	}
	switch {
	case cfg.CGI:
		return cgi.Serve(handler)
	case cfg.FastCGI != "":
		return serveFastCGI(ctx, cfg, handler, log, out)
	}
	return serveHTTP(ctx, cfg, handler, log, out, func() {
		if cfg.Demo {
			fmt.Fprintf(out, "gomailcgi: demo mail servers: POP3 %s, SMTP %s\n", popAddr, smtpAddr)
			fmt.Fprintf(out, "gomailcgi: log in as user %q with password %q\n", demoUser, demoPassword)
		}
	})
}

// loadKeys reads the key file, or makes a process-local key with a warning.
// A key file other users may read or write is a warning too: read by the
// server's own user or group (0600, 0640) is how it should be. The demo
// (demo true) makes its random key without a word: a key of its own is
// what a demo should have, and a warning would read as a fault.
func loadKeys(path string, demo bool, log *slog.Logger) (*seal.Keys, error) {
	if path != "" {
		keys, err := seal.LoadKeyFile(path)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o006 != 0 {
			log.Warn("the key file is open to every user of this machine (o+r or o+w): whoever reads it can open every login; chmod o-rw it",
				"file", path, "mode", st.Mode().Perm().String())
		}
		return keys, nil
	}
	if !demo {
		log.Warn("no -key-file: using a random key; logins end when the process restarts and replicas cannot share them")
	}
	return seal.RandomKeys()
}

// listen opens the HTTP listener, taking at most maxConns connections at
// a time: past that, new ones wait in the kernel's queue.
func listen(addr string, maxConns int) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, maxConns), nil
}
