package mailtools

import (
	"context"
	"io"

	"gomailcgi/internal/mailmsg"
)

// fetched is a message read whole, as tests look at it.
type fetched struct {
	Ref      Ref
	Envelope mailmsg.Envelope
	Raw      []byte
}

// fetchAll opens a message and reads it to its end.
func fetchAll(ctx context.Context, s *Session, ref Ref) (*fetched, error) {
	st, err := s.Open(ctx, ref)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(st)
	if err != nil {
		return nil, err
	}
	return &fetched{Ref: st.Ref, Envelope: mailmsg.ParseEnvelope(raw), Raw: raw}, nil
}
