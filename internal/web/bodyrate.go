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
	MaxBodyDeadline    = 10 * time.Minute // the longest a body may take in all, unless set otherwise
)

// defaultBodyDeadline is the time a body of size bytes takes at minRate
// after a first stall, but at most MaxBodyDeadline: at the default pace a
// 25 MB form could otherwise hold its connection for 1.8 hours.
func defaultBodyDeadline(size int64, stall time.Duration, minRate int64) time.Duration {
	d := stall + time.Duration(float64(size)/float64(minRate)*float64(time.Second))
	return min(d, MaxBodyDeadline)
}

// errSlowBody: the body stalled or trickled below the minimum rate, and
// the connection was given up.
var errSlowBody = errors.New("request body too slow")

// slowBodies holds request bodies to a minimum pace: each read must bring
// bytes within stall, past the first stall window the average must stay at
// minRate, and the whole body must have come within deadline. So a
// trickling upload cannot hold its connection for the server's whole read
// timeout, nor a steady one for hours.
func (s *server) slowBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			p := &paceReader{rc: r.Body, ctl: http.NewResponseController(w),
				stall: s.cfg.BodyStall, minRate: s.cfg.MinBodyRate, deadline: s.cfg.BodyDeadline, now: time.Now}
			w = &unreadBody{ResponseWriter: w, r: r, body: r.Body, pace: p}
			r.Body = p
		}
		next.ServeHTTP(w, r)
	})
}

// unreadBody gives the server its own body back when a response begins
// before the body was read to its end (a form refused after its token).
// The server then closes the connection after the response when much of
// the body is left; for a body it does not know, it would first read up
// to 256 KB more at the sender's pace, and the refusal would wait for as
// long as the sender trickles. r must be the request the server passed in.
type unreadBody struct {
	http.ResponseWriter
	r     *http.Request
	body  io.ReadCloser
	pace  *paceReader
	wrote bool
}

func (u *unreadBody) WriteHeader(code int) {
	if !u.wrote {
		u.wrote = true
		if !u.pace.eof {
			u.r.Body = u.body
		}
	}
	u.ResponseWriter.WriteHeader(code)
}

func (u *unreadBody) Write(b []byte) (int, error) {
	if !u.wrote {
		u.WriteHeader(http.StatusOK)
	}
	return u.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (u *unreadBody) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// paceReader enforces the pace on one body, from its first read. The
// socket's read deadline (through http.ResponseController) ends a stall or
// the body's time; now is the clock of the average and of the deadline.
type paceReader struct {
	rc       io.ReadCloser
	ctl      *http.ResponseController
	stall    time.Duration
	minRate  int64
	deadline time.Duration
	now      func() time.Time

	start time.Time
	n     int64
	err   error
	eof   bool // the body was read to its end
}

func (p *paceReader) Read(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	elapsed := now.Sub(p.start)
	if elapsed >= p.deadline || elapsed > p.stall && float64(p.n) < float64(p.minRate)*elapsed.Seconds() {
		p.err = errSlowBody
		return 0, p.err
	}
	// Without a connection to set a deadline on (a test's recorder), the
	// average and the body's time alone apply.
	next := now.Add(p.stall)
	if end := p.start.Add(p.deadline); end.Before(next) {
		next = end
	}
	_ = p.ctl.SetReadDeadline(next)
	n, err := p.rc.Read(b)
	p.n += int64(n)
	var t interface{ Timeout() bool }
	switch {
	case err != nil && errors.As(err, &t) && t.Timeout():
		p.err = errSlowBody
		return n, p.err
	case errors.Is(err, io.EOF):
		p.eof = true
		// Done: the handler may take its time now (sending mail), and the
		// server's watch for a client that goes away must not time out.
		_ = p.ctl.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (p *paceReader) Close() error { return p.rc.Close() }
