package mailtools

import (
	"context"
	"fmt"

	"gomailcgi/internal/mailmsg"
)

// Newest gives got the envelopes of the newest n messages, newest first,
// read by TOP n 0 in one exchange, pipelined when the server offers
// PIPELINING. A message the server refuses (expunged meanwhile) is left
// out. Nothing is kept: what to count is got's choice.
func (s *Session) Newest(ctx context.Context, n int, got func(mailmsg.Envelope)) error {
	if n < 1 || n > MaxPageSize {
		return fmt.Errorf("mailtools: newest %d out of range", n)
	}
	if err := s.stat(ctx); err != nil {
		return err
	}
	caps, err := s.capa(ctx)
	if err != nil {
		return err
	}
	last := max(s.count-n+1, 1)
	cmds := make([]command, 0, n)
	for i := s.count; i >= last; i-- {
		cmds = append(cmds, headerCommand(i, func(header []byte) {
			got(mailmsg.ParseHeader(header).Envelope())
		}))
	}
	if len(cmds) == 0 {
		return nil
	}
	return s.exchange(ctx, caps.pipelining, cmds...)
}
