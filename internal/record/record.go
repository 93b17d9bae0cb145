// Package record keeps what one request said to the mail servers, as it
// happened, for the page that answers it to show: each command written
// (the commands of one pipelined write together), the first line of each
// reply and how long it took, and notes such as the sync check's. A
// record holds no language: a note is what it says (Said) and its values
// (Facts), and the page that shows it puts it in the reader's words.
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
	Note              // what the conversation showed, as Said and Facts
)

// Said is what a note says, in no language.
type Said uint8

// What notes say.
const (
	TLS          Said = iota + 1 // TLS from here on: the rest is encrypted
	UIDLSame                     // Num was listed with UIDL Want; the server's UIDL for Num is Got: the same message
	UIDLNone                     // Num was listed with UIDL Want; the server gives none for Num now: looked up by UIDL
	UIDLOther                    // Num was listed with UIDL Want; the server's for Num is Got: looked up by UIDL
	UIDLPast                     // Num was listed with UIDL Want; the mailbox has Count messages now: looked up by UIDL
	UIDLMoved                    // UIDL Want is message At now: the same message, moved
	UIDLGone                     // no message has UIDL Want now: nothing is done
	PrintPast                    // Num was listed with fingerprint Want; the mailbox has Count messages now: nothing is done
	PrintSame                    // Num was listed with fingerprint Want; the headers at Num give Got: the same message
	PrintRefused                 // Num was listed with fingerprint Want; the server refuses the headers at Num: nothing is done
	PrintOther                   // Num was listed with fingerprint Want; the headers at Num give Got: nothing is done
)

// Facts are a note's values.
type Facts struct {
	Num, At, Count int    // message numbers, and the mailbox's count
	Want, Got      string // a UIDL or fingerprint as listed, and as found
}

// Entry is one step of the conversation.
type Entry struct {
	Proto string // "POP3" or "SMTP"
	Kind  Kind
	Lines []string      // Write: the command lines, redacted
	More  int           // Write: lines of the write not kept
	Data  bool          // Write: a message's body, Bytes long, and its final dot
	Bytes int64         // Write: the size of a Data body
	Text  string        // Reply: the reply's first line
	Took  time.Duration // Reply: since the write or the reply before it
	Said  Said          // Note: what it says
	Facts Facts         // Note: its values
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

// Note records what the conversation showed.
func (r *Recorder) Note(proto string, said Said, f Facts) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	f.Want, f.Got = clip(f.Want), clip(f.Got)
	r.add(Entry{Proto: proto, Kind: Note, Said: said, Facts: f})
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
