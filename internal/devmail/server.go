// Package devmail is an embedded POP3 and SMTP server for the demo and for
// tests. It keeps every mailbox in memory, listens on loopback addresses
// only, and forgets everything when it stops.
//
// POP3 follows RFC 1939 with the CAPA extension (RFC 2449) and STLS
// (RFC 2595); SMTP is github.com/emersion/go-smtp with AUTH PLAIN. Mail
// sent over SMTP to a configured user lands in that user's mailbox, so a
// demo user can write to itself and read the message back.
package devmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Defaults used where a Config leaves a value zero.
const (
	DefaultIdleTimeout     = 10 * time.Minute
	DefaultMaxMessageBytes = 64 << 20
)

// Config describes the mail server to start.
type Config struct {
	// POPAddr and SMTPAddr are loopback listen addresses; "" means
	// 127.0.0.1:0, a random free port.
	POPAddr, SMTPAddr string
	// Users maps each user name to its password.
	Users map[string]string
	// Seed, if set, holds *.eml files at its root that are added, sorted
	// by name, to the mailbox of SeedUser.
	Seed     fs.FS
	SeedUser string
	// CatchAll names the user whose mailbox receives SMTP mail for unknown
	// recipients; "" rejects unknown recipients with 550.
	CatchAll string
	// NoUIDL hides UIDL: it is left out of CAPA and the command fails.
	NoUIDL bool
	// TLSConfig, if set, makes POP3 offer STLS and SMTP offer STARTTLS.
	TLSConfig *tls.Config
	// Logger receives connection events; nil discards them. Passwords
	// are never logged.
	Logger *slog.Logger
	// IdleTimeout closes a connection that sends nothing for this long;
	// zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxMessageBytes bounds a message accepted over SMTP; zero means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int64
}

// Envelope is one message accepted over SMTP.
type Envelope struct {
	From string   // MAIL FROM address
	To   []string // RCPT TO addresses, as given
	Data []byte   // the message, dot-unstuffed, as received
	User string   // the AUTH user, or "" if the client did not log in
}

// Server is a running POP3 and SMTP server pair.
type Server struct {
	log         *slog.Logger
	users       map[string]string
	boxes       map[string]*Mailbox
	catchAll    string
	noUIDL      bool
	tlsConfig   *tls.Config
	idleTimeout time.Duration

	popLn     net.Listener
	smtpLn    net.Listener
	smtp      *smtp.Server
	popConns  *connSet
	smtpConns *connSet
	wg        sync.WaitGroup

	mu   sync.Mutex
	sent []Envelope

	passes atomic.Int64 // POP3 PASS commands seen
	retrs  atomic.Int64 // POP3 RETR commands answered with a message

	closeOnce sync.Once
	closeErr  error
}

// ErrNotLoopback is returned by Start for a listen address that is not a
// loopback address.
var ErrNotLoopback = errors.New("devmail: listen address is not loopback")

// Start validates cfg, fills the mailboxes and starts both servers.
func Start(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{
		log:         cfg.Logger,
		users:       make(map[string]string, len(cfg.Users)),
		boxes:       make(map[string]*Mailbox, len(cfg.Users)),
		catchAll:    cfg.CatchAll,
		noUIDL:      cfg.NoUIDL,
		tlsConfig:   cfg.TLSConfig,
		idleTimeout: cfg.IdleTimeout,
		popConns:    newConnSet(),
		smtpConns:   newConnSet(),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.idleTimeout <= 0 {
		s.idleTimeout = DefaultIdleTimeout
	}
	for u, p := range cfg.Users {
		s.users[u] = p
		s.boxes[u] = NewMailbox()
	}
	if cfg.Seed != nil {
		if _, err := s.boxes[cfg.SeedUser].AddFS(cfg.Seed); err != nil {
			return nil, err
		}
	}

	popLn, err := listenLoopback(cfg.POPAddr)
	if err != nil {
		return nil, fmt.Errorf("devmail: POP3: %w", err)
	}
	smtpLn, err := listenLoopback(cfg.SMTPAddr)
	if err != nil {
		popLn.Close()
		return nil, fmt.Errorf("devmail: SMTP: %w", err)
	}
	s.popLn = popLn
	s.smtpLn = &trackListener{Listener: smtpLn, set: s.smtpConns}
	s.smtp = s.newSMTPServer(cfg.MaxMessageBytes)

	s.wg.Add(2)
	go s.servePOP()
	go func() {
		defer s.wg.Done()
		if err := s.smtp.Serve(s.smtpLn); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Error("devmail: SMTP server stopped", "err", err)
		}
	}()
	s.log.Info("devmail: listening", "pop3", s.POPAddr(), "smtp", s.SMTPAddr())
	return s, nil
}

