package web

import (
	"context"
	"slices"
	"strings"

	"gomailcgi/internal/mailmsg"
)

// Bounds of the compose form's address suggestions.
const (
	addressesFrom = 200 // the newest messages read
	addressesMax  = 50  // the suggestions offered
)

// knownAddresses are the addresses the compose form suggests for To, Cc
// and Bcc (a <datalist>): the senders of the newest messages, and the
// recipients of the user's own among them (copies of what they sent, and
// drafts saved here), most frequent first, the user's own address left
// out. They are read when the form opens, in a POP session of their own,
// and never kept. A failure only leaves the suggestions out.
func (s *server) knownAddresses(ctx context.Context, login *signedIn) []string {
	pop, err := login.srv.POP.Dial(ctx, login.cred())
	if err != nil {
		s.log.Info("compose: reading addresses", "err", err)
		return nil
	}
	defer pop.Close()
	self := login.address()
	type seen struct {
		field string // as the newest message wrote it
		n     int
		first int // order first seen, newest first
	}
	byAddr := map[string]*seen{}
	add := func(list []mailmsg.Address) {
		for _, a := range list {
			key := strings.ToLower(a.Addr)
			if key == "" || strings.EqualFold(a.Addr, self) || a.Field() == "" {
				continue
			}
			if e := byAddr[key]; e != nil {
				e.n++
				continue
			}
			byAddr[key] = &seen{field: a.Field(), n: 1, first: len(byAddr)}
		}
	}
	err = pop.Newest(ctx, addressesFrom, func(env mailmsg.Envelope) {
		own := s.isDraft(login.state.User, env) ||
			slices.ContainsFunc(env.From, func(a mailmsg.Address) bool { return strings.EqualFold(a.Addr, self) })
		if own {
			add(env.To)
			add(env.Cc)
		} else {
			add(env.From)
		}
	})
	if err != nil {
		s.log.Info("compose: reading addresses", "err", err)
		return nil
	}
	list := make([]*seen, 0, len(byAddr))
	for _, e := range byAddr {
		list = append(list, e)
	}
	slices.SortFunc(list, func(a, b *seen) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return a.first - b.first
	})
	out := make([]string, 0, min(len(list), addressesMax))
	for _, e := range list[:min(len(list), addressesMax)] {
		out = append(out, e.field)
	}
	return out
}
