package devmail

import (
	"net"
	"sync"
)

// connSet tracks live connections so Close can cut them off.
type connSet struct {
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func newConnSet() *connSet {
	return &connSet{conns: make(map[net.Conn]struct{})}
}

// add tracks c; it reports false, and tracks nothing, once the set is
// closed, and the caller must then close c itself.
func (s *connSet) add(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

// remove stops tracking c.
func (s *connSet) remove(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, c)
}

// closeAll closes every tracked connection and refuses new ones.
func (s *connSet) closeAll() {
	s.mu.Lock()
	s.closed = true
	live := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		live = append(live, c)
	}
	s.mu.Unlock()
	// Closed outside the lock: a trackedConn removes itself on Close.
	for _, c := range live {
		c.Close()
	}
}

// trackListener puts every accepted connection in a connSet; used for the
// SMTP server, whose own Close does not wait for its goroutines.
type trackListener struct {
	net.Listener
	set *connSet
}

// Accept waits for the next connection and tracks it.
func (l *trackListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		tc := &trackedConn{Conn: c, set: l.set}
		if l.set.add(tc) {
			return tc, nil
		}
		c.Close()
	}
}

// trackedConn leaves its connSet when closed.
type trackedConn struct {
	net.Conn
	set  *connSet
	once sync.Once
}

// Close closes the connection and stops tracking it.
func (c *trackedConn) Close() error {
	c.once.Do(func() { c.set.remove(c) })
	return c.Conn.Close()
}
