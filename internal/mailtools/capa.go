package mailtools

import (
	"context"
	"errors"
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
	c, err := s.askCapa(ctx)
	if err != nil {
		return nil, err
	}
	s.caps = c
	return c, nil
}

// askCapa sends CAPA; a server that does not know it has no known
// capabilities.
func (s *Session) askCapa(ctx context.Context) (*capabilities, error) {
	d, err := s.multi(ctx, "CAPA")
	var re *replyError
	if errors.As(err, &re) {
		return &capabilities{}, nil
	}
	if err != nil {
		return nil, err
	}
	data, _, err := s.readAll(ctx, d, 64<<10)
	if err != nil {
		return nil, err
	}
	return parseCapa(data), nil
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
