package mailtools

import (
	"context"
	"time"

	"gomailcgi/internal/mailmsg"
)

// DefaultSearchMessages bounds the messages one Search scans.
const DefaultSearchMessages = 10000

// searchWindow is how many TOP commands a search has in flight at once.
// Each window is drained before the next is written, and its matches are
// named in a second exchange, so a window costs two stalls of the
// pipeline: at 256, a 10,000-message scan took 1.26 to 1.42 times a raw
// client's continuous pipeline (TestPerfSearch); at 1,024, 0.96 to 1.14.
// Its commands (at most 13 KB) fit in any socket buffer, so writing them
// all before reading cannot wait on the server's replies; what the server
// sends ahead is bounded by the socket buffers, not by the window.
const searchWindow = 1024

// SearchBounds end a search before the oldest message: after Messages
// messages scanned (0 means DefaultSearchMessages), or once the clock
// passes Until (zero: no such bound). Until is checked between windows,
// so the session stays in step with the server; at least one window is
// scanned.
type SearchBounds struct {
	Messages int
	Until    time.Time
	Now      func() time.Time // nil means time.Now
}

// SearchResult is what a Search did.
type SearchResult struct {
	Count   int // messages in the mailbox
	Scanned int
	Found   int
	// Next names the oldest message scanned when a bound ended the search
	// before the oldest message: Search from it goes on with the older
	// ones. Nil when the search reached the oldest message.
	Next *Ref
	// Moved is true when the message the search went on from had moved
	// (mail before it was deleted since): it was found by its id.
	Moved bool
}

// Search scans the mailbox newest first, older than after when it is
// given (a Next of an earlier search, sync-checked: a message gone since
// is a *SyncError), and gives found each message q finds, as soon as its
// window is read. Headers are read by TOP n 0 in windows of searchWindow
// commands, each window one exchange, pipelined when the server offers
// PIPELINING; only the matches of one window are kept, for a second
// exchange that names them as a listing does (UIDL n, LIST n). An error
// found returns ends the search.
func (s *Session) Search(ctx context.Context, q Query, after *Ref, b SearchBounds, found func(Summary) error) (*SearchResult, error) {
	if err := s.stat(ctx); err != nil {
		return nil, err
	}
	res := &SearchResult{Count: s.count}
	next := s.count
	if after != nil {
		n, err := s.resolve(ctx, *after)
		if err != nil {
			return nil, err
		}
		res.Moved = n != after.Num
		next = n - 1
	}
	useUIDL, err := s.hasUIDL(ctx)
	if err != nil {
		return nil, err
	}
	caps, err := s.capa(ctx)
	if err != nil {
		return nil, err
	}
	limit := b.Messages
	if limit <= 0 {
		limit = DefaultSearchMessages
	}
	now := b.Now
	if now == nil {
		now = time.Now
	}
	m := newMatcher(q)
	newest := next
	for next >= 1 && res.Scanned < limit {
		if res.Scanned > 0 && !b.Until.IsZero() && now().After(b.Until) {
			break
		}
		first := next
		end := max(first-min(searchWindow, limit-res.Scanned)+1, 1)
		hits, err := s.searchWindow(ctx, caps.pipelining, m, first, end, useUIDL)
		if err != nil {
			return nil, err
		}
		res.Scanned += first - end + 1
		next = end - 1
		for _, h := range hits {
			res.Found++
			if err := found(h); err != nil {
				return nil, err
			}
		}
	}
	// Name the oldest message scanned for the next search to go on from;
	// one expunged meanwhile cannot be, so the one above it is named:
	// the next search reads the expunged one again, which the server
	// refuses, and misses nothing.
	for k := next + 1; next >= 1 && k <= newest && res.Next == nil; k++ {
		c, err := s.refCommand(ctx, k, &res.Next)
		if err != nil {
			return nil, err
		}
		if err := s.exchange(ctx, false, c); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// searchWindow reads the headers of messages first down to end, and
// names those m finds.
func (s *Session) searchWindow(ctx context.Context, pipelined bool, m *matcher, first, end int, useUIDL bool) ([]Summary, error) {
	var hits []Summary
	fields := m.fields()
	cmds := make([]command, 0, first-end+1)
	for n := first; n >= end; n-- {
		cmds = append(cmds, headerCommand(n, func(header []byte) {
			h := mailmsg.ParseHeader(header)
			// Only the fields the query reads are decoded, and the
			// summary a row shows only for a match
			if !m.match(h.Partial(fields)) {
				return
			}
			env := h.Summary()
			sum := Summary{Ref: Ref{Num: n}, Envelope: env, HasAttachments: env.Multipart}
			if !useUIDL {
				sum.Ref.ID = headerFingerprint(header)
			}
			hits = append(hits, sum)
		}))
	}
	if err := s.exchange(ctx, pipelined, cmds...); err != nil {
		return nil, err
	}
	if len(hits) == 0 {
		return nil, nil
	}
	// Name the matches as a listing does; one the server refuses now was
	// expunged by another client during this session, and is left out.
	cmds = cmds[:0]
	answered := make([]int, len(hits))
	for i := range hits {
		row, ok := &hits[i], &answered[i]
		if useUIDL {
			cmds = append(cmds, uidCommand(row.Ref.Num, func(uid string) {
				row.Ref.ID = "u" + uid
				*ok++
			}))
		}
		cmds = append(cmds, sizeCommand(row.Ref.Num, func(size int64) {
			row.Size = size
			*ok++
		}))
	}
	if err := s.exchange(ctx, pipelined, cmds...); err != nil {
		return nil, err
	}
	perRow := len(cmds) / len(hits)
	out := hits[:0]
	for i, h := range hits {
		if answered[i] == perRow {
			out = append(out, h)
		}
	}
	return out, nil
}
