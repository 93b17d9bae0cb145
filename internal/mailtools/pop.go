package mailtools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	pop3 "github.com/knadh/go-pop3"
)

// DefaultMaxPerUser bounds the sessions one user has open at once.
const DefaultMaxPerUser = 4

// DefaultMaxDownloadsPerUser bounds how many of them stream downloads.
const DefaultMaxDownloadsPerUser = 2

// POP is a POP3 mailbox server.
type POP struct {
	Server Server
	// MaxPerUser bounds the sessions open at once for one user name; a
	// Dial past it waits for one to end, or for its context. A burst of
	// pages then cannot make the server refuse the user, or ban the
	// webmail's address. 0 means DefaultMaxPerUser.
	MaxPerUser int
	// MaxDownloadsPerUser bounds how many of those sessions stream a
	// download (DialDownload), which a browser's pace may keep open for
	// long: the rest stay free for the user's pages. 0 means
	// DefaultMaxDownloadsPerUser; it is always fewer than MaxPerUser
	// unless that is 1.
	MaxDownloadsPerUser int

	mu      sync.Mutex
	users   map[string]*userSlots // by lower-case user name
	preauth *capabilities         // CAPA before login, once asked
}

// userSlots are one user's session slots, shared by the Dials waiting.
type userSlots struct {
	free      chan struct{} // a slot taken is a value sent
	downloads chan struct{} // as free, for the sessions that stream downloads
	refs      int           // Dials holding or waiting for a slot
}

// take waits for one of user's slots, a download first waiting for one of
// the download slots too; release gives them back.
func (p *POP) take(ctx context.Context, user string, download bool) (release func(), err error) {
	key := strings.ToLower(user)
	p.mu.Lock()
	if p.users == nil {
		p.users = map[string]*userSlots{}
	}
	u := p.users[key]
	if u == nil {
		n := p.MaxPerUser
		if n <= 0 {
			n = DefaultMaxPerUser
		}
		d := p.MaxDownloadsPerUser
		if d <= 0 {
			d = DefaultMaxDownloadsPerUser
		}
		u = &userSlots{free: make(chan struct{}, n), downloads: make(chan struct{}, max(1, min(d, n-1)))}
		p.users[key] = u
	}
	u.refs++
	p.mu.Unlock()
	done := func() {
		p.mu.Lock()
		if u.refs--; u.refs == 0 {
			delete(p.users, key)
		}
		p.mu.Unlock()
	}
	gone := func() error {
		done()
		return &UnavailableError{Addr: p.Server.Addr, Err: fmt.Errorf("waiting for one of %s's sessions to end: %w", user, ctx.Err())}
	}
	if download {
		select {
		case u.downloads <- struct{}{}:
		case <-ctx.Done():
			return nil, gone()
		}
	}
	select {
	case u.free <- struct{}{}:
		var once sync.Once
		return func() {
			once.Do(func() {
				<-u.free
				if download {
					<-u.downloads
				}
				done()
			})
		}, nil
	case <-ctx.Done():
		if download {
			<-u.downloads
		}
		return nil, gone()
	}
}

// Login checks credentials: it opens a session and closes it again.
func (p *POP) Login(ctx context.Context, cred Credentials) error {
	s, err := p.Dial(ctx, cred)
	if err != nil {
		return err
	}
	return s.Close()
}

// Session is one authenticated POP3 session. Message numbers are stable
// within it; deletions take effect only when it ends with QUIT. A Session
// is for one goroutine at a time.
type Session struct {
	addr string
	lc   *lineConn
	pc   *pop3.Conn

	caps     *capabilities // nil until asked
	count    int
	total    int64
	statDone bool
	uidl     uidlState

	marked   bool       // DELE was sent: QUIT commits it
	inflight *dotReader // a RETR body handed out by Open
	unwatch  func()     // ends the watch on the context the stream reads under
	closed   bool
	release  func() // gives the user's session slot back; set by Dial
}

// handOver is the go-pop3 Dialer that hands it our prepared connection.
type handOver struct{ c net.Conn }

func (h handOver) Dial(network, address string) (net.Conn, error) { return h.c, nil }

