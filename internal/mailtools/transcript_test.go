package mailtools

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// step is one exchange of a scripted POP3 server: it reads a line from the
// client (unless expect is empty), checks it, and writes reply verbatim.
type step struct {
	expect string // the line the client must send, without CRLF
	reply  string // raw bytes to answer with (CRLFs included)
	// upgrade switches the connection to TLS after the reply is written.
	upgrade *tls.Config
	// refused: the client is expected to reject the TLS handshake.
	refused bool
	// hold keeps the server from replying until the channel closes.
	hold chan struct{}
	// hangup closes the connection after this step.
	hangup bool
	// ahead is how many more command lines must have arrived with this
	// one, sent without waiting for its reply (pipelined).
	ahead int
}

// scriptServer is a one-connection POP3 server that plays a transcript
// and records every byte the client wrote.
type scriptServer struct {
	t      *testing.T
	ln     net.Listener
	mu     sync.Mutex
	wrote  bytes.Buffer
	done   chan struct{}
	closed bool // the client closed the connection
}

func newScriptServer(t *testing.T, greeting string, steps ...step) *scriptServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptServer{t: t, ln: ln, done: make(chan struct{})}
	go s.serve(greeting, steps)
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			t.Error("script server did not finish")
		}
	})
	return s
}

func (s *scriptServer) addr() string { return s.ln.Addr().String() }

func (s *scriptServer) serve(greeting string, steps []step) {
	defer close(s.done)
	conn, err := s.ln.Accept()
	if err != nil {
		return
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	var c net.Conn = conn
	br := bufio.NewReader(c)
	c.Write([]byte(greeting))
	for i, st := range steps {
		if st.expect != "" {
			line, err := br.ReadString('\n')
			s.record(line)
			if err != nil {
				s.t.Errorf("step %d: client sent nothing more (want %q): %v", i, st.expect, err)
				return
			}
			if got := strings.TrimRight(line, "\r\n"); got != st.expect {
				s.t.Errorf("step %d: client sent %q, want %q", i, got, st.expect)
				return
			}
			if buffered, _ := br.Peek(br.Buffered()); bytes.Count(buffered, []byte("\n")) < st.ahead {
				s.t.Errorf("step %d: %q came with %q, want %d more commands sent with it", i, st.expect, buffered, st.ahead)
			}
		}
		if st.hold != nil {
			<-st.hold
		}
		if st.reply != "" {
			c.Write([]byte(st.reply))
		}
		if st.upgrade != nil {
			tc := tls.Server(conn, st.upgrade)
			if err := tc.Handshake(); err != nil {
				if st.refused {
					return
				}
				s.t.Errorf("step %d: TLS handshake: %v", i, err)
				return
			}
			if st.refused {
				s.t.Errorf("step %d: the client accepted an untrusted certificate", i)
			}
			c = tc
			br = bufio.NewReader(c)
		}
		if st.hangup {
			return
		}
	}
	// After the script: record whatever else comes until the client hangs up.
	rest := make([]byte, 4096)
	for {
		n, err := br.Read(rest)
		s.record(string(rest[:n]))
		if err != nil {
			s.mu.Lock()
			s.closed = true
			s.mu.Unlock()
			return
		}
	}
}

func (s *scriptServer) record(b string) {
	s.mu.Lock()
	s.wrote.WriteString(b)
	s.mu.Unlock()
}

// transcript waits for the conversation to end and returns what the
// client wrote, and whether it closed the connection.
func (s *scriptServer) transcript() (string, bool) {
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.t.Fatal("the client did not close the connection")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wrote.String(), s.closed
}

func testPOP(addr string) *POP {
	return &POP{Server: Server{Addr: addr, Security: SecurityInsecure, CommandTimeout: 2 * time.Second}}
}

var testCred = Credentials{User: "ann", Password: "pw"}

// capaLogin is a CAPA reply before login without PIPELINING: the login
// then goes one command at a time.
const capaLogin = "+OK\r\nUSER\r\n.\r\n"

// loginSteps is a successful USER/PASS exchange.
func loginSteps() []step {
	return []step{
		{expect: "CAPA", reply: capaLogin},
		{expect: "USER ann", reply: "+OK\r\n"},
		{expect: "PASS pw", reply: "+OK logged in\r\n"},
	}
}

func steps(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func dialTest(t *testing.T, p *POP) *Session {
	t.Helper()
	s, err := p.Dial(context.Background(), testCred)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	return s
}
