package mailtools

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"gomailcgi/internal/record"
)

// SMTP sends mail through one submission server.
type SMTP struct {
	Server    Server
	LocalName string // the EHLO name; "" means "localhost"
}

// ErrNoSTARTTLS means the server in starttls mode did not offer STARTTLS,
// so nothing was sent. It comes wrapped in an *UnavailableError.
var ErrNoSTARTTLS = errors.New("mailtools: the SMTP server does not offer STARTTLS")

// ErrNoAuthMechanism means the server offers AUTH but neither PLAIN nor
// LOGIN. It comes wrapped in an *UnavailableError.
var ErrNoAuthMechanism = errors.New("mailtools: the SMTP server offers no password login we support")

// errInsecureAuth guards against sending a password in clear text.
var errInsecureAuth = errors.New("mailtools: refusing to send a password over a connection without TLS")

// SMTPError is a refusal by the SMTP server (a 4xx or 5xx reply). Its
// fields are safe to show: the server's text is trimmed to one short line.
type SMTPError struct {
	Code         int
	EnhancedCode string // e.g. "5.1.1"; "" when the server gave none
	Message      string
	Command      string // "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA" or "QUIT"
	Recipient    string // the refused address, for RCPT
}

func (e *SMTPError) Error() string {
	s := fmt.Sprintf("smtp %s", e.Command)
	if e.Recipient != "" {
		s += " <" + e.Recipient + ">"
	}
	s += fmt.Sprintf(": %d", e.Code)
	if e.EnhancedCode != "" {
		s += " " + e.EnhancedCode
	}
	if e.Message != "" {
		s += " " + e.Message
	}
	return s
}

// Temporary reports whether the server asked to try again later.
func (e *SMTPError) Temporary() bool { return e.Code/100 == 4 }

// Send validates m and submits it: connect as Server.Security says, log in
// with cred when cred is not nil and the server offers AUTH, then MAIL,
// RCPT for every recipient (Bcc included), DATA and QUIT. It returns the
// Message-ID it gave the message. Errors are an *InputError, ErrBadCredentials
// (wrapped), an *SMTPError, or an *UnavailableError; once the server has
// accepted the message, Send reports success even if QUIT fails.
func (s *SMTP) Send(ctx context.Context, cred *Credentials, m *Outgoing) (string, error) {
	if err := m.Validate(); err != nil {
		return "", err
	}
	if cred != nil {
		if err := cred.validate(); err != nil {
			return "", err
		}
	}
	if err := s.Server.Validate(); err != nil {
		return "", fmt.Errorf("mailtools: smtp server: %w", err)
	}
	localName := s.LocalName
	if localName == "" {
		localName = "localhost"
	}
	if strings.ContainsAny(localName, "\r\n\t ") {
		return "", fmt.Errorf("mailtools: smtp local name %q", localName)
	}
	id := NewMessageID(messageIDDomain(m.From.Addr))
	date := time.Now()

	conn, err := s.Server.dial(ctx)
	if err != nil {
		return "", err
	}
	sc := newSMTPConn(conn, s.Server.commandTimeout())
	sc.rec = record.From(ctx)
	defer sc.Close()
	stop := context.AfterFunc(ctx, sc.abort)
	defer stop()

	sess := &smtpSession{s: s, ctx: ctx, conn: sc}
	if err := sess.open(localName, cred); err != nil {
		sess.close()
		return "", err
	}
	if err := sess.submit(m, date, id); err != nil {
		sess.close()
		return "", err
	}
	sess.client.Quit() // the message is accepted: a failing QUIT changes nothing
	return id, nil
}

// smtpSession is one Send's conversation with the server.
type smtpSession struct {
	s       *SMTP
	ctx     context.Context
	conn    *smtpConn
	client  *smtp.Client
	tlsOn   bool
	refused bool // the server refused a command but is still talking
}

