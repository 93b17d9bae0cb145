package mailtools

import (
	"context"
	"errors"
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
	if err := s.exchange(ctx, false, capaCommand(&c)); err != nil {
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
	cmds := []command{
		{line: "USER " + cred.User, reply: s.loginRefused},
		{line: "PASS " + cred.Password, reply: s.loginRefused},
	}
	if pre.pipelining {
		cmds = append(cmds, s.statCommand(), capaCommand(&s.caps))
	}
	return s.exchange(ctx, pre.pipelining, cmds...)
}

// loginRefused says why the server refused USER or PASS: a temporary
// condition (RFC 2449 / 3206 response codes), or the credentials.
func (s *Session) loginRefused(r reply) error {
	var re *replyError
	if !errors.As(r.err, &re) {
		return nil
	}
	if strings.Contains(re.text, "[SYS/") || strings.Contains(re.text, "[IN-USE]") {
		return &UnavailableError{Addr: s.addr, Err: r.err}
	}
	return ErrBadCredentials
}
