package mailtools

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// The ledger of the concurrent-delete test: what every actor asked the
// server to delete, what it was refused and why, and the checks run on it
// once the actors have stopped.

// concDeletion is one delete an actor sent: the Message-IDs it asked for
// and the time span in which the server committed it.
type concDeletion struct {
	actor      int // -1 is the raw client
	ids        []string
	start, end time.Time
	certain    bool // the server confirmed it; else it may or may not have happened
}

// concRefusal is one gomailcgi delete refused by the sync check.
type concRefusal struct {
	actor     int
	target    string    // Message-ID of the ref the SyncError names
	kind      error     // ErrInboxChanged or ErrMessageGone
	listStart time.Time // when the actor began the listing the ref came from
	end       time.Time // when the refusal came back
}

// concStats are the counts the test reports.
type concStats struct {
	ops, gomailOps, rawOps  int
	deletes, deletedMsgs    int // confirmed deletes, and the messages they named
	rawDeletes, rawMsgs     int
	refused, changed, gone  int
	refusedNoSync           int // refused, but not with a *SyncError
	busy                    int // sessions refused as busy ([IN-USE] / *UnavailableError)
	emptyPages, rawAborted  int
	uncertain, listFailures int
	wrong, unjustified      int
	epochs                  int
}

func (s *concStats) add(o concStats) {
	s.ops += o.ops
	s.gomailOps += o.gomailOps
	s.rawOps += o.rawOps
	s.deletes += o.deletes
	s.deletedMsgs += o.deletedMsgs
	s.rawDeletes += o.rawDeletes
	s.rawMsgs += o.rawMsgs
	s.refused += o.refused
	s.changed += o.changed
	s.gone += o.gone
	s.refusedNoSync += o.refusedNoSync
	s.busy += o.busy
	s.emptyPages += o.emptyPages
	s.rawAborted += o.rawAborted
	s.uncertain += o.uncertain
	s.listFailures += o.listFailures
	s.wrong += o.wrong
	s.unjustified += o.unjustified
	s.epochs += o.epochs
}

func (s concStats) String() string {
	return fmt.Sprintf("ops %d (gomailcgi %d, raw %d); deletes done %d (%d msgs) + raw %d (%d msgs); "+
		"refused %d (changed %d, gone %d; without a SyncError %d); busy %d; empty pages %d; raw aborted %d; uncertain %d; "+
		"list failures %d; wrong %d; unjustified refusals %d; epochs %d",
		s.ops, s.gomailOps, s.rawOps, s.deletes, s.deletedMsgs, s.rawDeletes, s.rawMsgs,
		s.refused, s.changed, s.gone, s.refusedNoSync, s.busy, s.emptyPages, s.rawAborted, s.uncertain,
		s.listFailures, s.wrong, s.unjustified, s.epochs)
}

// concLedger is shared by the actors of one epoch.
type concLedger struct {
	mu        sync.Mutex
	stats     concStats
	deletions []concDeletion
	refusals  []concRefusal
	problems  []string // unexpected errors, reported by the test
	listErrs  []string // listings that failed, logged
}

func (l *concLedger) update(f func(s *concStats)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(&l.stats)
}

func (l *concLedger) deleted(d concDeletion) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.deletions = append(l.deletions, d)
	switch {
	case !d.certain:
		l.stats.uncertain++
	case d.actor < 0:
		l.stats.rawDeletes++
		l.stats.rawMsgs += len(d.ids)
	default:
		l.stats.deletes++
		l.stats.deletedMsgs += len(d.ids)
	}
}

func (l *concLedger) refused(r concRefusal) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refusals = append(l.refusals, r)
	l.stats.refused++
	if r.kind == ErrMessageGone {
		l.stats.gone++
	} else {
		l.stats.changed++
	}
}

func (l *concLedger) listFailed(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stats.listFailures++
	l.listErrs = append(l.listErrs, err.Error())
}

func (l *concLedger) problem(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// verify checks the epoch's outcome: before and after are the mailbox's
// Message-IDs in POP order, order gives each its place in the mailbox
// (messages only ever move down). It returns what it found wrong.
func (l *concLedger) verify(before, after []string, order map[string]int, noUIDL bool) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var bad []string
	present := make(map[string]bool, len(after))
	for i, id := range after {
		if _, ok := order[id]; !ok || present[id] || i > 0 && order[id] <= order[after[i-1]] {
			bad = append(bad, fmt.Sprintf("mailbox after: %s unknown, repeated or out of order", id))
		}
		present[id] = true
	}
	asked := make(map[string]bool)
	for _, d := range l.deletions {
		for _, id := range d.ids {
			asked[id] = true
			if d.certain && present[id] {
				bad = append(bad, fmt.Sprintf("actor %d's confirmed delete of %s did not happen", d.actor, id))
			}
		}
	}
	for _, id := range before {
		if !present[id] && !asked[id] {
			l.stats.wrong++
			bad = append(bad, fmt.Sprintf("WRONG DELETION: %s disappeared but no actor asked to delete it", id))
		}
	}
	// With UIDL a moved message is found, so only a deleted one is refused.
	// A header fingerprint mostly tells that the number changed; it says
	// gone only of a message it had verified in the same session and that
	// another client expunged before the DELE.
	for _, r := range l.refusals {
		if !noUIDL && r.kind != ErrMessageGone {
			bad = append(bad, fmt.Sprintf("actor %d refused on %s with %v, want %v with UIDL", r.actor, r.target, r.kind, ErrMessageGone))
		}
		if !l.justified(r, order) {
			l.stats.unjustified++
			bad = append(bad, fmt.Sprintf("UNJUSTIFIED REFUSAL: actor %d, %s, %v: nobody else deleted it or a message before it in time", r.actor, r.target, r.kind))
		}
	}
	return bad
}

// justified reports whether a refusal had a cause: a delete sent before
// the refusal and committed after the listing began, of the target itself
// or (for a changed inbox) of a message before it, which moved it down.
// The cause may be the same user's earlier delete from the same page.
func (l *concLedger) justified(r concRefusal, order map[string]int) bool {
	for _, d := range l.deletions {
		if !d.start.Before(r.end) || !d.end.After(r.listStart) {
			continue
		}
		if slices.Contains(d.ids, r.target) {
			return true
		}
		if errors.Is(r.kind, ErrInboxChanged) {
			for _, id := range d.ids {
				if order[id] < order[r.target] {
					return true
				}
			}
		}
	}
	return false
}
