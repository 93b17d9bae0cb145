package mailtools

import (
	"context"
	"slices"
	"testing"

	"gomailcgi/internal/mailmsg"
)

// TestNewestPipelined: the newest messages' headers in one write, the
// server answering only once it has read them all; a refused one is left
// out.
func TestNewestPipelined(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 3 300\r\n"},
		{expect: "CAPA", reply: "+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n"},
		{expect: "TOP 3 0"}, {expect: "TOP 2 0"}, {expect: "TOP 1 0", reply: "" +
			"+OK\r\n" + hdrB + ".\r\n" +
			"-ERR Message 2 expunged.\r\n" +
			"+OK\r\n" + hdrA + ".\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	var got []string
	if err := s.Newest(context.Background(), 5, func(env mailmsg.Envelope) { got = append(got, env.Subject) }); err != nil {
		t.Fatalf("Newest: %v", err)
	}
	if want := []string{"B", "A"}; !slices.Equal(got, want) {
		t.Errorf("got subjects %q, want %q", got, want)
	}
	s.Close()
	srv.transcript()
}
