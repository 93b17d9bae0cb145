package mailtools

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gomailcgi/internal/testing/mailstack"
)

// The core promise, proved against a real Dovecot: several gomailcgi
// users and one ordinary mail client delete from the same mailbox at the
// same time, and no message is ever deleted that nobody asked to delete.
// Each gomailcgi user lists a page in one session and deletes from it in
// another, as the web app does; the raw client deletes by number. The
// mailbox is refilled (a new epoch, fresh Message-IDs) when it runs low.
// It runs alone: the other real-server tests are parallel, so they wait.

const (
	concUsers    = 4
	concPageSize = 10
	concFillBase = 120 // messages per epoch; epoch e holds concFillBase+e
	concLowWater = 40  // a new epoch starts below this many messages
	concRawActor = -1
)

// concLimits bounds one mode's run by operations and by time (the epoch
// under way finishes): short in make test, long under make stress, which
// sets GOMAILCGI_STRESS=1.
func concLimits() (maxOps int64, limit time.Duration) {
	if os.Getenv("GOMAILCGI_STRESS") != "" {
		return 5000, 3 * time.Minute
	}
	return 400, 15 * time.Second
}

func TestConcurrentDeleteReal(t *testing.T) {
	st := mailstack.Require(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for _, mode := range realSyncModes(st) {
		t.Run(mode.name, func(t *testing.T) {
			cred := realUser(t, st, "mtconc"+mode.name)
			c := &concRun{t: t, st: st, cred: cred, noUIDL: mode.noUIDL,
				pop: realPOP(mode.addr, mode.sec, nil), seed: seed}
			c.maxOps, c.limit = concLimits()
			c.run()
		})
	}
}

// concRun is one mode's run: its epochs and their totals.
type concRun struct {
	t      *testing.T
	st     mailstack.Env
	cred   Credentials
	pop    *POP
	noUIDL bool
	seed   uint64
	maxOps int64
	limit  time.Duration
	total  concStats
	ops    atomic.Int64
}

func (c *concRun) run() {
	start := time.Now()
	deadline := start.Add(c.limit)
	for epoch := 0; c.ops.Load() < c.maxOps && time.Until(deadline) > time.Second; epoch++ {
		c.epoch(epoch, deadline)
		if c.t.Failed() {
			break
		}
	}
	c.t.Logf("%s in %v", c.total, time.Since(start).Round(time.Millisecond))
	if c.total.wrong != 0 || c.total.unjustified != 0 {
		c.t.Errorf("wrong deletions %d, unjustified refusals %d; want 0 and 0", c.total.wrong, c.total.unjustified)
	}
	if c.total.deletes == 0 || c.total.rawDeletes == 0 {
		c.t.Errorf("the actors deleted nothing: %s", c.total)
	}
}

// epoch fills the mailbox, lets the actors loose until it runs low or the
// budget is spent, and checks the ledger.
func (c *concRun) epoch(epoch int, deadline time.Time) {
	n := concFillBase + epoch
	c.st.Fill(c.t, c.cred.User, n)
	before := realFillIDs(c.st, c.cred.User, n, concSeq(n)...)
	order := make(map[string]int, n)
	for i, id := range before {
		order[id] = i + 1
	}
	led := &concLedger{}
	stop := make(chan struct{})
	var once sync.Once
	halt := func() { once.Do(func() { close(stop) }) }
	timer := time.AfterFunc(time.Until(deadline), halt)
	defer timer.Stop()
	a := concActors{run: c, led: led, order: order, stop: stop, halt: halt}
	var wg sync.WaitGroup
	for u := range concUsers {
		wg.Go(func() { a.gomailUser(u, rand.New(rand.NewPCG(c.seed, uint64(epoch*16+u)))) })
	}
	wg.Go(func() { a.rawClient(rand.New(rand.NewPCG(c.seed, uint64(epoch*16+15)))) })
	wg.Wait()

	after, err := realMailboxIDs(c.st.POP3, c.cred.User, c.cred.Password)
	if err != nil {
		c.t.Fatalf("epoch %d: snapshot: %v", epoch, err)
	}
	for _, p := range led.problems {
		c.t.Errorf("epoch %d: %s", epoch, p)
	}
	if n := len(led.listErrs); n > 0 {
		c.t.Logf("epoch %d: %d listings failed, the first: %s", epoch, n, led.listErrs[0])
	}
	for _, b := range led.verify(before, after, order, c.noUIDL) {
		c.t.Errorf("epoch %d: %s", epoch, b)
	}
	led.stats.epochs = 1
	c.total.add(led.stats)
}

// concSeq is 1, 2, ..., n.
func concSeq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i + 1
	}
	return s
}

// concActors are one epoch's actors and what they share.
type concActors struct {
	run   *concRun
	led   *concLedger
	order map[string]int
	stop  chan struct{}
	halt  func()
}

// next takes one operation from the budget, or says to stop.
func (a *concActors) next() bool {
	select {
	case <-a.stop:
		return false
	default:
	}
	if a.run.ops.Add(1) > a.run.maxOps {
		a.halt()
		return false
	}
	return true
}

// dial opens a gomailcgi session. A mailbox busy with another session
// ([IN-USE]) is counted, not failed; anything else stops the epoch.
func (a *concActors) dial(ctx context.Context) *Session {
	s, err := a.run.pop.Dial(ctx, a.run.cred)
	var ue *UnavailableError
	switch {
	case errors.As(err, &ue) && strings.Contains(err.Error(), "[IN-USE]"):
		a.led.update(func(s *concStats) { s.busy++ })
		return nil
	case err != nil:
		a.led.problem("Dial: %v", err)
		a.halt()
		return nil
	}
	return s
}

