package mailtools

import (
	"bytes"
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
	return &fetched{Ref: st.Ref, Envelope: mailmsg.ParseEnvelope(splitHeader(raw)), Raw: raw}, nil
}

// splitHeader returns the header block of a raw message.
func splitHeader(raw []byte) []byte {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return raw[:i+2]
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[:i+1]
	}
	return raw
}
