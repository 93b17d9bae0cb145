package mailtools

import (
	"bufio"
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
	d, err := s.multi(ctx, "CAPA")
	var re *replyError
	if errors.As(err, &re) {
		s.caps = &capabilities{}
		return s.caps, nil
	}
	if err != nil {
		return nil, err
	}
	data, _, err := s.readAll(ctx, d, 64<<10)
	if err != nil {
		return nil, err
	}
	c := &capabilities{known: true}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		f := strings.Fields(strings.ToUpper(sc.Text()))
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
	s.caps = c
	return c, nil
}
