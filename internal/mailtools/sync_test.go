package mailtools

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

const (
	hdrA = "From: a@example.test\r\nSubject: A\r\nMessage-ID: <a@x>\r\n\r\n"
	hdrB = "From: b@example.test\r\nSubject: B\r\nMessage-ID: <b@x>\r\n\r\n"
)

func TestListPipelinesOnlyThePageRows(t *testing.T) {
	// The server answers nothing until it has read every command of the
	// page: a client that waited for each reply would time out here.
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 5 500\r\n"},
		{expect: "CAPA", reply: "+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n"},
		{expect: "UIDL 4"}, {expect: "LIST 4"}, {expect: "TOP 4 0"},
		{expect: "UIDL 3"}, {expect: "LIST 3"}, {expect: "TOP 3 0", reply: "" +
			"+OK 4 u-four\r\n+OK 4 120\r\n+OK\r\n" + hdrB + ".\r\n" +
			"+OK 3 u-three\r\n+OK 3 99\r\n+OK\r\n" + hdrA + ".\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	l, err := s.List(context.Background(), 1, 2)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if l.Count != 5 || l.TotalSize != 500 || l.Offset != 1 {
		t.Errorf("listing: got count %d size %d offset %d, want 5 500 1", l.Count, l.TotalSize, l.Offset)
	}
	want := []struct {
		ref     Ref
		size    int64
		subject string
	}{
		{Ref{4, "uu-four"}, 120, "B"},
		{Ref{3, "uu-three"}, 99, "A"},
	}
	if len(l.Messages) != len(want) {
		t.Fatalf("got %d rows, want %d", len(l.Messages), len(want))
	}
	for i, w := range want {
		m := l.Messages[i]
		if m.Ref != w.ref || m.Size != w.size || m.Envelope.Subject != w.subject {
			t.Errorf("row %d: got %v %d %q, want %v %d %q", i, m.Ref, m.Size, m.Envelope.Subject, w.ref, w.size, w.subject)
		}
	}
	s.Close()
	srv.transcript()
}

func TestListWithoutUIDLUsesHeaderFingerprints(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 1 50\r\n"},
		{expect: "CAPA", reply: capaNoUID},
		{expect: "LIST 1", reply: "+OK 1 50\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\nStatus: RO\r\n" + hdrA + ".\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	l, err := s.List(context.Background(), 0, 50)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	// Status: is left out of the fingerprint, so it matches the bare header.
	if got, want := l.Messages[0].Ref, (Ref{1, headerFingerprint([]byte(hdrA))}); got != want {
		t.Errorf("ref: got %v, want %v", got, want)
	}
	s.Close()
	srv.transcript()
}

func TestFingerprintIgnoresVolatileFields(t *testing.T) {
	base := headerFingerprint([]byte(hdrA))
	for name, hdr := range map[string]string{
		"status":     "Status: RO\r\n" + hdrA,
		"x-status":   "X-Status: A\r\n" + hdrA,
		"x-uid":      hdrA[:len(hdrA)-2] + "X-UID: 42\r\n\r\n",
		"keywords":   "X-Keywords: $Forwarded\r\n  more\r\n" + hdrA,
		"lf endings": strings.ReplaceAll(hdrA, "\r\n", "\n"),
	} {
		if got := headerFingerprint([]byte(hdr)); got != base {
			t.Errorf("%s: fingerprint changed: got %q, want %q", name, got, base)
		}
	}
	if headerFingerprint([]byte(hdrB)) == base {
		t.Error("different headers have the same fingerprint")
	}
}

func TestSyncChecks(t *testing.T) {
	tests := []struct {
		name    string
		ref     Ref
		script  []step
		wantErr error
		wantNum int
	}{
		{
			name: "uidl still in place",
			ref:  Ref{2, "uu-b"},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
				{expect: "CAPA", reply: capaPlain},
				{expect: "UIDL 2", reply: "+OK 2 u-b\r\n"},
			},
			wantNum: 2,
		},
		{
			name: "uidl moved after a deletion",
			ref:  Ref{3, "uu-c"},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
				{expect: "CAPA", reply: capaPlain},
				{expect: "UIDL", reply: "+OK\r\n1 u-a\r\n2 u-c\r\n.\r\n"},
			},
			wantNum: 2,
		},
		{
			name: "uidl gone",
			ref:  Ref{2, "uu-b"},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
				{expect: "CAPA", reply: capaPlain},
				{expect: "UIDL 2", reply: "+OK 2 u-c\r\n"},
				{expect: "UIDL", reply: "+OK\r\n1 u-a\r\n2 u-c\r\n.\r\n"},
			},
			wantErr: ErrMessageGone,
		},
		{
			name: "server lost UIDL",
			ref:  Ref{1, "uu-a"},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
				{expect: "CAPA", reply: capaNoUID},
			},
			wantErr: ErrInboxChanged,
		},
		{
			name: "header still matches",
			ref:  Ref{1, headerFingerprint([]byte(hdrA))},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
				{expect: "TOP 1 0", reply: "+OK\r\n" + hdrA + ".\r\n"},
			},
			wantNum: 1,
		},
		{
			name: "header differs",
			ref:  Ref{1, headerFingerprint([]byte(hdrA))},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
				{expect: "TOP 1 0", reply: "+OK\r\n" + hdrB + ".\r\n"},
			},
			wantErr: ErrInboxChanged,
		},
		{
			name: "number past the end",
			ref:  Ref{3, headerFingerprint([]byte(hdrA))},
			script: []step{
				{expect: "STAT", reply: "+OK 2 200\r\n"},
			},
			wantErr: ErrInboxChanged,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), tt.script, []step{{expect: "QUIT", reply: "+OK\r\n"}})...)
			s := dialTest(t, testPOP(srv.addr()))
			n, err := s.resolve(context.Background(), tt.ref)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("resolve: got %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				var se *SyncError
				if !errors.As(err, &se) || se.Ref != tt.ref {
					t.Errorf("error %v does not name the ref %v", err, tt.ref)
				}
			}
			if n != tt.wantNum {
				t.Errorf("number: got %d, want %d", n, tt.wantNum)
			}
			s.Close()
			srv.transcript()
		})
	}
}

