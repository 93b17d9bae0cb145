package mailtools

import (
	"context"
)

// OpenAround is Open, and also names the messages numbered just above and
// below it (newer: the next number, older: the one before) as a listing
// does; a neighbour that cannot be named is nil. They are asked before
// RETR, so the stream need not be read to its end. When the server offers
// PIPELINING and the message is still at its listed number, the whole
// exchange is one round trip: the sync check (UIDL n) goes with the rest.
func (s *Session) OpenAround(ctx context.Context, ref Ref) (st *Stream, newer, older *Ref, err error) {
	if s.canPipelineAround(ref) {
		o := &opening{ref: ref, n: ref.Num}
		check := uidCommand(ref.Num, func(uid string) {
			o.held = uid == ref.ID[1:]
			s.noteUIDL(ref, uid)
		})
		if err := s.openAround(ctx, true, o, check); err != nil || o.held {
			return o.st, o.newer, o.older, err
		}
		// The message moved, its RETR read past unseen: find it the
		// careful way
	}
	n, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, nil, nil, err
	}
	o := &opening{ref: ref, n: n, held: true}
	err = s.openAround(ctx, false, o)
	return o.st, o.newer, o.older, err
}

// openAround names o's neighbours and opens it in one exchange, after
// the commands given.
func (s *Session) openAround(ctx context.Context, pipelined bool, o *opening, cmds ...command) error {
	for _, nb := range []struct {
		num int
		dst **Ref
	}{{o.n + 1, &o.newer}, {o.n - 1, &o.older}} {
		if nb.num < 1 || nb.num > s.count {
			continue
		}
		c, err := s.refCommand(ctx, nb.num, nb.dst)
		if err != nil {
			return err
		}
		cmds = append(cmds, c)
	}
	if err := s.exchange(ctx, pipelined, append(cmds, o.commands(ctx, s)...)...); err != nil {
		o.st, o.newer, o.older = nil, nil, nil
		return vanished(o.ref, err)
	}
	return nil
}

// canPipelineAround reports whether the session knows enough, from its
// login, to send OpenAround's commands at once.
func (s *Session) canPipelineAround(ref Ref) bool {
	return s.caps != nil && s.caps.pipelining && s.caps.uidl && s.statDone && s.inflight == nil &&
		ref.byUIDL() && len(ref.ID) >= 2 && ref.Num >= 1 && ref.Num <= s.count
}
