package mailtools

import (
	"context"
	"strconv"
	"strings"
)

// OpenAround is Open, and also names the messages numbered just above and
// below it (newer: the next number, older: the one before) as RefAt
// does; a neighbour that cannot be named is nil. They are asked before
// RETR, so the stream need not be read to its end. When the server offers
// PIPELINING and the message is still at its listed number, the whole
// exchange is one round trip.
func (s *Session) OpenAround(ctx context.Context, ref Ref) (st *Stream, newer, older *Ref, err error) {
	if s.canPipelineAround(ref) {
		st, newer, older, ok, err := s.openAroundPipelined(ctx, ref)
		if ok || err != nil {
			return st, newer, older, err
		}
		// The message moved: find it the careful way
	}
	n, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, nb := range []struct {
		num int
		dst **Ref
	}{{n + 1, &newer}, {n - 1, &older}} {
		if r, err := s.RefAt(ctx, nb.num); err == nil {
			*nb.dst = &r
		}
	}
	st, err = s.open(ctx, ref, n)
	return st, newer, older, err
}

// canPipelineAround reports whether the session knows enough, from its
// login, to send OpenAround's commands at once.
func (s *Session) canPipelineAround(ref Ref) bool {
	return s.caps != nil && s.caps.pipelining && s.caps.uidl && s.statDone && s.inflight == nil &&
		ref.byUIDL() && len(ref.ID) >= 2 && ref.Num >= 1 && ref.Num <= s.count
}

// openAroundPipelined writes UIDL of the message and of its neighbours,
// LIST and RETR in one go. ok is false when the message is not at its
// listed number any more: every reply has then been read, RETR's to its
// end unseen, and the session goes on.
func (s *Session) openAroundPipelined(ctx context.Context, ref Ref) (st *Stream, newer, older *Ref, ok bool, err error) {
	if err := s.ready(); err != nil {
		return nil, nil, nil, false, err
	}
	n := ref.Num
	nums := []int{n}
	if n+1 <= s.count {
		nums = append(nums, n+1)
	}
	if n > 1 {
		nums = append(nums, n-1)
	}
	var b strings.Builder
	for _, m := range nums {
		b.WriteString("UIDL " + strconv.Itoa(m) + "\r\n")
	}
	b.WriteString("LIST " + strconv.Itoa(n) + "\r\nRETR " + strconv.Itoa(n) + "\r\n")
	// One watch for the exchange and the stream after it, ended with the
	// stream (see Open)
	s.unwatch = s.lc.watch(ctx)
	fail := func(cmd string, err error) (*Stream, *Ref, *Ref, bool, error) {
		err = s.wrap(cmd, err)
		s.abort()
		return nil, nil, nil, false, err
	}
	if _, err := s.lc.Write([]byte(b.String())); err != nil {
		return fail("pipeline", err)
	}
	held := true // the message is at n
	for i, m := range nums {
		text, err := s.lc.readReply("UIDL")
		if err != nil && !isReply(err) {
			return fail("UIDL", err)
		}
		got, uid, parsed := parseUIDLine(text)
		if err == nil && (!parsed || got != m) {
			return fail("UIDL", &ProtocolError{Command: "UIDL", Reply: truncate(text, 80)})
		}
		switch {
		case i == 0:
			held = err == nil && uid == ref.ID[1:]
		case err == nil && m == n+1:
			newer = &Ref{Num: m, ID: "u" + uid}
		case err == nil:
			older = &Ref{Num: m, ID: "u" + uid}
		}
	}
	text, listErr := s.lc.readReply("LIST")
	if listErr != nil && !isReply(listErr) {
		return fail("LIST", listErr)
	}
	_, retrErr := s.lc.readReply("RETR")
	if retrErr != nil && !isReply(retrErr) {
		return fail("RETR", retrErr)
	}
	if !held {
		if retrErr == nil { // another message's: read past it, unseen
			if err := newDotReader(s.lc.br).drain(); err != nil {
				return fail("RETR", err)
			}
		}
		s.streamDone()
		return nil, nil, nil, false, nil
	}
	if retrErr != nil {
		s.streamDone()
		return nil, nil, nil, false, vanished(ref, retrErr)
	}
	d := newDotReader(s.lc.br)
	s.inflight = d
	return &Stream{Ref: ref, Size: listedSize(text), streamReader: streamReader{s: s, d: d}}, newer, older, true, nil
}
