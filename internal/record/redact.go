package record

import (
	"strings"
)

// Hidden stands for a secret left out of a record.
const Hidden = "••••"

// redactPOP hides the secret of a POP3 command line: PASS's password,
// APOP's digest, AUTH's initial response; any other line is kept.
func redactPOP(line string) string {
	verb, rest, _ := strings.Cut(line, " ")
	switch strings.ToUpper(verb) {
	case "PASS":
		return verb + " " + Hidden
	case "APOP":
		user, _, _ := strings.Cut(rest, " ")
		return verb + " " + user + " " + Hidden
	case "AUTH":
		mech, _, more := strings.Cut(rest, " ")
		if more {
			return verb + " " + mech + " " + Hidden
		}
	}
	return line
}

// smtpStream follows an SMTP conversation as bytes, which arrive in any
// chunks, and records it by lines. Without PIPELINING (which Send does not
// use) the two sides take turns, so a chunk whose side is unknown is the
// server's while a reply is awaited and the client's otherwise.
type smtpStream struct {
	started   bool   // the greeting is awaited first
	awaiting  bool   // a reply is owed
	replyOpen bool   // a multi-line reply is being read past its first line
	client    []byte // a client line not yet complete
	server    []byte // a server line not yet complete
	data      bool   // the client is writing a message body (after 354)
	dataBytes int64
	authData  bool // the client's next line answers a 334 challenge
}

// SMTPClient records bytes the client wrote.
func (r *Recorder) SMTPClient(p []byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.smtpFeed(false, p)
}

// SMTPServer records bytes the server sent.
func (r *Recorder) SMTPServer(p []byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.smtpFeed(true, p)
}

// SMTPEither records bytes of either side, told apart by whose turn it is:
// for a conversation seen only as one stream, such as go-smtp's
// DebugWriter gives after STARTTLS.
func (r *Recorder) SMTPEither(p []byte) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.smtpFeed(r.smtp.awaitingReply(), p)
}

// SMTPNote records what the SMTP conversation showed, and that what
// follows starts afresh (as after STARTTLS, when a new EHLO starts it).
func (r *Recorder) SMTPNote(said Said) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.add(Entry{Proto: "SMTP", Kind: Note, Said: said})
	r.smtp = smtpStream{started: true}
}

func (s *smtpStream) awaitingReply() bool { return !s.started || s.awaiting }

// smtpFeed splits p into lines of its side and records each.
func (r *Recorder) smtpFeed(server bool, p []byte) {
	s := &r.smtp
	for len(p) > 0 {
		buf := &s.client
		if server {
			buf = &s.server
		}
		i := strings.IndexByte(string(p), '\n')
		if i < 0 {
			if len(*buf) < MaxLine+2 { // the rest of a long line is not needed
				*buf = append(*buf, p[:min(len(p), MaxLine+2-len(*buf))]...)
			}
			if !server && s.data {
				s.dataBytes += int64(len(p))
			}
			return
		}
		if len(*buf) < MaxLine+2 {
			*buf = append(*buf, p[:min(i, MaxLine+2-len(*buf))]...)
		}
		line := trimCR(string(*buf))
		*buf = (*buf)[:0]
		if !server && s.data {
			s.dataBytes += int64(i + 1)
		}
		p = p[i+1:]
		if server {
			r.smtpReplyLine(line)
		} else {
			r.smtpClientLine(line)
		}
	}
}

// smtpClientLine records one line the client wrote: a command, an answer
// to an AUTH challenge (hidden), or a line of the message body (counted,
// and shown as its size when the final dot ends it).
func (r *Recorder) smtpClientLine(line string) {
	s := &r.smtp
	var shown string
	switch {
	case s.data:
		if line != "." {
			return
		}
		// The body's bytes, less the final dot line's own three.
		r.last = r.now()
		r.add(Entry{Proto: "SMTP", Kind: Write, Data: true, Bytes: max(s.dataBytes-3, 0)})
		s.data, s.dataBytes, s.awaiting = false, 0, true
		return
	case s.authData:
		shown, s.authData = Hidden, false
	default:
		shown = redactSMTP(line)
	}
	r.last = r.now()
	r.add(Entry{Proto: "SMTP", Kind: Write, Lines: []string{clip(shown)}})
	s.awaiting = true
}

// smtpReplyLine records the first line of each reply; a reply's code with
// '-' after it says more lines follow.
func (r *Recorder) smtpReplyLine(line string) {
	s := &r.smtp
	if !s.replyOpen {
		r.reply("SMTP", line)
	}
	if len(line) >= 4 && line[3] == '-' {
		s.replyOpen = true
		return
	}
	s.replyOpen, s.awaiting, s.started = false, false, true
	switch {
	case strings.HasPrefix(line, "354"):
		s.data, s.dataBytes = true, 0
	case strings.HasPrefix(line, "334"):
		s.authData = true
	}
}

// redactSMTP hides AUTH's initial response; other commands are kept.
func redactSMTP(line string) string {
	verb, rest, _ := strings.Cut(line, " ")
	if strings.EqualFold(verb, "AUTH") {
		mech, _, more := strings.Cut(rest, " ")
		if more {
			return verb + " " + mech + " " + Hidden
		}
	}
	return line
}