func TestDeleteIsAllOrNothing(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 2 200\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + hdrA + ".\r\n"},
		{expect: "TOP 2 0", reply: "+OK\r\n" + hdrA + ".\r\n"}, // not B any more
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	refs := []Ref{{1, headerFingerprint([]byte(hdrA))}, {2, headerFingerprint([]byte(hdrB))}}
	_, err := s.Delete(context.Background(), refs)
	var se *SyncError
	if !errors.As(err, &se) || se.Ref != refs[1] || !errors.Is(err, ErrInboxChanged) {
		t.Fatalf("Delete: got %v, want a SyncError for %v", err, refs[1])
	}
	if got, _ := srv.transcript(); strings.Contains(got, "DELE") {
		t.Errorf("DELE sent although a check failed:\n%s", got)
	}
}

func TestDeleteMarksThenCommits(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 3 300\r\n"},
		{expect: "CAPA", reply: capaPlain},
		{expect: "UIDL 3", reply: "+OK 3 u-c\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "TOP 3 0", reply: "+OK\r\n" + hdrB + ".\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + hdrA + ".\r\n"},
		{expect: "DELE 3", reply: "+OK\r\n"},
		{expect: "DELE 1", reply: "+OK\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	// The same message twice is deleted once.
	envs, err := s.Delete(context.Background(), []Ref{{3, "uu-c"}, {1, "uu-a"}, {3, "uu-c"}})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if len(envs) != 2 || envs[0].Subject != "B" || envs[1].Subject != "A" {
		t.Errorf("deleted envelopes: got %+v, want B then A", envs)
	}
	srv.transcript()
}

func TestDeleteRefusedByServerHangsUpWithoutQuit(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 2 200\r\n"},
		{expect: "CAPA", reply: capaPlain},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "UIDL 2", reply: "+OK 2 u-b\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + hdrA + ".\r\n"},
		{expect: "TOP 2 0", reply: "+OK\r\n" + hdrB + ".\r\n"},
		{expect: "DELE 1", reply: "+OK\r\n"},
		{expect: "DELE 2", reply: "-ERR no\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	if _, err := s.Delete(context.Background(), []Ref{{1, "uu-a"}, {2, "uu-b"}}); err == nil {
		t.Fatal("Delete: got nil, want the DELE failure")
	}
	if got, closed := srv.transcript(); strings.Contains(got, "QUIT") || !closed {
		t.Errorf("want a hang-up without QUIT (which would commit DELE 1); client wrote:\n%s", got)
	}
}

// Dovecot keeps a session's numbering when another client expunges a
// message, but refuses to hand it out: that is a vanished message, not a
// server fault.
func TestExpungedDuringSession(t *testing.T) {
	t.Run("fetch", func(t *testing.T) {
		srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
			{expect: "STAT", reply: "+OK 2 200\r\n"},
			{expect: "CAPA", reply: capaPlain},
			{expect: "UIDL 2", reply: "+OK 2 u-b\r\n"},
			{expect: "LIST 2", reply: "+OK 2 100\r\n"},
			{expect: "RETR 2", reply: "-ERR Message 2 expunged.\r\n"},
			{expect: "QUIT", reply: "+OK\r\n"},
		})...)
		s := dialTest(t, testPOP(srv.addr()))
		_, err := fetchAll(context.Background(), s, Ref{2, "uu-b"})
		var se *SyncError
		if !errors.As(err, &se) || !errors.Is(err, ErrMessageGone) || se.Ref != (Ref{2, "uu-b"}) {
			t.Fatalf("Fetch: got %v, want a SyncError with ErrMessageGone", err)
		}
		s.Close()
		srv.transcript()
	})
	t.Run("header check", func(t *testing.T) {
		srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
			{expect: "STAT", reply: "+OK 2 200\r\n"},
			{expect: "TOP 2 0", reply: "-ERR Message 2 expunged.\r\n"},
			{expect: "QUIT", reply: "+OK\r\n"},
		})...)
		s := dialTest(t, testPOP(srv.addr()))
		// The number may hold another message by now: "changed", not "gone".
		_, err := s.Delete(context.Background(), []Ref{{2, headerFingerprint([]byte(hdrB))}})
		if !errors.Is(err, ErrInboxChanged) {
			t.Fatalf("Delete: got %v, want ErrInboxChanged", err)
		}
		if got, _ := srv.transcript(); strings.Contains(got, "DELE") {
			t.Errorf("DELE sent:\n%s", got)
		}
	})
	t.Run("list leaves the row out", func(t *testing.T) {
		srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
			{expect: "STAT", reply: "+OK 2 200\r\n"},
			{expect: "CAPA", reply: capaNoUID},
			{expect: "LIST 2", reply: "+OK 2 100\r\n"},
			{expect: "TOP 2 0", reply: "+OK\r\n" + hdrB + ".\r\n"},
			{expect: "LIST 1", reply: "-ERR Message 1 expunged.\r\n"},
			{expect: "TOP 1 0", reply: "-ERR Message 1 expunged.\r\n"},
			{expect: "QUIT", reply: "+OK\r\n"},
		})...)
		s := dialTest(t, testPOP(srv.addr()))
		l, err := s.List(context.Background(), 0, 10)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		if len(l.Messages) != 1 || l.Messages[0].Envelope.Subject != "B" {
			t.Errorf("got %d rows (%+v), want only B", len(l.Messages), l.Messages)
		}
		s.Close()
		srv.transcript()
	})
}

