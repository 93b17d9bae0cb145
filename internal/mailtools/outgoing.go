package mailtools

import (
	"crypto/rand"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"gomailcgi/internal/mailmsg"
)

// Outgoing is a message to send, as the compose form gives it.
type Outgoing struct {
	From        mailmsg.Address
	To, Cc, Bcc []mailmsg.Address
	Subject     string
	Body        string   // text/plain, UTF-8; line endings become CRLF on the wire
	InReplyTo   string   // a Message-ID with angle brackets, or ""
	References  []string // Message-IDs with angle brackets
	Attachments []Attachment
	// Draft keeps the message in the sender's own inbox instead of sending
	// it: the envelope names From only, whatever To, Cc and Bcc say, and
	// the message is marked with DraftHeader. Its Bcc is kept in
	// DraftBccHeader, which only the sender ever receives.
	Draft bool
	// DraftMark gives a draft's DraftHeader value from its header as a
	// reader parses it back, so that the mark can vouch for what the
	// reader will see. Required for a draft.
	DraftMark func(mailmsg.Envelope) (string, error)
}

// The headers that mark a draft and keep its Bcc.
const (
	DraftHeader    = "X-Gomailcgi-Draft"
	DraftBccHeader = "X-Gomailcgi-Draft-Bcc"
)

// Attachment is one file sent with a message.
type Attachment struct {
	Filename string // any Unicode; encoded per RFC 2231 on the wire; "" for none
	// ContentType is a media type with optional parameters; "" means guess
	// from the file name. Composite types (multipart/*, message/*) are sent
	// as application/octet-stream, since they may not be base64-encoded.
	ContentType string
	Body        io.Reader // streamed, never read whole into memory; nil is empty
}

// InputError is a problem with what the user typed. Field names the form
// field ("from", "to", "cc", "bcc", "subject", "attachment", "in-reply-to",
// "references"); Problem is a fixed, friendly sentence safe to show; Value
// is the offending address or file name as given ("" otherwise), to be
// shown escaped so the user can find it.
type InputError struct {
	Field   string
	Problem string
	Value   string
}

func (e *InputError) Error() string {
	return "mailtools: " + e.Field + ": " + e.Problem
}

// Limits that keep every header line within RFC 5322's 998 bytes without
// folding inside a word, which would change the value.
const (
	maxSubjectBytes  = 998 - len("Subject: ")
	maxNameBytes     = 255 // a display name; escaped it stays under 998
	maxAddrBytes     = 254 // RFC 5321 path limit less the brackets
	maxLocalBytes    = 64
	maxFilenameBytes = 255 // percent-encoded it stays under 998
	maxMediaBytes    = 255
	maxMsgIDBytes    = 900
)

// Validate reports the first problem with m as an *InputError, or nil.
// Send and WriteTo call it; a caller need not.
func (m *Outgoing) Validate() error {
	if err := checkAddress("from", m.From); err != nil {
		return err
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 && !m.Draft {
		return &InputError{Field: "to", Problem: "Add at least one recipient."}
	}
	for _, l := range []struct {
		field string
		list  []mailmsg.Address
	}{{"to", m.To}, {"cc", m.Cc}, {"bcc", m.Bcc}} {
		for _, a := range l.list {
			if err := checkAddress(l.field, a); err != nil {
				return err
			}
		}
	}
	if !safeHeaderText(m.Subject) {
		return &InputError{Field: "subject", Problem: "The subject contains characters that cannot be sent."}
	}
	if len(m.Subject) > maxSubjectBytes {
		return &InputError{Field: "subject", Problem: "The subject is too long."}
	}
	if m.InReplyTo != "" && !validMsgID(m.InReplyTo) {
		return &InputError{Field: "in-reply-to", Problem: "The message being answered has an identifier that cannot be sent."}
	}
	for _, id := range m.References {
		if !validMsgID(id) {
			return &InputError{Field: "references", Problem: "The message being answered has a reference that cannot be sent."}
		}
	}
	for _, a := range m.Attachments {
		if err := a.check(); err != nil {
			return err
		}
	}
	return nil
}

// Recipients lists the envelope recipients: the To, Cc and Bcc addr-specs in
// that order, each once (compared case-insensitively); for a draft, From.
func (m *Outgoing) Recipients() []string {
	if m.Draft {
		return []string{m.From.Addr}
	}
	seen := make(map[string]bool)
	var out []string
	for _, list := range [][]mailmsg.Address{m.To, m.Cc, m.Bcc} {
		for _, a := range list {
			key := strings.ToLower(a.Addr)
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, a.Addr)
		}
	}
	return out
}

// NewMessageID returns a fresh, globally unique Message-ID for domain, with
// angle brackets: "<random@domain>". A domain that is not a plain host name
// is replaced by "localhost".
func NewMessageID(domain string) string {
	if !validDomain(domain) {
		domain = "localhost"
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}

// messageIDDomain is the domain for Message-IDs of mail sent from addr.
func messageIDDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && validDomain(addr[i+1:]) {
		return addr[i+1:]
	}
	return "localhost"
}

func checkAddress(field string, a mailmsg.Address) *InputError {
	if a.Addr == "" {
		if field == "from" {
			return &InputError{Field: field, Problem: "The sender address is missing."}
		}
		return &InputError{Field: field, Problem: "A recipient address is empty.", Value: a.Name}
	}
	if !safeHeaderText(a.Name) || len(a.Name) > maxNameBytes {
		return &InputError{Field: field, Problem: "A name in this field cannot be sent.", Value: a.Name}
	}
	if !validAddrSpec(a.Addr) {
		return &InputError{Field: field, Problem: "This is not a valid e-mail address.", Value: a.Addr}
	}
	return nil
}

func (a Attachment) check() *InputError {
	if !safeHeaderText(a.Filename) || strings.ContainsRune(a.Filename, '\t') || len(a.Filename) > maxFilenameBytes {
		return &InputError{Field: "attachment", Problem: "An attachment has a file name that cannot be sent.", Value: a.Filename}
	}
	if a.ContentType != "" {
		if !safeHeaderText(a.ContentType) || len(a.ContentType) > maxMediaBytes {
			return &InputError{Field: "attachment", Problem: "An attachment has a file type that cannot be sent.", Value: a.Filename}
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return &InputError{Field: "attachment", Problem: "An attachment has a file type that cannot be sent.", Value: a.Filename}
		}
	}
	return nil
}

// safeHeaderText reports whether s is valid UTF-8 free of control
// characters other than tab: nothing that could end or bend a header line.
func safeHeaderText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t') || r == 0x7f || r == 0x85 || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}

// validAddrSpec accepts the common, unquoted form of an RFC 5321 mailbox:
// a dot-atom local part, '@', and a host name. Quoted local parts, address
// literals and non-ASCII addresses are refused: they need care (SMTPUTF8,
// quoting in the envelope) that few servers and users need.
func validAddrSpec(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || len(s) > maxAddrBytes || at > maxLocalBytes {
		return false
	}
	local := s[:at]
	for _, atom := range strings.Split(local, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !isAtext(atom[i]) {
				return false
			}
		}
	}
	return validDomain(s[at+1:])
}

func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain accepts an ASCII host name: dot-separated labels of letters,
// digits and inner hyphens.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// validMsgID accepts "<id>" where id is printable ASCII without spaces or
// angle brackets, short enough for one header line.
func validMsgID(id string) bool {
	if len(id) < 3 || len(id) > maxMsgIDBytes || id[0] != '<' || id[len(id)-1] != '>' {
		return false
	}
	for i := 1; i < len(id)-1; i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' {
			return false
		}
	}
	return true
}
