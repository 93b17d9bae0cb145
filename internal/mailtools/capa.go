package mailtools

import (
	"context"
	"strings"
)

// capabilities is what CAPA (RFC 2449) said after login.
type capabilities struct {
	known      bool // false when the server does not understand CAPA
	uidl       bool
	top        bool
	pipelining bool
}

// capa asks once per session.
func (s *Session) capa(ctx context.Context) (*capabilities, error) {
	if s.caps != nil {
		return s.caps, nil
	}
	if err := s.exchange(ctx, false, capaCommand(&s.caps)); err != nil {
		return nil, err
	}
	return s.caps, nil
}

// capaCommand is CAPA, its reply kept in *dst; a server that does not
// know CAPA has no known capabilities.
func capaCommand(dst **capabilities) command {
	return command{line: "CAPA", multi: true, limit: 64 << 10, reply: func(r reply) error {
		if r.err != nil {
			*dst = &capabilities{}
			return nil
		}
		*dst = parseCapa(r.data)
		return nil
	}}
}

// parseCapa reads the body of a CAPA reply.
func parseCapa(data []byte) *capabilities {
	c := &capabilities{known: true}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(strings.ToUpper(line))
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "UIDL":
			c.uidl = true
		case "TOP":
			c.top = true
		case "PIPELINING":
			c.pipelining = true
		}
	}
	return c
}