// Check, for the "delete for good?" page, checks and reads the headers
// exactly as Delete does, and ends with QUIT without a DELE.
func TestCheckDeletesNothing(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 3 300\r\n"},
		{expect: "CAPA", reply: capaPlain},
		{expect: "UIDL 3", reply: "+OK 3 u-c\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "TOP 3 0", reply: "+OK\r\n" + hdrB + ".\r\n"},
		{expect: "TOP 1 0", reply: "+OK\r\n" + hdrA + ".\r\n"},
		{expect: "QUIT", reply: "+OK\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	refs, envs, err := s.Check(context.Background(), []Ref{{3, "uu-c"}, {1, "uu-a"}, {3, "uu-c"}})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(refs) != 2 || refs[0] != (Ref{3, "uu-c"}) || refs[1] != (Ref{1, "uu-a"}) {
		t.Errorf("refs: got %v", refs)
	}
	if len(envs) != 2 || envs[0].Subject != "B" || envs[1].Subject != "A" {
		t.Errorf("envelopes: got %+v, want B then A", envs)
	}
	if wrote, _ := srv.transcript(); strings.Contains(wrote, "DELE") {
		t.Errorf("Check sent DELE: %q", wrote)
	}
}

// OpenAround names the neighbours before RETR, so a page may stop reading
// the message: Close then hangs up without QUIT.
func TestOpenAroundThenStopReading(t *testing.T) {
	srv := newScriptServer(t, "+OK\r\n", steps(loginSteps(), []step{
		{expect: "STAT", reply: "+OK 3 300\r\n"},
		{expect: "CAPA", reply: capaPlain},
		{expect: "UIDL 2", reply: "+OK 2 u-b\r\n"},
		{expect: "UIDL 3", reply: "+OK 3 u-c\r\n"},
		{expect: "UIDL 1", reply: "+OK 1 u-a\r\n"},
		{expect: "LIST 2", reply: "+OK 2 100\r\n"},
		{expect: "RETR 2", reply: "+OK\r\n" + hdrB + "a long body\r\n"},
	})...)
	s := dialTest(t, testPOP(srv.addr()))
	st, newer, older, err := s.OpenAround(context.Background(), Ref{2, "uu-b"})
	if err != nil {
		t.Fatalf("OpenAround: %v", err)
	}
	if newer == nil || *newer != (Ref{3, "uu-c"}) || older == nil || *older != (Ref{1, "uu-a"}) || st.Ref.Num != 2 {
		t.Errorf("got newer %v, older %v, number %d", newer, older, st.Ref.Num)
	}
	if _, err := io.ReadFull(st, make([]byte, len(hdrB))); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got, closed := srv.transcript(); strings.Contains(got, "QUIT") || !closed {
		t.Errorf("want a hang-up without QUIT; client wrote:\n%s", got)
	}
}
