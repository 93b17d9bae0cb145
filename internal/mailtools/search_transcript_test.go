package mailtools

import (
	"context"
	"testing"
)

// TestSearchTranscript: a search writes its window of TOP commands at
// once, then names the matches (UIDL n, LIST n) in a second pipelined
// write; a message the server refuses is skipped.
func TestSearchTranscript(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 3 300\r\n"},
		{expect: "CAPA", reply: "+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n"},
		{expect: "TOP 3 0", ahead: 2}, {expect: "TOP 2 0"}, {expect: "TOP 1 0", reply: "" +
			"+OK\r\n" + hdrB + ".\r\n" +
			"-ERR Message 2 expunged.\r\n" +
			"+OK\r\nFrom: =?UTF-8?Q?B=C3=A9a?= <bea@example.test>\r\nSubject: A\r\n\r\n.\r\n"},
		{expect: "UIDL 3", ahead: 1}, {expect: "LIST 3", reply: "+OK 3 u-three\r\n+OK 3 120\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	var got []Summary
	res, err := s.Search(context.Background(), Query{Words: []string{"B@EXAMPLE"}, Field: SearchFrom}, nil, SearchBounds{},
		func(m Summary) error { got = append(got, m); return nil })
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if res.Scanned != 3 || res.Found != 1 || res.Next != nil || len(got) != 1 ||
		got[0].Ref != (Ref{3, "uu-three"}) || got[0].Size != 120 || got[0].Envelope.Subject != "B" {
		t.Errorf("got %+v, found %+v; want message 3 (b@example.test), named and sized", res, got)
	}
	s.Close()
	srv.transcript()
}
