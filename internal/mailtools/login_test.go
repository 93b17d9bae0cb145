package mailtools

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
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

// pipelinedLogin is a login to a server that offers PIPELINING, with
// count messages.
func pipelinedLogin(count int) []step {
	return []step{
		{expect: "CAPA", reply: capaPipelining},
		{expect: "USER ann", reply: "+OK\r\n", ahead: 3},
		{expect: "PASS pw", reply: "+OK\r\n"},
		{expect: "STAT", reply: "+OK " + strconv.Itoa(count) + " 300\r\n"},
		{expect: "CAPA", reply: capaPipelining},
	}
}

// With PIPELINING, OpenAround is one round trip: the message's UIDL, its
// neighbours', LIST and RETR are written together.
func TestOpenAroundPipelined(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(pipelinedLogin(3), []step{
		{expect: "UIDL 2", reply: "+OK 2 u-b\r\n", ahead: 4},
		{expect: "UIDL 3", reply: "+OK 3 u-c\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "LIST 2", reply: "+OK 2 100\r\n"},
		{expect: "RETR 2", reply: "+OK\r\n" + hdrB + "body\r\n.\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	st, newer, older, err := s.OpenAround(context.Background(), Ref{2, "uu-b"})
	if err != nil {
		t.Fatalf("OpenAround: %v", err)
	}
	if newer == nil || *newer != (Ref{3, "uu-c"}) || older == nil || *older != (Ref{1, "uu-a"}) || st.Size != 100 {
		t.Errorf("got newer %v, older %v, size %d", newer, older, st.Size)
	}
	if raw, err := io.ReadAll(st); err != nil || string(raw) != hdrB+"body\r\n" {
		t.Errorf("stream: %q, %v", raw, err)
	}
	s.Close()
	srv.transcript()
}

// When the message is no longer at its listed number, the pipelined
// replies are read past, the other message's body unseen, and the message
// is found where it went.
func TestOpenAroundPipelinedMessageMoved(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(pipelinedLogin(2), []step{
		{expect: "UIDL 2", reply: "+OK 2 u-other\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-b\r\n"},
		{expect: "LIST 2", reply: "+OK 2 100\r\n"},
		{expect: "RETR 2", reply: "+OK\r\nSubject: not this one\r\n\r\nsecret\r\n.\r\n"},
		{expect: "UIDL 2", reply: "+OK 2 u-other\r\n"},
		{expect: "UIDL", reply: "+OK\r\n1 u-b\r\n2 u-other\r\n.\r\n"},
		{expect: "UIDL 2", reply: "+OK 2 u-other\r\n"},
		{expect: "LIST 1", reply: "+OK 1 100\r\n"},
		{expect: "RETR 1", reply: "+OK\r\n" + hdrB + "body\r\n.\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	st, newer, older, err := s.OpenAround(context.Background(), Ref{2, "uu-b"})
	if err != nil {
		t.Fatalf("OpenAround: %v", err)
	}
	if st.Ref != (Ref{1, "uu-b"}) || newer == nil || *newer != (Ref{2, "uu-other"}) || older != nil {
		t.Errorf("got %v, newer %v, older %v; want message 1 and its newer neighbour", st.Ref, newer, older)
	}
	if raw, err := io.ReadAll(st); err != nil || string(raw) != hdrB+"body\r\n" {
		t.Errorf("stream: %q, %v; want the moved message, never the other", raw, err)
	}
	s.Close()
	srv.transcript()
}

// roundTrip is one round trip of a pipelining client: the server reads
// every line before it answers, all at once, so a client that waited for
// a reply in between would never get one.
func roundTrip(lines []string, replies string) []step {
	out := make([]step, len(lines))
	for i, l := range lines {
		out[i] = step{expect: l}
	}
	out[0].ahead = len(lines) - 1
	out[len(out)-1].reply = replies
	return out
}

// A page's session, once the POP knows the server's capabilities, costs
// two round trips with PIPELINING: the login with STAT and CAPA, then the
// page's commands; QUIT is not waited for.
func TestPageRoundTrips(t *testing.T) {
	login := roundTrip([]string{"USER ann", "PASS pw", "STAT", "CAPA"}, "+OK\r\n+OK\r\n+OK 3 300\r\n"+capaPipelining)
	tests := []struct {
		name string
		page []step
		run  func(*Session) error
	}{
		{"list", roundTrip([]string{"UIDL 3", "LIST 3", "TOP 3 0", "UIDL 2", "LIST 2", "TOP 2 0"},
			"+OK 3 u-c\r\n+OK 3 100\r\n+OK\r\n"+hdrA+".\r\n+OK 2 u-b\r\n+OK 2 100\r\n+OK\r\n"+hdrB+".\r\n"),
			func(s *Session) error {
				l, err := s.List(context.Background(), 0, 2)
				if err == nil && len(l.Messages) != 2 {
					t.Errorf("got %d rows, want 2", len(l.Messages))
				}
				return err
			}},
		{"view", roundTrip([]string{"UIDL 2", "UIDL 3", "UIDL 1", "LIST 2", "RETR 2"},
			"+OK 2 u-b\r\n+OK 3 u-c\r\n+OK 1 u-a\r\n+OK 2 100\r\n+OK\r\n"+hdrB+"body\r\n.\r\n"),
			func(s *Session) error {
				st, _, _, err := s.OpenAround(context.Background(), Ref{2, "uu-b"})
				if err != nil {
					return err
				}
				raw, err := io.ReadAll(st)
				if string(raw) != hdrB+"body\r\n" {
					t.Errorf("stream: got %q", raw)
				}
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, "+OK\r\n", steps(login, tt.page, []step{{expect: "QUIT"}})...)
			p := testPOP(srv.addr())
			p.preauth = parseCapa([]byte("PIPELINING\r\n"))
			s := dialTest(t, p)
			if err := tt.run(s); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			srv.transcript()
		})
	}
}

// A message another client expunged is gone, in the pipelined view as in
// Open, and the session stays in step: Close still says QUIT.
func TestOpenAroundPipelinedExpunged(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(pipelinedLogin(2), []step{
		{expect: "UIDL 2", reply: "+OK 2 u-b\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "LIST 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "RETR 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	_, _, _, err := s.OpenAround(context.Background(), Ref{2, "uu-b"})
	var se *SyncError
	if !errors.As(err, &se) || !errors.Is(err, ErrMessageGone) {
		t.Fatalf("OpenAround: got %v, want a SyncError with ErrMessageGone", err)
	}
	s.Close()
	if got, _ := srv.transcript(); !strings.HasSuffix(got, "QUIT\r\n") {
		t.Errorf("want QUIT at the end; client wrote:\n%s", got)
	}
}

// When the message moved and what holds its number now was expunged, the
// refusals are read past and the message is found where it went.
func TestOpenAroundPipelinedMovedPastAnExpunged(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(pipelinedLogin(2), []step{
		{expect: "UIDL 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-b\r\n"},
		{expect: "LIST 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "RETR 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "UIDL 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "UIDL", reply: "+OK\r\n1 u-b\r\n.\r\n"},
		{expect: "UIDL 2", reply: "-ERR Message 2 expunged.\r\n"},
		{expect: "LIST 1", reply: "+OK 1 100\r\n"},
		{expect: "RETR 1", reply: "+OK\r\n" + hdrB + "body\r\n.\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	st, newer, older, err := s.OpenAround(context.Background(), Ref{2, "uu-b"})
	if err != nil {
		t.Fatalf("OpenAround: %v", err)
	}
	if st.Ref != (Ref{1, "uu-b"}) || newer != nil || older != nil {
		t.Errorf("got %v, newer %v, older %v; want message 1 and no neighbours", st.Ref, newer, older)
	}
	if raw, err := io.ReadAll(st); err != nil || string(raw) != hdrB+"body\r\n" {
		t.Errorf("stream: %q, %v", raw, err)
	}
	s.Close()
	srv.transcript()
}