// gomailUser lists a random page (the first, half of the time, as people
// do) in one session, then deletes from it once or twice, one to three
// messages each time, in sessions of their own and sometimes after a
// pause: a user with the page open.
func (a *concActors) gomailUser(actor int, rng *rand.Rand) {
	ctx := context.Background()
	count := concFillBase
	for a.next() {
		a.led.update(func(s *concStats) { s.ops++; s.gomailOps++ })
		offset := 0
		if rng.IntN(2) == 0 {
			offset = rng.IntN(max(1, (count+concPageSize-1)/concPageSize)) * concPageSize
		}
		listStart := time.Now()
		s := a.dial(ctx)
		if s == nil {
			continue
		}
		l, err := s.List(ctx, offset, concPageSize)
		s.Close()
		if err != nil {
			a.led.listFailed(err)
			continue
		}
		if count = l.Count; count < concLowWater {
			a.halt()
		}
		if len(l.Messages) == 0 {
			a.led.update(func(s *concStats) { s.emptyPages++ })
			continue
		}
		rows := l.Messages
		rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for range 1 + rng.IntN(2) {
			k := min(len(rows), 1+rng.IntN(3))
			if k == 0 || !a.next() {
				break
			}
			a.led.update(func(s *concStats) { s.ops++; s.gomailOps++ })
			if rng.IntN(3) == 0 {
				time.Sleep(time.Duration(rng.IntN(30)) * time.Millisecond)
			}
			a.deleteRows(ctx, actor, rows[:k], listStart)
			rows = rows[k:]
		}
	}
}

// deleteRows is one gomailcgi delete, entered in the ledger.
func (a *concActors) deleteRows(ctx context.Context, actor int, rows []Summary, listStart time.Time) {
	refs, ids := make([]Ref, len(rows)), make([]string, len(rows))
	for i, row := range rows {
		refs[i], ids[i] = row.Ref, row.Envelope.MessageID
		if _, ok := a.order[ids[i]]; !ok {
			a.led.problem("actor %d: listed an unknown message %q at %v", actor, ids[i], row.Ref)
		}
	}
	s := a.dial(ctx)
	if s == nil {
		return
	}
	t0 := time.Now()
	_, err := s.Delete(ctx, refs)
	t1 := time.Now()
	var se *SyncError
	switch {
	case err == nil:
		a.led.deleted(concDeletion{actor: actor, ids: ids, start: t0, end: t1, certain: true})
	case errors.As(err, &se):
		i := slices.Index(refs, se.Ref)
		if i < 0 || !errors.Is(se, ErrInboxChanged) && !errors.Is(se, ErrMessageGone) {
			a.led.problem("actor %d: Delete %v: %v names no ref it was given, or no sync error", actor, refs, err)
			return
		}
		a.led.refused(concRefusal{actor: actor, target: ids[i], kind: se.Err, listStart: listStart, end: t1})
	case strings.HasPrefix(err.Error(), "TOP: -ERR"):
		// The sync check itself failed, before any DELE: nothing can have
		// been deleted, so the ledger does not count these as asked.
		a.led.update(func(s *concStats) { s.refusedNoSync++ })
		a.led.problem("actor %d: Delete %v refused without a *SyncError: %v", actor, refs, err)
	default:
		// Whether the server committed is unknown: count it as asked.
		a.led.deleted(concDeletion{actor: actor, ids: ids, start: t0, end: t1})
		a.led.problem("actor %d: Delete %v: %v", actor, refs, err)
	}
}

// rawClient is another mail program on the same mailbox: it deletes one
// or two messages by number (the newest fifteen, half of the time) and
// commits with QUIT.
func (a *concActors) rawClient(rng *rand.Rand) {
	cred := a.run.cred
	for a.next() {
		a.led.update(func(s *concStats) { s.ops++; s.rawOps++ })
		r, err := dialRealRaw(a.run.st.POP3, cred.User, cred.Password)
		if err != nil {
			if strings.Contains(err.Error(), "[IN-USE]") {
				a.led.update(func(s *concStats) { s.busy++ })
				continue
			}
			a.led.problem("raw client: %v", err)
			a.halt()
			return
		}
		count, err := r.stat()
		if err != nil || count < concLowWater {
			r.close()
			a.halt()
			if err != nil {
				a.led.problem("raw client: STAT: %v", err)
			}
			return
		}
		var ids []string
		picked := make(map[int]bool)
		for range 1 + rng.IntN(2) {
			num := 1 + rng.IntN(count)
			if rng.IntN(2) == 0 {
				num = count - rng.IntN(15)
			}
			if picked[num] {
				continue
			}
			picked[num] = true
			id, err := r.messageID(num)
			if err == nil {
				_, err = r.cmd("DELE " + strconv.Itoa(num))
			}
			if err != nil {
				// Most likely "-ERR Message N expunged.": another session
				// deleted it after this one logged in.
				r.close() // nothing committed
				a.led.update(func(s *concStats) { s.rawAborted++ })
				ids = nil
				break
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			r.close()
			continue
		}
		if rng.IntN(3) == 0 {
			time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		}
		t0 := time.Now()
		err = r.quit()
		a.led.deleted(concDeletion{actor: concRawActor, ids: ids, start: t0, end: time.Now(), certain: err == nil})
		if err != nil {
			a.led.problem("raw client: QUIT: %v", err)
		}
	}
}
