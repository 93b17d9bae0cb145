package mailtools

import (
	"context"
	"errors"
	"testing"
)

// capaPipelining is a CAPA reply that offers PIPELINING.
const capaPipelining = "+OK\r\nUSER\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n"

// A server that offers PIPELINING gets USER, PASS, STAT and CAPA in one
// write; the session starts knowing the count and the capabilities, and
// the next session of the same POP does not ask CAPA before login again.
func TestLoginPipelined(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n",
		step{expect: "CAPA", reply: capaPipelining},
		step{expect: "USER ann", reply: "+OK\r\n", ahead: 3},
		step{expect: "PASS pw", reply: "+OK logged in\r\n"},
		step{expect: "STAT", reply: "+OK 2 200\r\n"},
		step{expect: "CAPA", reply: capaPipelining},
		step{expect: "QUIT", reply: "+OK\r\n"},
	)
	p := testPOP(srv.addr())
	s := dialTest(t, p)
	if !s.statDone || s.count != 2 || s.total != 200 || s.caps == nil || !s.caps.uidl || !s.caps.pipelining {
		t.Errorf("after login: count %d, total %d, caps %+v; want 2, 200 and UIDL with PIPELINING", s.count, s.total, s.caps)
	}
	// Known now: no command goes out for them.
	if n, err := s.Count(context.Background()); n != 2 || err != nil {
		t.Errorf("Count: got %d, %v", n, err)
	}
	if has, err := s.hasUIDL(context.Background()); !has || err != nil {
		t.Errorf("hasUIDL: got %v, %v", has, err)
	}
	s.Close()
	srv.transcript()

	again := newScriptServer(t, "+OK\r\n",
		step{expect: "USER ann", reply: "+OK\r\n", ahead: 3},
		step{expect: "PASS pw", reply: "+OK logged in\r\n"},
		step{expect: "STAT", reply: "+OK 0 0\r\n"},
		step{expect: "CAPA", reply: capaPipelining},
		step{expect: "QUIT", reply: "+OK\r\n"},
	)
	p.Server.Addr = again.addr()
	dialTest(t, p).Close()
	again.transcript()
}

func TestLoginPipelinedRefused(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  func(error) bool
	}{
		{"password", []step{
			{expect: "USER ann", reply: "+OK\r\n"},
			{expect: "PASS pw", reply: "-ERR [AUTH] Authentication failed.\r\n"},
		}, func(err error) bool { return errors.Is(err, ErrBadCredentials) }},
		{"mailbox in use", []step{
			{expect: "USER ann", reply: "+OK\r\n"},
			{expect: "PASS pw", reply: "-ERR [IN-USE] try later\r\n"},
		}, func(err error) bool { var ue *UnavailableError; return errors.As(err, &ue) }},
		{"STAT", []step{
			{expect: "USER ann", reply: "+OK\r\n"},
			{expect: "PASS pw", reply: "+OK\r\n"},
			{expect: "STAT", reply: "+OK many\r\n"},
		}, func(err error) bool { var pe *ProtocolError; return errors.As(err, &pe) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, "+OK\r\n", append([]step{{expect: "CAPA", reply: capaPipelining}}, tt.steps...)...)
			s, err := testPOP(srv.addr()).Dial(context.Background(), testCred)
			if err == nil || !tt.want(err) {
				t.Errorf("got %v, %v", s, err)
			}
			if _, closed := srv.transcript(); !closed {
				t.Error("the connection was left open")
			}
		})
	}
}
