package mailtools

import (
	"context"
	"errors"
	"fmt"
	"gomailcgi/internal/mailmsg"
	"strconv"
	"strings"
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
// newest. Only the rows asked for are fetched (TOP n 0 each), pipelined
// when the server offers PIPELINING.
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
	rows := make([]Summary, 0, first-last+1)
	var reqs []request
	for n := first; n >= last; n-- {
		rows = append(rows, Summary{Ref: Ref{Num: n}})
		row := &rows[len(rows)-1]
		rowIndex := len(rows) - 1
		if useUIDL {
			reqs = append(reqs, request{row: rowIndex, line: "UIDL " + strconv.Itoa(n), handle: func(text string) error {
				got, uid, ok := parseUIDLine(text)
				if !ok || got != n {
					return &ProtocolError{Command: "UIDL", Reply: truncate(text, 80)}
				}
				row.Ref.ID = "u" + uid
				return nil
			}})
		}
		reqs = append(reqs, request{row: rowIndex, line: "LIST " + strconv.Itoa(n), handle: func(text string) error {
			f := strings.Fields(text)
			if len(f) < 2 || f[0] != strconv.Itoa(n) {
				return &ProtocolError{Command: "LIST", Reply: truncate(text, 80)}
			}
			size, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || size < 0 {
				return &ProtocolError{Command: "LIST", Reply: truncate(text, 80)}
			}
			row.Size = size
			return nil
		}})
		reqs = append(reqs, request{row: rowIndex, line: "TOP " + strconv.Itoa(n) + " 0", multi: true, body: func(header []byte) error {
			row.Envelope = mailmsg.ParseHeader(header).Summary()
			row.HasAttachments = row.Envelope.Multipart
			if !useUIDL {
				row.Ref.ID = headerFingerprint(header)
			}
			return nil
		}})
	}
	refused, err := s.batch(ctx, reqs)
	if err != nil {
		return nil, err
	}
	// A row the server refused to describe (another client expunged it
	// during this session) is left out rather than shown half-known.
	out.Messages = rows[:0]
	for i, r := range rows {
		if !refused[i] {
			out.Messages = append(out.Messages, r)
		}
	}
	return out, nil
}

// request is one command of a batch: single-line (handle gets the text
// after +OK) or multi-line (body gets the body, bounded).
type request struct {
	row    int // the listing row it describes
	line   string
	multi  bool
	handle func(text string) error
	body   func(data []byte) error
}

// batch runs requests in order, all written at once when the server
// offers PIPELINING (RFC 2449), else one by one. It returns the rows whose
// requests got -ERR; any other failure is returned after every reply has
// been read, so the session stays in step.
func (s *Session) batch(ctx context.Context, reqs []request) (refused map[int]bool, err error) {
	caps, err := s.capa(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.ready(); err != nil {
		return nil, err
	}
	stop := s.lc.watch(ctx)
	defer stop()
	if caps.pipelining {
		var b strings.Builder
		for _, r := range reqs {
			b.WriteString(r.line)
			b.WriteString("\r\n")
		}
		if _, err := s.lc.Write([]byte(b.String())); err != nil {
			return nil, s.wrap("pipeline", err)
		}
	}
	refused = map[int]bool{}
	var first error
	var buf []byte
	for _, r := range reqs {
		verb, _, _ := strings.Cut(r.line, " ")
		if !caps.pipelining {
			if _, err := s.lc.Write([]byte(r.line + "\r\n")); err != nil {
				return nil, s.wrap(verb, err)
			}
		}
		text, err := s.lc.readReply(verb)
		if isReply(err) {
			refused[r.row] = true
			continue
		}
		if err != nil {
			return nil, s.wrap(verb, err)
		}
		if !r.multi {
			first = firstErr(first, r.handle(text))
			continue
		}
		// under the batch's watch, into one buffer: a row keeps no bytes
		data, ok, err := s.readBody(newDotReader(s.lc.br), maxHeaderBytes, buf)
		if err != nil {
			return nil, err
		}
		buf = data
		_ = ok // a header block past the bound is summarized from its start
		first = firstErr(first, r.body(data))
	}
	if first != nil {
		var pe *ProtocolError
		if errors.As(first, &pe) {
			s.abort()
		}
	}
	return refused, first
}

// firstErr keeps the first error.
func firstErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
