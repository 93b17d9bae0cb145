package mailtools

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gomailcgi/internal/testing/mailstack"
)

// TestRealListPagesOf5000 pages through a 5,000-message mailbox 50 rows at
// a time, each page in its own session as the web app does: all 100 pages
// with UIDL; every 5th page (the last included) through the relay that
// hides UIDL, where each row costs a relayed TOP and time is short.
func TestRealListPagesOf5000(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	const total, pageSize = 5000, 50
	cred := realUser(t, st, "mtpages")
	start := time.Now()
	st.Fill(t, cred.User, total)
	t.Logf("fill of %d: %v", total, time.Since(start).Round(time.Millisecond))
	for _, mode := range realSyncModes(st) {
		stride := 1
		if mode.noUIDL {
			stride = 5
		}
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			pop := realPOP(mode.addr, mode.sec, nil)
			seen := make(map[string]int, total) // fingerprint -> message number
			start := time.Now()
			pages := 0
			for page := (total/pageSize - 1) % stride; page < total/pageSize; page += stride {
				pages++
				s, err := pop.Dial(ctx, cred)
				if err != nil {
					t.Fatalf("page %d: Dial: %v", page, err)
				}
				l, err := s.List(ctx, page*pageSize, pageSize)
				if cerr := s.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					t.Fatalf("page %d: %v", page, err)
				}
				if l.Count != total || l.Offset != page*pageSize || len(l.Messages) != pageSize {
					t.Fatalf("page %d: got count %d offset %d rows %d, want %d %d %d",
						page, l.Count, l.Offset, len(l.Messages), total, page*pageSize, pageSize)
				}
				for i, row := range l.Messages {
					num := total - page*pageSize - i
					want := fmt.Sprintf("Test message %d of %d", num, total)
					if row.Ref.Num != num || row.Envelope.Subject != want {
						t.Fatalf("page %d row %d: got #%d %q, want #%d %q", page, i, row.Ref.Num, row.Envelope.Subject, num, want)
					}
					if (row.Ref.ID[0] == 'h') != mode.noUIDL {
						t.Fatalf("page %d row %d: fingerprint %q of the wrong kind", page, i, row.Ref.ID)
					}
					if prev, dup := seen[row.Ref.ID]; dup {
						t.Fatalf("page %d row %d: message %d has the fingerprint of message %d", page, i, num, prev)
					}
					seen[row.Ref.ID] = num
				}
			}
			if len(seen) != pages*pageSize {
				t.Errorf("got %d distinct refs, want %d", len(seen), pages*pageSize)
			}
			// Past the end: an empty page, not an error.
			s, err := pop.Dial(ctx, cred)
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer s.Close()
			if l, err := s.List(ctx, total, pageSize); err != nil || l.Count != total || len(l.Messages) != 0 {
				t.Errorf("page past the end: got %v, %v; want %d messages and no rows", l, err, total)
			}
			t.Logf("%d pages of %d in %v", pages, pageSize, time.Since(start).Round(time.Millisecond))
		})
	}
}
