package seal

import "time"

// Stamps are the times a token carries, and when it stops opening.
type Stamps struct {
	LoginAt  time.Time // when the user logged in
	SealedAt time.Time // when this token was sealed
	// IdleUntil is when it stops opening unused (SealedAt+Idle), and
	// AbsoluteUntil when the login ends whatever happens (LoginAt+Absolute).
	IdleUntil, AbsoluteUntil time.Time
}

// Inspect is Open, with the token's times: for a page that shows how the
// token works.
func (s *Sealer) Inspect(token string) (State, Stamps, error) {
	p, err := s.open(token)
	if err != nil {
		return State{}, Stamps{}, err
	}
	idle, abs, err := s.durations()
	if err != nil {
		return State{}, Stamps{}, err
	}
	login, sealed := unix(p.loginAt), unix(p.sealedAt)
	return p.state(), Stamps{LoginAt: login, SealedAt: sealed, IdleUntil: sealed.Add(idle), AbsoluteUntil: login.Add(abs)}, nil
}
