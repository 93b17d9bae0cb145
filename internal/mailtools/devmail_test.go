package mailtools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
	"gomailcgi/internal/mailmsg"
)

// These tests run mailtools against the embedded demo server, the same
// one `make run` uses; the real Dovecot runs in real_server_test.go.

func startDevmail(t *testing.T, noUIDL bool, n int) (*devmail.Server, *POP) {
	t.Helper()
	srv, err := devmail.Start(devmail.Config{Users: map[string]string{"ann": "pw"}, NoUIDL: noUIDL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for i := 1; i <= n; i++ {
		srv.Mailbox("ann").Add(numbered(i))
	}
	return srv, &POP{Server: Server{Addr: srv.POPAddr(), Security: SecurityInsecure, CommandTimeout: 5 * time.Second}}
}

func numbered(i int) []byte {
	return fmt.Appendf(nil, "From: Sender %d <s%d@example.test>\r\nTo: ann@example.test\r\nSubject: Message %d\r\nMessage-ID: <m%d@example.test>\r\nDate: Mon, 2 Nov 2026 10:%02d:00 +0000\r\n\r\nBody %d\r\n..dot line\r\n", i, i, i, i, i%60, i)
}

func modes(t *testing.T, f func(t *testing.T, noUIDL bool)) {
	for _, noUIDL := range []bool{false, true} {
		name := "uidl"
		if noUIDL {
			name = "headers"
		}
		t.Run(name, func(t *testing.T) { f(t, noUIDL) })
	}
}

func TestDevmailListPages(t *testing.T) {
	modes(t, func(t *testing.T, noUIDL bool) {
		_, pop := startDevmail(t, noUIDL, 23)
		ctx := context.Background()
		seen := map[string]bool{}
		for offset := 0; offset < 23; offset += 10 {
			s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
			if err != nil {
				t.Fatal(err)
			}
			l, err := s.List(ctx, offset, 10)
			s.Close()
			if err != nil {
				t.Fatalf("List(%d): %v", offset, err)
			}
			wantRows := min(10, 23-offset)
			if l.Count != 23 || len(l.Messages) != wantRows {
				t.Fatalf("List(%d): count %d rows %d, want 23 and %d", offset, l.Count, len(l.Messages), wantRows)
			}
			for i, m := range l.Messages {
				num := 23 - offset - i
				if want := fmt.Sprintf("Message %d", num); m.Envelope.Subject != want || m.Ref.Num != num {
					t.Errorf("row %d: got #%d %q, want #%d %q", i, m.Ref.Num, m.Envelope.Subject, num, want)
				}
				if (m.Ref.ID[0] == 'u') == noUIDL {
					t.Errorf("row %d: fingerprint %q in the wrong mode", i, m.Ref.ID)
				}
				seen[m.Ref.ID] = true
			}
		}
		if len(seen) != 23 {
			t.Errorf("got %d distinct fingerprints, want 23", len(seen))
		}
	})
}

// listAll returns the refs of every message, oldest first.
func listAll(t *testing.T, pop *POP) []Summary {
	t.Helper()
	s, err := pop.Dial(context.Background(), Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.List(context.Background(), 0, MaxPageSize)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]Summary, len(l.Messages))
	for i, m := range l.Messages {
		out[len(out)-1-i] = m
	}
	return out
}

func TestDevmailFetchAfterAnotherClientDeleted(t *testing.T) {
	modes(t, func(t *testing.T, noUIDL bool) {
		srv, pop := startDevmail(t, noUIDL, 5)
		rows := listAll(t, pop)
		// Another client deletes message 2: message 4 is now number 3.
		if !srv.Mailbox("ann").Delete(srv.Mailbox("ann").UIDs()[1]) {
			t.Fatal("could not delete")
		}
		ctx := context.Background()
		s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		m, err := fetchAll(ctx, s, rows[3].Ref)
		if noUIDL {
			// Number 4 is past the end now, or holds another message.
			if !errors.Is(err, ErrInboxChanged) {
				t.Fatalf("Fetch moved message without UIDL: got %v, want ErrInboxChanged", err)
			}
		} else {
			if err != nil {
				t.Fatalf("Fetch moved message: %v", err)
			}
			if m.Envelope.Subject != "Message 4" || m.Ref.Num != 3 {
				t.Errorf("got %q at %d, want Message 4 at 3", m.Envelope.Subject, m.Ref.Num)
			}
			if !bytes.Equal(m.Raw, numbered(4)) {
				t.Errorf("raw message not byte-exact:\n%q\nwant\n%q", m.Raw, numbered(4))
			}
		}
		if _, err := fetchAll(ctx, s, rows[1].Ref); !errors.Is(err, ErrMessageGone) && !errors.Is(err, ErrInboxChanged) {
			t.Errorf("Fetch deleted message: got %v, want gone or changed", err)
		}
		// Message 1 did not move: it is found either way.
		if m, err := fetchAll(ctx, s, rows[0].Ref); err != nil || m.Envelope.Subject != "Message 1" {
			t.Errorf("Fetch unmoved message: got %v", err)
		}
	})
}

func TestDevmailDeleteNeverTakesTheWrongMessage(t *testing.T) {
	modes(t, func(t *testing.T, noUIDL bool) {
		srv, pop := startDevmail(t, noUIDL, 6)
		box := srv.Mailbox("ann")
		rows := listAll(t, pop)
		box.Delete(box.UIDs()[0]) // another client: message 1 goes, all shift down
		ctx := context.Background()
		s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Delete(ctx, []Ref{rows[2].Ref, rows[4].Ref})
		remaining := subjects(t, srv)
		if noUIDL {
			if !errors.Is(err, ErrInboxChanged) {
				t.Fatalf("Delete after a shift without UIDL: got %v, want ErrInboxChanged", err)
			}
			if want := "Message 2,Message 3,Message 4,Message 5,Message 6"; remaining != want {
				t.Errorf("mailbox: got %s, want %s (nothing deleted)", remaining, want)
			}
			return
		}
		if err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if want := "Message 2,Message 4,Message 6"; remaining != want {
			t.Errorf("mailbox: got %s, want %s", remaining, want)
		}
	})
}

func TestDevmailDeleteCommits(t *testing.T) {
	modes(t, func(t *testing.T, noUIDL bool) {
		srv, pop := startDevmail(t, noUIDL, 4)
		rows := listAll(t, pop)
		s, err := pop.Dial(context.Background(), Credentials{"ann", "pw"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Delete(context.Background(), []Ref{rows[0].Ref, rows[3].Ref}); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if got, want := subjects(t, srv), "Message 2,Message 3"; got != want {
			t.Errorf("mailbox: got %s, want %s", got, want)
		}
	})
}

func TestDevmailOpenStreamsByteExact(t *testing.T) {
	srv, pop := startDevmail(t, false, 0)
	long := bytes.Repeat([]byte("0123456789"), 100_000) // one 1 MB line
	raw := append([]byte("From: a@example.test\r\nSubject: big\r\n\r\n.starts with a dot\r\n"), long...)
	raw = append(raw, "\r\n.\r\nend\r\n"...)
	srv.Mailbox("ann").Add(raw)
	rows := listAll(t, pop)
	s, err := pop.Dial(context.Background(), Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Open(context.Background(), rows[0].Ref)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, raw) {
		t.Errorf("stream differs from the stored message at byte %d of %d", firstDiff(string(got), string(raw)), len(raw))
	}
	// The session goes on after the stream.
	if n, err := s.Count(context.Background()); err != nil || n != 1 {
		t.Errorf("Count after the stream: %d, %v", n, err)
	}
}

func TestDevmailWrongPassword(t *testing.T) {
	_, pop := startDevmail(t, false, 0)
	if err := pop.Login(context.Background(), Credentials{"ann", "nope"}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("got %v, want ErrBadCredentials", err)
	}
	if err := pop.Login(context.Background(), Credentials{"ann", "pw"}); err != nil {
		t.Errorf("good password: %v", err)
	}
}

func TestServerDown(t *testing.T) {
	srv, pop := startDevmail(t, false, 0)
	srv.Close()
	err := pop.Login(context.Background(), Credentials{"ann", "pw"})
	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Errorf("got %v, want *UnavailableError", err)
	}
}

func subjects(t *testing.T, srv *devmail.Server) string {
	t.Helper()
	var b bytes.Buffer
	box := srv.Mailbox("ann")
	for i, uid := range box.UIDs() {
		raw, _ := box.Raw(uid)
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(mailmsg.ParseEnvelope(raw).Subject)
	}
	return b.String()
}

// OpenAround names a message's neighbours as the listing does, in both
// modes; the newest has no newer one, the oldest no older one.
func TestDevmailOpenAroundNamesNeighbours(t *testing.T) {
	modes(t, func(t *testing.T, noUIDL bool) {
		_, pop := startDevmail(t, noUIDL, 5)
		ctx := context.Background()
		s, err := pop.Dial(ctx, Credentials{User: "ann", Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l, err := s.List(ctx, 0, 5)
		if err != nil {
			t.Fatal(err)
		}
		rows := l.Messages // newest first
		refAt := func(i int) *Ref {
			if i < 0 || i >= len(rows) {
				return nil
			}
			return &rows[i].Ref
		}
		for i, row := range rows {
			st, newer, older, err := s.OpenAround(ctx, row.Ref)
			if err != nil {
				t.Fatalf("OpenAround(%v): %v", row.Ref, err)
			}
			if st.Ref != row.Ref {
				t.Errorf("OpenAround(%v): opened %v", row.Ref, st.Ref)
			}
			for _, nb := range []struct {
				name      string
				got, want *Ref
			}{{"newer", newer, refAt(i - 1)}, {"older", older, refAt(i + 1)}} {
				if (nb.got == nil) != (nb.want == nil) || nb.got != nil && *nb.got != *nb.want {
					t.Errorf("OpenAround(%v): %s got %v, want %v", row.Ref, nb.name, nb.got, nb.want)
				}
			}
		}
	})
}
