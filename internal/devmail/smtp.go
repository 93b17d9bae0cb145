package devmail

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxRecipients bounds RCPT TO commands per message.
const maxRecipients = 100

// errNoSuchUser answers RCPT TO for an unknown recipient without catch-all.
var errNoSuchUser = &smtp.SMTPError{
	Code:         550,
	EnhancedCode: smtp.EnhancedCode{5, 1, 1},
	Message:      "No such user here",
}

// errIdentityMismatch refuses AUTH PLAIN acting for another user.
var errIdentityMismatch = errors.New("devmail: authorization identity differs from user")

// newSMTPServer configures go-smtp for this server.
func (s *Server) newSMTPServer(maxBytes int64) *smtp.Server {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxMessageBytes
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: s}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = maxBytes
	// go-smtp applies the line limit to message data too; lines of any
	// length must pass, so the bound is the message size plus the
	// read-ahead of its buffered reader, which lets an oversized message
	// end in 552 rather than in a line-length error.
	srv.MaxLineLength = int(maxBytes) + 64<<10
	srv.MaxRecipients = maxRecipients
	srv.AllowInsecureAuth = true // loopback only: a demo, not a relay
	srv.ReadTimeout = s.idleTimeout
	srv.WriteTimeout = s.idleTimeout
	srv.TLSConfig = s.tlsConfig
	srv.ErrorLog = slogPrinter{s.log}
	return srv
}

// smtpSession is one SMTP connection's transaction state.
type smtpSession struct {
	srv   *Server
	user  string // AUTH user
	from  string
	to    []string
	boxes []*Mailbox // distinct mailboxes the recipients resolve to
}

var _ smtp.AuthSession = (*smtpSession)(nil)

// AuthMechanisms lists the SASL mechanisms offered: PLAIN only.
func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth starts a SASL exchange for mech.
func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if identity != "" && identity != username {
			return errIdentityMismatch
		}
		want, ok := ss.srv.users[username]
		if !ok || subtle.ConstantTimeCompare([]byte(password), []byte(want)) != 1 {
			ss.srv.log.Info("devmail: SMTP login failed", "user", username)
			return smtp.ErrAuthFailed
		}
		ss.user = username
		return nil
	}), nil
}

// Mail starts a message from the given return path.
func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

// Rcpt adds a recipient: a configured user by full address or by local
// part (case-insensitive), else the catch-all user, else 550.
func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	user := ss.srv.resolve(to)
	if user == "" {
		return errNoSuchUser
	}
	box := ss.srv.boxes[user]
	ss.to = append(ss.to, to)
	for _, b := range ss.boxes {
		if b == box {
			return nil
		}
	}
	ss.boxes = append(ss.boxes, box)
	return nil
}

// Data stores the message in each recipient mailbox and records it.
func (ss *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	for _, b := range ss.boxes {
		b.Add(data)
	}
	ss.srv.record(Envelope{From: ss.from, To: ss.to, Data: data, User: ss.user})
	ss.srv.log.Debug("devmail: SMTP accepted", "from", ss.from, "rcpts", len(ss.to), "bytes", len(data))
	return nil
}

// Reset forgets the message in progress.
func (ss *smtpSession) Reset() {
	ss.from, ss.to, ss.boxes = "", nil, nil
}

// Logout ends the session.
func (ss *smtpSession) Logout() error { return nil }

// resolve names the user whose mailbox receives mail for addr, or "".
func (s *Server) resolve(addr string) string {
	local := addr
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local = addr[:i]
	}
	for _, name := range []string{addr, local} {
		if _, ok := s.users[name]; ok {
			return name
		}
	}
	best := ""
	for u := range s.users {
		if (strings.EqualFold(u, addr) || strings.EqualFold(u, local)) && (best == "" || u < best) {
			best = u
		}
	}
	if best != "" {
		return best
	}
	return s.catchAll
}

// slogPrinter hands go-smtp's internal error log to slog.
type slogPrinter struct{ log *slog.Logger }

// Printf logs a formatted message at debug level: go-smtp reports
// ordinary disconnects this way.
func (l slogPrinter) Printf(format string, v ...any) {
	l.log.Debug("devmail: SMTP: " + fmt.Sprintf(format, v...))
}

// Println logs its arguments at debug level.
func (l slogPrinter) Println(v ...any) {
	l.log.Debug("devmail: SMTP: " + strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}
