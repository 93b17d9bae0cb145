package web

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// Defaults for how slowly a request body may arrive.
const (
	DefaultBodyStall   = 10 * time.Second // the longest wait for the next bytes
	DefaultMinBodyRate = 4 << 10          // bytes per second, on average, past the first stall window
)

// errSlowBody: the body stalled or trickled below the minimum rate, and
// the connection was given up.
var errSlowBody = errors.New("request body too slow")

// slowBodies holds request bodies to a minimum pace: each read must bring
// bytes within stall, and past the first stall window the average must
// stay at minRate. So a trickling upload cannot hold its connection for the
// server's whole read timeout.
func (s *server) slowBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = &paceReader{rc: r.Body, ctl: http.NewResponseController(w),
				stall: s.cfg.BodyStall, minRate: s.cfg.MinBodyRate, now: time.Now}
		}
		next.ServeHTTP(w, r)
	})
}

// paceReader enforces the pace on one body. The deadline is the socket's,
// through http.ResponseController; now is the clock of the average.
type paceReader struct {
	rc      io.ReadCloser
	ctl     *http.ResponseController
	stall   time.Duration
	minRate int64
	now     func() time.Time

	start time.Time
	n     int64
	err   error
}

func (p *paceReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	if elapsed := now.Sub(p.start); elapsed > p.stall && float64(p.n) < float64(p.minRate)*elapsed.Seconds() {
		p.err = errSlowBody
		return 0, p.err
	}
	// Without a connection to set a deadline on (a test's recorder), the
	// average alone applies.
	_ = p.ctl.SetReadDeadline(now.Add(p.stall))
	n, err := p.rc.Read(b)
	p.n += int64(n)
	var t interface{ Timeout() bool }
	switch {
	case err != nil && errors.As(err, &t) && t.Timeout():
		p.err = errSlowBody
		return n, p.err
	case errors.Is(err, io.EOF):
		// Done: the handler may take its time now (sending mail), and the
		// server's watch for a client that goes away must not time out.
		_ = p.ctl.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (p *paceReader) Close() error { return p.rc.Close() }
