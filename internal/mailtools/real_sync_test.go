package mailtools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"gomailcgi/internal/testing/mailstack"
)

// realFillID is the Message-ID mailstack's fill gives POP message i of n.
func realFillID(st mailstack.Env, user string, i, n int) string {
	return fmt.Sprintf("<fill-%d-of-%d.%s@%s>", i, n, user, st.Domain)
}

// realFillIDs lists the Message-IDs of fill messages nums, of n, in order.
func realFillIDs(st mailstack.Env, user string, n int, nums ...int) []string {
	var ids []string
	for _, i := range nums {
		ids = append(ids, realFillID(st, user, i, n))
	}
	return ids
}

// realSyncModes are the two ways a reference proves itself: by UIDL on
// Dovecot's own port, by header fingerprint through the relay that hides
// UIDL. Both are plain POP3: TLS has its own tests.
func realSyncModes(st mailstack.Env) []realEndpoint {
	return []realEndpoint{
		{"uidl", st.POP3, SecurityInsecure, false},
		{"headers", st.POP3NoUIDL, SecurityInsecure, true},
	}
}

// TestRealSyncAfterAnotherClientDeleted lists ten messages, lets a raw
// client delete message 3 (4..10 move down by one), then uses the old refs.
func TestRealSyncAfterAnotherClientDeleted(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	for _, mode := range realSyncModes(st) {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			const n = 10
			cred := realUser(t, st, "mtsync"+mode.name)
			st.Fill(t, cred.User, n)
			pop := realPOP(mode.addr, mode.sec, nil)
			ctx := context.Background()
			s, err := pop.Dial(ctx, cred)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			l, err := s.List(ctx, 0, n)
			s.Close()
			if err != nil || len(l.Messages) != n {
				t.Fatalf("List: got %v, %v; want %d rows", l, err, n)
			}
			ref := func(i int) Ref { return l.Messages[n-i].Ref } // message i as listed
			for i := 1; i <= n; i++ {
				if want := fmt.Sprintf("Test message %d of %d", i, n); l.Messages[n-i].Envelope.Subject != want {
					t.Fatalf("row for %d: got %q, want %q", i, l.Messages[n-i].Envelope.Subject, want)
				}
				if (ref(i).ID[0] == 'h') != mode.noUIDL {
					t.Fatalf("ref %v: fingerprint of the wrong kind for %s", ref(i), mode.name)
				}
			}
			if _, err := realRawDelete(st.POP3, cred.User, cred.Password, 3); err != nil {
				t.Fatalf("raw delete: %v", err)
			}
			mailbox := func() []string {
				ids, err := realMailboxIDs(st.POP3, cred.User, cred.Password)
				if err != nil {
					t.Fatalf("snapshot: %v", err)
				}
				return ids
			}
			after := realFillIDs(st, cred.User, n, 1, 2, 4, 5, 6, 7, 8, 9, 10)

			s, err = pop.Dial(ctx, cred)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			// Message 2 did not move: found either way.
			if m, err := fetchAll(ctx, s, ref(2)); err != nil || m.Ref.Num != 2 || m.Envelope.MessageID != realFillID(st, cred.User, 2, n) {
				t.Errorf("Fetch unmoved message 2: got %v, want it at 2", err)
			}
			for _, c := range []struct {
				msg     int
				wantErr error // nil: found, one number lower
			}{
				{3, ErrMessageGone}, {5, nil}, {10, nil},
			} {
				if mode.noUIDL {
					c.wantErr = ErrInboxChanged // without UIDL a shift is a change
				}
				m, err := fetchAll(ctx, s, ref(c.msg))
				if c.wantErr == nil {
					if err != nil || m.Ref.Num != c.msg-1 || m.Envelope.MessageID != realFillID(st, cred.User, c.msg, n) {
						t.Errorf("Fetch moved message %d: got %v, %v; want it at %d", c.msg, m, err, c.msg-1)
					}
					continue
				}
				var se *SyncError
				if !errors.Is(err, c.wantErr) || !errors.As(err, &se) || se.Ref != ref(c.msg) {
					t.Errorf("Fetch message %d: got %v, want a *SyncError for %v wrapping %v", c.msg, err, ref(c.msg), c.wantErr)
				}
			}
			s.Close()

			// A delete naming a stale ref deletes nothing.
			stale := []Ref{ref(1), ref(3)}
			if mode.noUIDL {
				stale = []Ref{ref(1), ref(2), ref(6)}
			}
			s, err = pop.Dial(ctx, cred)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			var se *SyncError
			if _, err := s.Delete(ctx, stale); !errors.As(err, &se) || se.Ref != stale[len(stale)-1] {
				t.Errorf("Delete %v: got %v, want a *SyncError for %v", stale, err, stale[len(stale)-1])
			}
			if got := mailbox(); !slices.Equal(got, after) {
				t.Fatalf("after a refused delete: got %q, want %q", got, after)
			}

			// Refs that still hold are deleted, and nothing else.
			good := []Ref{ref(7), ref(1)}
			want := realFillIDs(st, cred.User, n, 2, 4, 5, 6, 8, 9, 10)
			if mode.noUIDL {
				good = []Ref{ref(2), ref(1)}
				want = realFillIDs(st, cred.User, n, 4, 5, 6, 7, 8, 9, 10)
			}
			s, err = pop.Dial(ctx, cred)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if _, err := s.Delete(ctx, good); err != nil {
				t.Fatalf("Delete %v: %v", good, err)
			}
			if got := mailbox(); !slices.Equal(got, want) {
				t.Errorf("after delete: got %q, want %q", got, want)
			}
		})
	}
}

