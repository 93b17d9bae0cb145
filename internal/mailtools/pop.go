package mailtools

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
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
// is for one goroutine at a time. Every command goes through exchange,
// but for the QUIT that Close writes and does not wait for.
type Session struct {
	addr string
	c    *popConn

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
	c, err := dialPOP(ctx, p.Server)
	if err != nil {
		return nil, err
	}
	s := &Session{addr: p.Server.Addr, c: c}
	pre, err := p.loginCaps(ctx, s)
	if err != nil {
		s.abort()
		return nil, err
	}
	if err := s.login(ctx, pre, cred); err != nil {
		s.abort()
		return nil, err
	}
	return s, nil
}

// wrap turns an error of the connection into a typed one; all but a
// "-ERR" reply end the session, which is out of step with the server.
func (s *Session) wrap(cmd string, err error) error {
	if err == nil {
		return nil
	}
	if f := s.c.failed(); f != nil {
		s.abort()
		return &UnavailableError{Addr: s.addr, Err: f}
	}
	var re *replyError
	var ue *UnavailableError
	if errors.As(err, &re) || errors.As(err, &ue) {
		return err
	}
	s.abort()
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return err
	}
	return &UnavailableError{Addr: s.addr, Err: fmt.Errorf("%s: %w", cmd, err)}
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

// stat learns the message count and total size once per session.
func (s *Session) stat(ctx context.Context) error {
	if s.statDone {
		return nil
	}
	return s.exchange(ctx, false, s.statCommand())
}

// statCommand is STAT, its reply kept as the count and total size.
func (s *Session) statCommand() command {
	return command{line: "STAT", reply: func(r reply) error {
		if r.err != nil {
			return r.err
		}
		f := strings.Fields(r.text)
		if len(f) < 2 {
			return &ProtocolError{Command: "STAT", Reply: truncate(r.text, 80)}
		}
		n, err1 := strconv.Atoi(f[0])
		size, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil || n < 0 || size < 0 {
			return &ProtocolError{Command: "STAT", Reply: truncate(r.text, 80)}
		}
		s.count, s.total, s.statDone = n, size, true
		return nil
	}}
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
	var err error
	if s.marked {
		err = s.exchange(context.Background(), false, simple("QUIT"))
	} else {
		// Nothing for QUIT to commit: say it, but do not wait for the
		// reply, which would only keep the page waiting
		s.c.write([]byte("QUIT\r\n"))
	}
	s.abort()
	return err
}

// abort hangs up; without a QUIT before, the server commits no deletions.
func (s *Session) abort() {
	s.done()
	s.closed = true
	s.streamDone()
	s.c.close()
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
