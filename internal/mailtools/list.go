package mailtools

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"gomailcgi/internal/mailmsg"
)

// MaxPageSize bounds one List call.
const MaxPageSize = 500

// Listing is one page of the mailbox, newest first.
type Listing struct {
	Count     int   // messages in the mailbox
	TotalSize int64 // their total size in octets
	Offset    int   // how many newer messages come before this page
	Messages  []Summary
}

// Summary is one row of a listing.
type Summary struct {
	Ref            Ref
	Size           int64
	Envelope       mailmsg.Envelope // the fields of mailmsg.Header.Summary
	HasAttachments bool
}

// List returns up to limit messages, newest first, skipping the offset
// newest. Only the rows asked for are fetched (UIDL n, LIST n and TOP n 0
// each) in one exchange, pipelined when the server offers PIPELINING.
func (s *Session) List(ctx context.Context, offset, limit int) (*Listing, error) {
	if offset < 0 || limit < 1 || limit > MaxPageSize {
		return nil, fmt.Errorf("mailtools: list offset %d limit %d out of range", offset, limit)
	}
	if err := s.stat(ctx); err != nil {
		return nil, err
	}
	out := &Listing{Count: s.count, TotalSize: s.total, Offset: offset}
	first := s.count - offset
	if first < 1 {
		return out, nil
	}
	last := max(first-limit+1, 1)
	useUIDL, err := s.hasUIDL(ctx)
	if err != nil {
		return nil, err
	}
	caps, err := s.capa(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]Summary, 0, first-last+1)
	answered := make([]int, 0, first-last+1) // of the row's commands, how many got +OK
	cmds := make([]command, 0, 3*(first-last+1))
	var again []int // rows whose summary needs the start of the body
	for n := first; n >= last; n-- {
		rows = append(rows, Summary{Ref: Ref{Num: n}})
		answered = append(answered, 0)
		i := len(rows) - 1
		row, ok := &rows[i], &answered[i]
		if useUIDL {
			cmds = append(cmds, uidCommand(n, func(uid string) {
				row.Ref.ID = "u" + uid
				*ok++
			}))
		}
		cmds = append(cmds, sizeCommand(n, func(size int64) {
			row.Size = size
			*ok++
		}))
		// a header block past the bound is summarized from its start
		cmds = append(cmds, headerCommand(n, func(header []byte) {
			h := mailmsg.ParseHeader(header)
			row.Envelope = h.Summary()
			if h.NeedsParts() {
				again = append(again, i)
			}
			row.HasAttachments = row.Envelope.Multipart
			if !useUIDL {
				row.Ref.ID = headerFingerprint(header)
			}
			*ok++
		}))
	}
	if err := s.exchange(ctx, caps.pipelining, cmds...); err != nil {
		return nil, err
	}
	if err := s.readStarts(ctx, caps.pipelining, rows, again); err != nil {
		return nil, err
	}
	// A row the server refused to describe (another client expunged it
	// during this session) is left out rather than shown half-known.
	perRow := len(cmds) / len(rows)
	out.Messages = rows[:0]
	for i, r := range rows {
		if answered[i] == perRow {
			out.Messages = append(out.Messages, r)
		}
	}
	return out, nil
}

// readStarts summarizes the rows again from the start of their bodies:
// their headers hold raw 8-bit text in no declared charset, which the
// view reads in the charset of the first text part (Entity.Envelope). A
// list of ordinary mail asks nothing more.
func (s *Session) readStarts(ctx context.Context, pipelined bool, rows []Summary, again []int) error {
	if len(again) == 0 {
		return nil
	}
	cmds := make([]command, 0, len(again))
	for _, i := range again {
		row := &rows[i]
		cmds = append(cmds, startCommand(row.Ref.Num, func(start []byte) {
			m, _ := mailmsg.Read(bytes.NewReader(start), mailmsg.Limits{MaxParts: startLines, MaxTotal: len(start) + 1})
			row.Envelope = m.Root.Summary()
		}))
	}
	return s.exchange(ctx, pipelined, cmds...)
}

// sizeCommand is "LIST n": got is given message n's size, unless the
// server refuses it (-ERR).
func sizeCommand(n int, got func(size int64)) command {
	return command{line: "LIST " + strconv.Itoa(n), reply: func(r reply) error {
		if r.err != nil {
			return nil
		}
		var room [3]string
		f := appendFields(room[:0], r.text)
		var num [20]byte
		if len(f) < 2 || f[0] != string(strconv.AppendInt(num[:0], int64(n), 10)) {
			return &ProtocolError{Command: "LIST", Reply: truncate(r.text, 80)}
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size < 0 {
			return &ProtocolError{Command: "LIST", Reply: truncate(r.text, 80)}
		}
		got(size)
		return nil
	}}
}