// Dial connects and authenticates with USER and PASS.
func (p *POP) Dial(ctx context.Context, cred Credentials) (*Session, error) {
	return p.dialFor(ctx, cred, false)
}

// DialDownload is Dial for a session that streams a download to a
// browser, which may read it slowly: it takes one of the user's few
// download slots (MaxDownloadsPerUser) as well, so that downloads never
// hold all of the user's sessions.
func (p *POP) DialDownload(ctx context.Context, cred Credentials) (*Session, error) {
	return p.dialFor(ctx, cred, true)
}

func (p *POP) dialFor(ctx context.Context, cred Credentials, download bool) (*Session, error) {
	if err := p.Server.Validate(); err != nil {
		return nil, &UnavailableError{Addr: p.Server.Addr, Err: err}
	}
	if err := cred.validate(); err != nil {
		return nil, err
	}
	release, err := p.take(ctx, cred.User, download)
	if err != nil {
		return nil, err
	}
	s, err := p.dial(ctx, cred)
	if err != nil {
		release()
		return nil, err
	}
	s.release = release
	return s, nil
}

// dial connects and authenticates, in a slot Dial has taken.
func (p *POP) dial(ctx context.Context, cred Credentials) (*Session, error) {
	lc, err := dialPOP(ctx, p.Server)
	if err != nil {
		return nil, err
	}
	stop := lc.watch(ctx)
	defer stop()
	host, port, _ := net.SplitHostPort(p.Server.Addr)
	portNum, _ := strconv.Atoi(port)
	pc, err := pop3.New(pop3.Opt{Host: host, Port: portNum, Dialer: handOver{lc}}).NewConn()
	if err != nil {
		// go-pop3 leaves the connection open when the greeting fails.
		lc.Close()
		return nil, &UnavailableError{Addr: p.Server.Addr, Err: err}
	}
	s := &Session{addr: p.Server.Addr, lc: lc, pc: pc}
	pre, err := p.loginCaps(ctx, s)
	if err != nil {
		s.abort()
		return nil, err
	}
	if err := s.login(ctx, pre, cred); err != nil {
		return nil, err
	}
	return s, nil
}

// authFailed closes the session and says why login failed: the server
// gone, a temporary condition (RFC 2449 / 3206 response codes), or refused
// credentials.
func (s *Session) authFailed(cmd string, err error) error {
	s.abort()
	err = s.wrap(cmd, err)
	var re *replyError
	if errors.As(err, &re) {
		if strings.Contains(re.text, "[SYS/") || strings.Contains(re.text, "[IN-USE]") {
			return &UnavailableError{Addr: s.addr, Err: err}
		}
		return ErrBadCredentials
	}
	return err
}

// wrap turns an error from go-pop3 or from our own reading into a typed one.
func (s *Session) wrap(cmd string, err error) error {
	if err == nil {
		return nil
	}
	if s.lc.failed() != nil {
		s.abort()
		return &UnavailableError{Addr: s.addr, Err: s.lc.failed()}
	}
	var re *replyError
	var pe *ProtocolError
	var ue *UnavailableError
	switch {
	case errors.As(err, &re), errors.As(err, &ue):
		return err
	case errors.As(err, &pe):
		s.abort() // out of step with the server: no further commands
		return err
	}
	// go-pop3 reports "-ERR text" as a plain error holding the text, and
	// anything else it cannot read as "unknown response".
	if strings.HasPrefix(err.Error(), "unknown response") {
		s.abort()
		return &ProtocolError{Command: cmd, Reply: truncate(err.Error(), 80)}
	}
	return &replyError{cmd: cmd, text: err.Error()}
}

// ready checks that the session can take a command: open, and any stream
// handed out before read to its end.
func (s *Session) ready() error {
	if s.closed {
		return &UnavailableError{Addr: s.addr, Err: errors.New("session closed")}
	}
	if s.inflight != nil {
		d := s.inflight
		s.streamDone()
		if err := d.drain(); err != nil {
			s.abort()
			return &UnavailableError{Addr: s.addr, Err: err}
		}
	}
	return nil
}

