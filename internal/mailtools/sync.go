package mailtools

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/record"
)

// resolve is the sync check: it finds the message a reference names in
// this session, or proves that it cannot. With UIDL a message that moved
// (mail before it was deleted) is found by its id; without UIDL the
// message at the listed number must still have the listed header
// fingerprint.
func (s *Session) resolve(ctx context.Context, ref Ref) (int, error) {
	if ref.Num < 1 || len(ref.ID) < 2 {
		return 0, ErrBadRef
	}
	if err := s.stat(ctx); err != nil {
		return 0, err
	}
	if ref.byUIDL() {
		has, err := s.hasUIDL(ctx)
		if err != nil {
			return 0, err
		}
		if !has {
			return 0, &SyncError{Ref: ref, Err: ErrInboxChanged}
		}
		want := ref.ID[1:]
		if ref.Num <= s.count {
			uid := "" // none when the server refuses: look it up in the index
			if err := s.exchange(ctx, false, uidCommand(ref.Num, func(u string) { uid = u })); err != nil {
				return 0, err
			}
			s.noteUIDL(ref, uid)
			if uid == want {
				return ref.Num, nil
			}
		}
		if ref.Num > s.count && s.c.rec != nil {
			s.c.rec.Note("POP3", record.UIDLPast, record.Facts{Num: ref.Num, Want: want, Count: s.count})
		}
		all, err := s.uidIndex(ctx)
		if err != nil {
			return 0, err
		}
		n, ok := all[want]
		if s.c.rec != nil {
			if ok {
				s.c.rec.Note("POP3", record.UIDLMoved, record.Facts{Want: want, At: n})
			} else {
				s.c.rec.Note("POP3", record.UIDLGone, record.Facts{Want: want})
			}
		}
		if ok {
			return n, nil
		}
		return 0, &SyncError{Ref: ref, Err: ErrMessageGone}
	}
	if ref.Num > s.count {
		if s.c.rec != nil {
			s.c.rec.Note("POP3", record.PrintPast, record.Facts{Num: ref.Num, Want: shortFingerprint(ref.ID), Count: s.count})
		}
		return 0, &SyncError{Ref: ref, Err: ErrInboxChanged}
	}
	// A refused TOP leaves the fingerprint empty: whatever holds that
	// number now was expunged meanwhile, and it may not be the listed
	// message, which can have moved before it.
	fp := ""
	if err := s.exchange(ctx, false, headerCommand(ref.Num, func(h []byte) { fp = headerFingerprint(h) })); err != nil {
		return 0, err
	}
	if s.c.rec != nil {
		said, f := fingerprintNote(ref, fp)
		s.c.rec.Note("POP3", said, f)
	}
	if fp != ref.ID {
		return 0, &SyncError{Ref: ref, Err: ErrInboxChanged}
	}
	return ref.Num, nil
}

// Stream is a message as the server sends it (RETR), dot-stuffing
// removed. Read it to its end, or Close the session, before the next call
// on the session.
type Stream struct {
	Ref  Ref   // as given, with Num updated if the message moved
	Size int64 // in octets, as LIST reports it
	streamReader
}

// Open checks the reference and streams the message. The context given
// bounds the reading too. Nothing is held in memory: what to keep of the
// message is the reader's choice.
func (s *Session) Open(ctx context.Context, ref Ref) (*Stream, error) {
	n, err := s.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	o := &opening{ref: ref, n: n, held: true}
	if err := s.exchange(ctx, false, o.commands(ctx, s)...); err != nil {
		return nil, vanished(ref, err)
	}
	return o.st, nil
}

// opening is a message being opened at number n, and what its commands
// learn.
type opening struct {
	ref          Ref // as given
	n            int
	held         bool // the message is at n: its RETR is the stream
	size         int64
	st           *Stream
	newer, older *Ref // see OpenAround
}

// commands are LIST n and RETR n. RETR's body becomes the stream, with
// one watch on ctx for all of it (one per Read would allocate for every
// few kilobytes of a large message); a message not held is read past.
func (o *opening) commands(ctx context.Context, s *Session) []command {
	num := strconv.Itoa(o.n)
	return []command{
		{line: "LIST " + num, reply: func(r reply) error {
			if !o.held {
				return nil
			}
			o.size = listedSize(r.text)
			return r.err
		}},
		{line: "RETR " + num, multi: true, reply: func(r reply) error {
			if !o.held {
				return nil
			}
			if r.err != nil {
				return r.err
			}
			s.inflight, s.unwatch = r.body, s.c.watch(ctx)
			ref := o.ref
			ref.Num = o.n
			o.st = &Stream{Ref: ref, Size: o.size, streamReader: streamReader{s: s, d: r.body}}
			return nil
		}},
	}
}

// listedSize is the size in a "LIST n" reply, or 0 when it gives none.
func listedSize(text string) int64 {
	var size int64
	if f := strings.Fields(text); len(f) >= 2 {
		size, _ = strconv.ParseInt(f[1], 10, 64)
	}
	return size
}

// streamReader reads a RETR body under the caller's context and turns
// connection failures into UnavailableError.
type streamReader struct {
	s *Session
	d *dotReader
}

func (r streamReader) Read(p []byte) (int, error) {
	if r.d.done {
		return 0, io.EOF
	}
	if r.s.inflight != r.d {
		return 0, errors.New("mailtools: stream used after its session moved on")
	}
	n, err := r.d.Read(p)
	if err == io.EOF {
		r.s.streamDone()
		return n, io.EOF
	}
	if err != nil {
		return n, r.s.wrap("RETR", err)
	}
	return n, nil
}