// validate checks cfg for mistakes that would otherwise show up later.
func (cfg *Config) validate() error {
	for u := range cfg.Users {
		if u == "" || strings.ContainsAny(u, " \t\r\n") {
			return fmt.Errorf("devmail: invalid user name %q", u)
		}
	}
	if cfg.Seed != nil {
		if _, ok := cfg.Users[cfg.SeedUser]; !ok {
			return fmt.Errorf("devmail: seed user %q is not a configured user", cfg.SeedUser)
		}
	}
	if cfg.CatchAll != "" {
		if _, ok := cfg.Users[cfg.CatchAll]; !ok {
			return fmt.Errorf("devmail: catch-all user %q is not a configured user", cfg.CatchAll)
		}
	}
	for _, addr := range []string{cfg.POPAddr, cfg.SMTPAddr} {
		if err := checkLoopback(addr); err != nil {
			return err
		}
	}
	return nil
}

// POPAddr returns the POP3 listen address, host:port.
func (s *Server) POPAddr() string { return s.popLn.Addr().String() }

// SMTPAddr returns the SMTP listen address, host:port.
func (s *Server) SMTPAddr() string { return s.smtpLn.Addr().String() }

// Mailbox returns the mailbox of user, or nil if there is no such user.
func (s *Server) Mailbox(user string) *Mailbox { return s.boxes[user] }

// POPLogins counts the POP3 logins tried (PASS commands), right or wrong.
func (s *Server) POPLogins() int64 { return s.passes.Load() }

// POPRetrieves counts the messages sent in answer to RETR.
func (s *Server) POPRetrieves() int64 { return s.retrs.Load() }

// Sent returns every message accepted over SMTP, in order.
func (s *Server) Sent() []Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Envelope, len(s.sent))
	for i, e := range s.sent {
		out[i] = Envelope{From: e.From, To: append([]string(nil), e.To...), Data: append([]byte(nil), e.Data...), User: e.User}
	}
	return out
}

// record appends an accepted message to the list Sent returns.
func (s *Server) record(e Envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, e)
}

// Close stops both servers, closes live connections and waits for every
// goroutine the server started. POP3 sessions cut off this way apply no
// deletions. Calling Close again returns the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, ln := range []net.Listener{s.popLn, s.smtpLn} {
			if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
				errs = append(errs, err)
			}
		}
		s.popConns.closeAll()
		s.smtpConns.closeAll()
		// Shutdown waits for go-smtp's connection goroutines, which end
		// promptly now that their connections are closed.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.smtp.Shutdown(ctx); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
		s.wg.Wait()
		s.closeErr = errors.Join(errs...)
		s.log.Info("devmail: stopped")
	})
	return s.closeErr
}

// checkLoopback accepts "" (meaning 127.0.0.1:0), "localhost" and loopback
// IP literals, and refuses anything else.
func checkLoopback(addr string) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("devmail: listen address %q: %w", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %q", ErrNotLoopback, addr)
}

// listenLoopback listens on addr after checking it, and checks again what
// the name resolved to.
func listenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if ta, ok := ln.Addr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("%w: %q listens on %s", ErrNotLoopback, addr, ln.Addr())
	}
	return ln, nil
}
