package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"strings"
	"sync"
	"time"
)

// serveHTTP serves HTTP, or HTTPS with -tls-cert, until ctx ends, then
// shuts down gracefully. ready runs once the listener is open.
func serveHTTP(ctx context.Context, cfg *Config, handler http.Handler, log *slog.Logger, out io.Writer, ready func()) error {
	ln, err := listen(cfg.Listen, cfg.MaxConns)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a message form sets its own read deadlines: web.Config.BodyStall, MinBodyRate and BodyDeadline
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		certs := &certFiles{cert: cfg.TLSCert, key: cfg.TLSKey, log: log}
		if _, err := certs.get(nil); err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: certs.get}
		srv.Handler = hsts(handler)
		ln = tls.NewListener(ln, srv.TLSConfig)
		scheme = "https"
	}
	fmt.Fprintf(out, "gomailcgi: serving %s://%s%s/\n", scheme, ln.Addr(), cfg.basePath())
	ready()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// hsts tells browsers to come back over HTTPS only, for a year.
func hsts(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		next.ServeHTTP(w, r)
	})
}

// certFiles serves the certificate in a pair of PEM files and loads them
// again when either changes (a renewal), without a restart. A pair that
// does not load keeps the last good one in use.
type certFiles struct {
	cert, key string
	log       *slog.Logger

	mu      sync.Mutex
	current *tls.Certificate
	stamp   string // the files' sizes and times when current was loaded
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp, err := fileStamp(c.cert, c.key)
	if err == nil && stamp == c.stamp && c.current != nil {
		return c.current, nil
	}
	pair, lerr := tls.LoadX509KeyPair(c.cert, c.key)
	switch {
	case err == nil && lerr == nil:
		if c.current != nil {
			c.log.Info("TLS certificate reloaded", "file", c.cert)
		}
		c.current, c.stamp = &pair, stamp
	case c.current == nil:
		return nil, fmt.Errorf("-tls-cert %s, -tls-key %s: %w", c.cert, c.key, errors.Join(err, lerr))
	default:
		c.log.Warn("TLS certificate files changed but do not load; the previous one stays", "err", errors.Join(err, lerr))
	}
	return c.current, nil
}

// fileStamp names the state of files by their sizes and change times.
func fileStamp(names ...string) (string, error) {
	var b strings.Builder
	for _, n := range names {
		st, err := os.Stat(n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s:%d:%d;", n, st.Size(), st.ModTime().UnixNano())
	}
	return b.String(), nil
}

// serveFastCGI serves FastCGI on a TCP address or a unix socket
// ("unix:/path") until ctx ends.
func serveFastCGI(ctx context.Context, cfg *Config, handler http.Handler, log *slog.Logger, out io.Writer) error {
	network, addr := "tcp", cfg.FastCGI
	if path, ok := strings.CutPrefix(cfg.FastCGI, "unix:"); ok {
		network, addr = "unix", path
		if err := removeOldSocket(path); err != nil {
			return err
		}
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return err
	}
	under := cfg.basePath() + "/"
	if cfg.BasePath == "" {
		under = "each request's SCRIPT_NAME"
	}
	fmt.Fprintf(out, "gomailcgi: serving FastCGI on %s %s, pages under %s\n", network, ln.Addr(), under)
	errc := make(chan error, 1)
	go func() { errc <- fcgi.Serve(scriptNameListener{ln}, fcgiHost(handler)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	return ln.Close()
}

// removeOldSocket removes the socket an earlier run left at path. Anything
// else there is refused and left alone: -fcgi names a socket, and a typo
// must not delete a file.
func removeOldSocket(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("-fcgi: %v", err)
	case st.Mode().Type() != fs.ModeSocket:
		return fmt.Errorf("-fcgi: %s: not a socket, and left alone; remove it or name another path", path)
	}
	return os.Remove(path)
}