// TestRealSyncExpungedDuringSession: another client deletes message 3
// while a mailtools session is open. Dovecot keeps the session's numbering
// but answers TOP and RETR of the message with "-ERR Message 3 expunged.":
// that is the listed message gone, and must come back as a *SyncError,
// with nothing deleted by a Delete that names it.
func TestRealSyncExpungedDuringSession(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	for _, mode := range realSyncModes(st) {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			const n = 5
			cred := realUser(t, st, "mtexp"+mode.name)
			pop := realPOP(mode.addr, mode.sec, nil)
			ctx := context.Background()
			for _, c := range []struct {
				name string
				op   func(s *Session, ref func(int) Ref) error
			}{
				{"fetch", func(s *Session, ref func(int) Ref) error {
					if m, err := fetchAll(ctx, s, ref(4)); err != nil || m.Ref.Num != 4 {
						t.Errorf("Fetch message 4 in the same session: got %v, want it at 4", err)
					}
					_, err := fetchAll(ctx, s, ref(3))
					return err
				}},
				{"delete", func(s *Session, ref func(int) Ref) error {
					_, err := s.Delete(ctx, []Ref{ref(2), ref(3)})
					return err
				}},
			} {
				t.Run(c.name, func(t *testing.T) {
					st.Fill(t, cred.User, n)
					s, err := pop.Dial(ctx, cred)
					if err != nil {
						t.Fatalf("Dial: %v", err)
					}
					defer s.Close()
					l, err := s.List(ctx, 0, n)
					if err != nil || len(l.Messages) != n {
						t.Fatalf("List: got %v, %v; want %d rows", l, err, n)
					}
					ref := func(i int) Ref { return l.Messages[n-i].Ref }
					if _, err := realRawDelete(st.POP3, cred.User, cred.Password, 3); err != nil {
						t.Fatalf("raw delete: %v", err)
					}
					err = c.op(s, ref)
					// Gone is gone, in either mode: a delete that names it
					// deletes nothing, as it would in a fresh session.
					var se *SyncError
					if !errors.As(err, &se) || se.Ref != ref(3) || !errors.Is(err, ErrMessageGone) && !errors.Is(err, ErrInboxChanged) {
						t.Errorf("got %v (%T), want a *SyncError for %v (gone or changed)", err, err, ref(3))
					}
					want := []int{1, 2, 4, 5} // only the raw client's delete
					s.Close()
					got, err := realMailboxIDs(st.POP3, cred.User, cred.Password)
					if err != nil {
						t.Fatalf("snapshot: %v", err)
					}
					if w := realFillIDs(st, cred.User, n, want...); !slices.Equal(got, w) {
						t.Errorf("mailbox: got %q, want %q", got, w)
					}
				})
			}
		})
	}
}
