package mailtools

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Special replies in a fakeSMTP script.
const (
	smtpHang  = "!hang"  // stop answering, keep the connection open
	smtpClose = "!close" // hang up (after a 354: once the first data line arrives)
)

// fakeSMTP is a scripted SMTP server on a loopback listener, in the manner
// of go-smtp's client tests: replies[0] is the greeting and each further
// reply answers the next command line. It records every command line the
// client sends and the DATA bytes as they came over the wire. A 220 reply to
// STARTTLS upgrades the connection (recorded as the line "<tls>"); a 354
// reply makes it read data up to the lone dot before the next reply.
type fakeSMTP struct {
	t       *testing.T
	ln      net.Listener
	tlsConf *tls.Config
	done    chan struct{}
	quit    chan struct{}

	mu        sync.Mutex
	cmds      []string
	data      strings.Builder
	dataEnded bool // the lone dot arrived
}

// newFakeSMTP starts a server for one connection. With implicitTLS the
// listener speaks TLS from the first byte; tlsConf may be nil when
// neither TLS nor STARTTLS is used.
func newFakeSMTP(t *testing.T, tlsConf *tls.Config, implicitTLS bool, replies ...string) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicitTLS {
		ln = tls.NewListener(ln, tlsConf)
	}
	f := &fakeSMTP{t: t, ln: ln, tlsConf: tlsConf, done: make(chan struct{}), quit: make(chan struct{})}
	go f.serve(replies)
	t.Cleanup(func() {
		close(f.quit)
		ln.Close()
		select {
		case <-f.done:
		case <-time.After(5 * time.Second):
			t.Errorf("fake SMTP server did not stop")
		}
	})
	return f
}

func (f *fakeSMTP) addr() string { return f.ln.Addr().String() }

func (f *fakeSMTP) serve(replies []string) {
	defer close(f.done)
	conn, err := f.ln.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	var lastCmd string
	readCmd := false // the first reply is the greeting
	for i, reply := range replies {
		if readCmd {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lastCmd = strings.TrimSuffix(line, "\r\n")
			f.record(lastCmd)
		}
		readCmd = true
		switch reply {
		case smtpHang:
			<-f.quit
			return
		case smtpClose:
			return
		}
		if _, err := conn.Write([]byte(reply + "\r\n")); err != nil {
			return
		}
		switch {
		case strings.EqualFold(lastCmd, "STARTTLS") && strings.HasPrefix(reply, "220"):
			tc := tls.Server(conn, f.tlsConf)
			if err := tc.Handshake(); err != nil {
				f.record("<tls failed>")
				return
			}
			conn, r = tc, bufio.NewReader(tc)
			defer tc.Close()
			f.record("<tls>")
		case strings.HasPrefix(reply, "354"):
			midClose := i+1 < len(replies) && replies[i+1] == smtpClose
			if !f.readData(r, midClose) || midClose {
				return
			}
			readCmd = false // the next reply answers the end of data
			lastCmd = ""
		}
	}
	// Out of replies: record whatever else the client sends, then hang up.
	conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			f.record(strings.TrimSuffix(line, "\r\n"))
		}
		if err != nil {
			return
		}
	}
}

// readData reads the DATA block; with once it returns after one line.
func (f *fakeSMTP) readData(r *bufio.Reader, once bool) bool {
	for {
		line, err := r.ReadString('\n')
		f.mu.Lock()
		f.data.WriteString(line)
		if line == ".\r\n" {
			f.dataEnded = true
		}
		f.mu.Unlock()
		if err != nil {
			return false
		}
		if once || line == ".\r\n" {
			return true
		}
	}
}

func (f *fakeSMTP) record(line string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, line)
}

// commands waits for the session to end and returns the command lines.
func (f *fakeSMTP) commands() []string {
	f.t.Helper()
	select {
	case <-f.done:
	case <-time.After(5 * time.Second):
		f.t.Fatalf("fake SMTP session did not end")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.cmds...)
}

// message returns the DATA block with dot-stuffing undone and the final
// dot removed, as the server's store would see it.
func (f *fakeSMTP) message() (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw := strings.TrimSuffix(f.data.String(), ".\r\n")
	lines := strings.SplitAfter(raw, "\r\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, ".")
	}
	return strings.Join(lines, ""), f.dataEnded
}
