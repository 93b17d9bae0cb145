package mailtools

import (
	"context"
	"testing"
)

// A header of raw 8-bit text whose charset only its first text part
// declares is read again with the start of its body, so that the list
// shows what the view shows; the other rows cost nothing more.
func TestListReadsThePartCharsetOnlyWhenNeeded(t *testing.T) {
	// "Żółw" in ISO-8859-2; read as Latin-1 it would be "¯ó³w"
	const raw8 = "From: z@example.test\r\nSubject: \xaf\xf3\xb3w\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
	const start = raw8 + "preamble\r\n--b\r\nContent-Type: text/plain; charset=iso-8859-2\r\n\r\nbody\r\n"
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 2 200\r\n"},
		{expect: "CAPA", reply: "+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n"},
		{expect: "UIDL 2"}, {expect: "LIST 2"}, {expect: "TOP 2 0"},
		{expect: "UIDL 1"}, {expect: "LIST 1"}, {expect: "TOP 1 0", reply: "" +
			"+OK 2 u-two\r\n+OK 2 100\r\n+OK\r\n" + raw8 + ".\r\n" +
			"+OK 1 u-one\r\n+OK 1 100\r\n+OK\r\n" + hdrA + ".\r\n"},
		{expect: "TOP 2 40", reply: "+OK\r\n" + start + ".\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	l, err := s.List(context.Background(), 0, 2)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(l.Messages) != 2 {
		t.Fatalf("got %d rows, want 2", len(l.Messages))
	}
	for i, want := range []string{"Żółw", "A"} {
		if got := l.Messages[i].Envelope.Subject; got != want {
			t.Errorf("row %d: subject %q, want %q", i, got, want)
		}
	}
	if !l.Messages[0].HasAttachments {
		t.Error("row 0: the multipart/mixed lost its attachment mark")
	}
	s.Close()
	srv.transcript()
}
