// Package record keeps what one request said to the mail servers, as it
// happened, for the page that answers it to show: each command written
// (the commands of one pipelined write together), the first line of each
// reply and how long it took, and sentences such as the sync check's.
//
// Secrets never enter a record: a POP3 PASS or AUTH line, SMTP AUTH and
// its data, and a message's body are replaced on the way in (see
// redact.go). A record is bounded (MaxEntries, MaxLines, MaxLine) whatever
// the conversation, so it costs a page's worth of memory, never a
// mailbox's. With no Recorder in the context nothing is recorded: every
// method of a nil *Recorder does nothing and allocates nothing.
package record

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// Bounds of one record.
const (
	MaxEntries = 200 // entries kept; later ones are counted, not kept
	MaxLines   = 40  // command lines kept of one write
	MaxLine    = 160 // bytes kept of one line
)

// Kind is what an Entry is.
type Kind uint8

// The kinds of entry.
const (
	Write Kind = iota // commands written at once
	Reply             // the first line of a reply
	Note              // a sentence about the conversation
)

// Entry is one step of the conversation.
type Entry struct {
	Proto string // "POP3" or "SMTP"
	Kind  Kind
	Lines []string      // Write: the command lines, redacted
	More  int           // Write: lines of the write not kept
	Text  string        // Reply: the reply's first line; Note: the sentence
	Took  time.Duration // Reply: since the write or the reply before it
}

// Recorder is one request's record. It is safe for concurrent use.
type Recorder struct {
	now func() time.Time

	mu      sync.Mutex
	entries []Entry
	dropped int
	fields  []Field
	last    time.Time // of the last write or reply
	smtp    smtpStream
}

// New returns an empty record.
func New() *Recorder { return &Recorder{now: time.Now} }

type ctxKey struct{}

// With returns ctx carrying r.
func With(ctx context.Context, r *Recorder) context.Context {
	return context.WithValue(ctx, ctxKey{}, r)
}

// From returns the Recorder ctx carries, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(ctxKey{}).(*Recorder)
	return r
}

// Entries returns a copy of the record, and how many entries past
// MaxEntries were not kept.
func (r *Recorder) Entries() ([]Entry, int) {
	if r == nil {
		return nil, 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Entry(nil), r.entries...), r.dropped
}

// Field is a form field a request's body carried, as it was read.
type Field struct {
	Name string
	Size int64
	File bool
}

// MaxFields bounds the fields kept.
const MaxFields = 40

// Field records a form field read from a request's body: its name and
// size only, never its value.
func (r *Recorder) Field(name string, size int64, file bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.fields) < MaxFields {
		r.fields = append(r.fields, Field{Name: clip(name), Size: size, File: file})
	}
}

// Fields returns the form fields recorded, in the order read.
func (r *Recorder) Fields() []Field {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Field(nil), r.fields...)
}

// POPWrite records one write of POP3 command lines (CRLF-separated),
// redacted.
func (r *Recorder) POPWrite(p []byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := Entry{Proto: "POP3", Kind: Write}
	for _, line := range splitLines(p) {
		e.add(redactPOP(line))
	}
	r.last = r.now()
	r.add(e)
}

// POPReply records a POP3 status line: a greeting or a command's reply.
func (r *Recorder) POPReply(line string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reply("POP3", line)
}

// Note records a sentence about the conversation.
func (r *Recorder) Note(proto, text string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(Entry{Proto: proto, Kind: Note, Text: clip(text)})
}

// reply records a reply's first line, timed since the last write or
// reply.
func (r *Recorder) reply(proto, line string) {
	now := r.now()
	var took time.Duration
	if !r.last.IsZero() {
		took = now.Sub(r.last)
	}
	r.last = now
	r.add(Entry{Proto: proto, Kind: Reply, Text: clip(line), Took: took})
}

func (r *Recorder) add(e Entry) {
	if len(r.entries) >= MaxEntries {
		r.dropped++
		return
	}
	r.entries = append(r.entries, e)
}

// add keeps a line of a write, up to MaxLines.
func (e *Entry) add(line string) {
	if len(e.Lines) >= MaxLines {
		e.More++
		return
	}
	e.Lines = append(e.Lines, clip(line))
}

// splitLines splits written bytes into lines without their CRLF; a last
// line without one is a line too.
func splitLines(p []byte) []string {
	var lines []string
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			lines = append(lines, trimCR(string(p)))
			break
		}
		lines = append(lines, trimCR(string(p[:i])))
		p = p[i+1:]
	}
	return lines
}

func trimCR(s string) string {
	if len(s) > 0 && s[len(s)-1] == '\r' {
		return s[:len(s)-1]
	}
	return s
}

// clip bounds a line to MaxLine bytes, on a UTF-8 boundary, and replaces
// control characters, so a server's reply cannot stretch or garble a page.
func clip(s string) string {
	b := make([]rune, 0, min(len(s), MaxLine))
	n := 0
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			c = '·'
		}
		n += len(string(c))
		if n > MaxLine {
			b = append(b, '…')
			break
		}
		b = append(b, c)
	}
	return string(b)
}