// simple sends a single-line command through go-pop3 and returns the text
// after +OK.
func (s *Session) simple(ctx context.Context, verb string, args ...any) (string, error) {
	if err := s.ready(); err != nil {
		return "", err
	}
	stop := s.lc.watch(ctx)
	defer stop()
	b, err := s.pc.Cmd(verb, false, args...)
	if err != nil {
		return "", s.wrap(verb, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// multi sends a command with a multi-line reply and returns the reader of
// its body; the caller reads it to the end before the next command.
func (s *Session) multi(ctx context.Context, verb string, args ...any) (*dotReader, error) {
	if err := s.ready(); err != nil {
		return nil, err
	}
	stop := s.lc.watch(ctx)
	defer stop()
	if err := s.pc.Send(commandLine(verb, args...)); err != nil {
		return nil, s.wrap(verb, err)
	}
	if _, err := s.lc.readReply(verb); err != nil {
		return nil, s.wrap(verb, err)
	}
	return newDotReader(s.lc.br), nil
}

func commandLine(verb string, args ...any) string {
	var b strings.Builder
	b.WriteString(verb)
	for _, a := range args {
		fmt.Fprintf(&b, " %v", a)
	}
	return b.String()
}

// readAll reads a multi-line body within a limit; past it the rest is
// drained and ok is false.
func (s *Session) readAll(ctx context.Context, d *dotReader, limit int64) (data []byte, ok bool, err error) {
	stop := s.lc.watch(ctx)
	defer stop()
	return s.readBody(d, limit, nil)
}

// readBody is readAll under a watch the caller keeps, onto buf[:0].
func (s *Session) readBody(d *dotReader, limit int64, buf []byte) (data []byte, ok bool, err error) {
	w := bytes.NewBuffer(buf[:0])
	_, err = w.ReadFrom(io.LimitReader(d, limit+1))
	data = w.Bytes()
	if err == nil && int64(len(data)) > limit {
		return data[:limit], false, d.drain()
	}
	if err != nil {
		return nil, false, s.wrap("read", err)
	}
	return data, true, nil
}

// stat learns the message count and total size once per session.
func (s *Session) stat(ctx context.Context) error {
	if s.statDone {
		return nil
	}
	// Not go-pop3's Stat: it panics on a bare "+OK".
	text, err := s.simple(ctx, "STAT")
	if err != nil {
		return err
	}
	return s.setStat(text)
}

// Count returns the number of messages in the mailbox.
func (s *Session) Count(ctx context.Context) (int, error) {
	err := s.stat(ctx)
	return s.count, err
}

// Close ends the session with QUIT, which commits deletions, and closes
// the connection whatever QUIT says; it waits for QUIT's reply only when
// there are deletions to commit. It is safe to call more than once.
func (s *Session) Close() error {
	if s.closed {
		return nil
	}
	if s.inflight != nil && !s.inflight.done {
		// A stream was left unread: nothing to commit, just hang up.
		s.abort()
		return nil
	}
	s.streamDone()
	s.closed = true
	defer s.done()
	defer s.lc.Close() // go-pop3's Quit leaves it open when QUIT fails
	if !s.marked {
		// Nothing for QUIT to commit: say it, but do not wait for the
		// reply, which would only keep the page waiting
		s.lc.Write([]byte("QUIT\r\n"))
		return nil
	}
	stop := s.lc.watch(context.Background())
	defer stop()
	if err := s.pc.Quit(); err != nil {
		return s.wrap("QUIT", err)
	}
	return nil
}

// outOfStep hangs up on a reply we cannot read and reports it: a server
// that says something unexpected may not be in step with us any more, and
// a QUIT on Close would only wait out the command timeout.
func (s *Session) outOfStep(cmd, reply string) error {
	s.abort()
	return &ProtocolError{Command: cmd, Reply: truncate(reply, 80)}
}

// abort hangs up without QUIT: the server commits no deletions.
func (s *Session) abort() {
	s.done()
	s.closed = true
	s.streamDone()
	s.lc.Close()
}

// streamDone forgets the stream Open handed out, which is over.
func (s *Session) streamDone() {
	if s.unwatch != nil {
		s.unwatch()
		s.unwatch = nil
	}
	s.inflight = nil
}

// done gives the session's slot back, once.
func (s *Session) done() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}
