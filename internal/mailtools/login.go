package mailtools

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// loginCaps is what the server's CAPA says before login. It is the
// server's, the same for every user, so it is asked once per POP and
// kept: later sessions log in without waiting for it.
func (p *POP) loginCaps(ctx context.Context, s *Session) (*capabilities, error) {
	p.mu.Lock()
	c := p.preauth
	p.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := s.askCapa(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.preauth = c
	p.mu.Unlock()
	return c, nil
}

// login authenticates with USER and PASS. When the server offers
// PIPELINING (RFC 2449), USER, PASS, STAT and CAPA go out in one write and
// come back in one round trip: every session needs the count and the
// capabilities after login (RFC 2449 has them asked again then), so the
// session starts with both known. Otherwise each command waits for its
// reply, and STAT and CAPA are asked when first needed.
func (s *Session) login(ctx context.Context, pre *capabilities, cred Credentials) error {
	if !pre.pipelining {
		if err := s.pc.User(cred.User); err != nil {
			return s.authFailed("USER", err)
		}
		if err := s.pc.Pass(cred.Password); err != nil {
			return s.authFailed("PASS", err)
		}
		return nil
	}
	if _, err := s.lc.Write([]byte("USER " + cred.User + "\r\nPASS " + cred.Password + "\r\nSTAT\r\nCAPA\r\n")); err != nil {
		return s.authFailed("USER", err)
	}
	for _, cmd := range []string{"USER", "PASS"} {
		if _, err := s.lc.readReply(cmd); err != nil {
			return s.authFailed(cmd, err)
		}
	}
	text, err := s.lc.readReply("STAT")
	if err == nil {
		err = s.setStat(text)
	}
	if err != nil {
		err = s.wrap("STAT", err)
		s.abort() // CAPA's reply is still to come: out of step
		return err
	}
	if _, err := s.lc.readReply("CAPA"); err != nil {
		var re *replyError
		if !errors.As(err, &re) {
			return s.wrap("CAPA", err)
		}
		s.caps = &capabilities{}
		return nil
	}
	data, _, err := s.readAll(ctx, newDotReader(s.lc.br), 64<<10)
	if err != nil {
		return err
	}
	s.caps = parseCapa(data)
	return nil
}

// setStat reads STAT's reply: the message count and total size.
func (s *Session) setStat(text string) error {
	f := strings.Fields(text)
	if len(f) < 2 {
		return s.outOfStep("STAT", text)
	}
	n, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || n < 0 || size < 0 {
		return s.outOfStep("STAT", text)
	}
	s.count, s.total, s.statDone = n, size, true
	return nil
}