// Check is the safe delete's first half, for a page that asks "delete
// these for good?": it checks every reference and reads the headers of
// the messages, one envelope per distinct message with the reference that
// names it, in order, and deletes nothing. A *SyncError says which reference failed. The session
// is over afterwards.
func (s *Session) Check(ctx context.Context, refs []Ref) ([]Ref, []mailmsg.Envelope, error) {
	checked, envs, err := s.check(ctx, refs)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	distinct := make([]Ref, len(checked))
	for i, c := range checked {
		distinct[i] = c.ref
	}
	return distinct, envs, nil
}

// Delete is the safe delete: it checks every reference first and
// deletes nothing if any fails (a *SyncError says which); then it reads
// the headers of the messages it is about to delete (so the caller can say
// what went), marks each with DELE and commits with QUIT. It returns their
// envelopes, one per distinct reference, in order. The session is over
// afterwards, whatever the outcome.
func (s *Session) Delete(ctx context.Context, refs []Ref) ([]mailmsg.Envelope, error) {
	checked, envs, err := s.check(ctx, refs)
	if err != nil {
		s.Close() // no DELE was sent: nothing to commit
		return nil, err
	}
	s.marked = true
	for _, c := range checked {
		if err := s.exchange(ctx, false, simple("DELE "+strconv.Itoa(c.num))); err != nil {
			s.abort() // hang up without QUIT: the server forgets the marks
			return nil, vanished(c.ref, err)
		}
	}
	return envs, s.Close()
}

// checkedRef is a reference that passed its sync check, and where it is.
type checkedRef struct {
	ref Ref
	num int
}

// check resolves every distinct reference and reads the headers of the
// messages they name, or fails on the first that does not hold.
func (s *Session) check(ctx context.Context, refs []Ref) ([]checkedRef, []mailmsg.Envelope, error) {
	if len(refs) == 0 {
		return nil, nil, ErrBadRef
	}
	seen := make(map[int]bool, len(refs))
	done := make(map[Ref]bool, len(refs))
	var checked []checkedRef
	for _, ref := range refs {
		if done[ref] {
			continue
		}
		done[ref] = true
		n, err := s.resolve(ctx, ref)
		if err != nil {
			return nil, nil, err
		}
		if !seen[n] {
			seen[n] = true
			checked = append(checked, checkedRef{ref: ref, num: n})
		}
	}
	caps, err := s.capa(ctx)
	if err != nil {
		return nil, nil, err
	}
	envs := make([]mailmsg.Envelope, len(checked))
	read := make([]bool, len(checked))
	cmds := make([]command, len(checked))
	for i, c := range checked {
		cmds[i] = headerCommand(c.num, func(h []byte) {
			envs[i], read[i] = mailmsg.ParseEnvelope(h), true
		})
	}
	if err := s.exchange(ctx, caps.pipelining, cmds...); err != nil {
		return nil, nil, err
	}
	for i, c := range checked {
		if !read[i] {
			return nil, nil, &SyncError{Ref: c.ref, Err: ErrMessageGone}
		}
	}
	return checked, envs, nil
}

// vanished turns a -ERR about a message the session still numbers into a
// sync error: servers such as Dovecot keep the numbering of a session but
// refuse TOP, RETR or DELE of a message another client has expunged
// meanwhile ("-ERR Message 3 expunged."). Other errors pass unchanged.
func vanished(ref Ref, err error) error {
	if isReply(err) {
		return &SyncError{Ref: ref, Err: ErrMessageGone}
	}
	return err
}

// isReply reports whether err is a -ERR reply (the session goes on).
func isReply(err error) bool {
	var re *replyError
	return errors.As(err, &re)
}

// refCommand names message n as a listing does, into *dst: by its UIDL,
// or by its header fingerprint; a message the server refuses is not named.
func (s *Session) refCommand(ctx context.Context, n int, dst **Ref) (command, error) {
	has, err := s.hasUIDL(ctx)
	if err != nil {
		return command{}, err
	}
	if has {
		return uidCommand(n, func(uid string) { *dst = &Ref{Num: n, ID: "u" + uid} }), nil
	}
	return headerCommand(n, func(h []byte) { *dst = &Ref{Num: n, ID: headerFingerprint(h)} }), nil
}

// noteUIDL puts the sync check by UIDL in the request's record: what the
// message was listed with, and what the server says now.
func (s *Session) noteUIDL(ref Ref, uid string) {
	if s.c.rec == nil {
		return
	}
	f := record.Facts{Num: ref.Num, Want: ref.ID[1:], Got: uid}
	switch uid {
	case f.Want:
		s.c.rec.Note("POP3", record.UIDLSame, f)
	case "":
		s.c.rec.Note("POP3", record.UIDLNone, f)
	default:
		s.c.rec.Note("POP3", record.UIDLOther, f)
	}
}

// shortFingerprint is enough of a header fingerprint to tell two apart.
func shortFingerprint(s string) string {
	if len(s) > 13 {
		return s[:13] + "…"
	}
	return s
}

// fingerprintNote is the sync check by header fingerprint, for the
// record.
func fingerprintNote(ref Ref, fp string) (record.Said, record.Facts) {
	f := record.Facts{Num: ref.Num, Want: shortFingerprint(ref.ID), Got: shortFingerprint(fp)}
	switch fp {
	case ref.ID:
		return record.PrintSame, f
	case "":
		return record.PrintRefused, f
	}
	return record.PrintOther, f
}