// open greets the server, secures the connection and logs in.
func (ss *smtpSession) open(localName string, cred *Credentials) error {
	var err error
	switch ss.s.Server.Security {
	case SecuritySTARTTLS:
		ss.client, err = smtp.NewClientStartTLS(ss.conn, ss.s.Server.tlsConfig())
		if err != nil {
			// go-smtp reports a missing STARTTLS only by this text.
			if strings.Contains(err.Error(), "doesn't support STARTTLS") {
				return &UnavailableError{Addr: ss.s.Server.Addr, Err: ErrNoSTARTTLS}
			}
			return ss.wrap("STARTTLS", "", err)
		}
		ss.tlsOn = true
		if rec := ss.conn.rec; rec != nil {
			// From here the connection carries TLS records; go-smtp shows
			// the clear text to its DebugWriter.
			ss.conn.rec = nil
			rec.SMTPNote(record.TLS)
			ss.client.DebugWriter = smtpDebug{rec}
		}
	default:
		ss.client = smtp.NewClient(ss.conn)
		ss.tlsOn = ss.s.Server.Security == SecurityTLS
	}
	if err := ss.client.Hello(localName); err != nil {
		return ss.wrap("EHLO", "", err)
	}
	if cred == nil {
		return nil
	}
	if ok, _ := ss.client.Extension("AUTH"); !ok {
		return nil
	}
	if !ss.tlsOn && ss.s.Server.Security != SecurityInsecure {
		return errInsecureAuth
	}
	var mech sasl.Client
	switch {
	case ss.client.SupportsAuth(sasl.Plain):
		mech = sasl.NewPlainClient("", cred.User, cred.Password)
	case ss.client.SupportsAuth(sasl.Login):
		mech = sasl.NewLoginClient(cred.User, cred.Password)
	default:
		return &UnavailableError{Addr: ss.s.Server.Addr, Err: ErrNoAuthMechanism}
	}
	if err := ss.client.Auth(mech); err != nil {
		return ss.wrap("AUTH", "", err)
	}
	return nil
}

// submit runs one mail transaction, streaming the message into DATA.
func (ss *smtpSession) submit(m *Outgoing, date time.Time, id string) error {
	if err := ss.client.Mail(m.From.Addr, nil); err != nil {
		return ss.wrap("MAIL", "", err)
	}
	for _, rcpt := range m.Recipients() {
		if err := ss.client.Rcpt(rcpt, nil); err != nil {
			return ss.wrap("RCPT", rcpt, err)
		}
	}
	dw, err := ss.client.Data()
	if err != nil {
		return ss.wrap("DATA", "", err)
	}
	ew := &errWriter{w: dw}
	if err := m.write(ew, date, id); err != nil {
		if ew.err != nil {
			return ss.wrap("DATA", "", ew.err)
		}
		// Never end DATA with the final dot after a failed build: that
		// would submit a truncated message. Hanging up aborts it.
		ss.conn.abort()
		return fmt.Errorf("mailtools: building the message: %w", err)
	}
	ss.conn.readTimeout = submissionTimeout(ss.conn.writeTimeout)
	if err := dw.Close(); err != nil {
		return ss.wrap("DATA", "", err)
	}
	ss.conn.readTimeout = ss.conn.writeTimeout
	return nil
}

// close ends a failed session: politely if the server is still talking.
func (ss *smtpSession) close() {
	if ss.client == nil {
		return
	}
	if ss.refused && ss.ctx.Err() == nil {
		ss.client.Quit()
	}
	ss.client.Close()
}

// submissionTimeout is how long to wait for the reply to the final dot:
// servers may scan the whole message first (RFC 5321 suggests minutes).
func submissionTimeout(command time.Duration) time.Duration {
	return 4 * command
}

// wrap turns a go-smtp error into one of the package's typed errors.
func (ss *smtpSession) wrap(cmd, rcpt string, err error) error {
	addr := ss.s.Server.Addr
	if ctxErr := ss.ctx.Err(); ctxErr != nil {
		return &UnavailableError{Addr: addr, Err: ctxErr}
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		if se.Code < 400 || se.Code > 599 {
			return &ProtocolError{Command: cmd, Reply: fmt.Sprintf("%d %s", se.Code, cleanReply(se.Message))}
		}
		ss.refused = true
		out := &SMTPError{
			Code:         se.Code,
			EnhancedCode: enhancedCode(se.EnhancedCode),
			Message:      cleanReply(se.Message),
			Command:      cmd,
			Recipient:    rcpt,
		}
		if cmd == "AUTH" && se.Code == 535 {
			return fmt.Errorf("%w: %w", ErrBadCredentials, out)
		}
		return out
	}
	if cmd == "AUTH" && errors.Is(err, sasl.ErrUnexpectedServerChallenge) {
		return &ProtocolError{Command: cmd, Reply: "unexpected challenge"}
	}
	return &UnavailableError{Addr: addr, Err: err}
}

func enhancedCode(c smtp.EnhancedCode) string {
	if c == smtp.EnhancedCodeNotSet || c == smtp.NoEnhancedCode {
		return ""
	}
	return fmt.Sprintf("%d.%d.%d", c[0], c[1], c[2])
}

// maxReplyText bounds the server text kept in an SMTPError.
const maxReplyText = 200

// cleanReply makes server text safe to show: one line of printable
// characters, at most maxReplyText runes.
func cleanReply(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if r := []rune(s); len(r) > maxReplyText {
		s = string(r[:maxReplyText]) + "…"
	}
	return s
}

// errWriter remembers the first write error, to tell a failing connection
// from a failing attachment reader.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
