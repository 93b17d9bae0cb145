package mailtools

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"path"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"gomailcgi/internal/mailmsg"
)

// maxBodyLine is the longest line, without its CRLF, that may travel
// unencoded (RFC 5322 section 2.1.1).
const maxBodyLine = 998

// WriteTo writes m as an RFC 5322 message with the given Date and
// Message-ID ("" for a fresh one). It validates m first. The Bcc
// recipients never appear in the output. Attachments are streamed.
func (m *Outgoing) WriteTo(w io.Writer, date time.Time, messageID string) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return m.write(w, date, messageID)
}

// write is WriteTo for a message already validated: Send validates it
// before it connects.
func (m *Outgoing) write(w io.Writer, date time.Time, messageID string) error {
	if messageID == "" {
		messageID = NewMessageID(messageIDDomain(m.From.Addr))
	}
	if !validMsgID(messageID) {
		return fmt.Errorf("mailtools: malformed Message-ID %q", messageID)
	}
	h := m.header(date, messageID)
	if m.Draft {
		if err := m.markDraft(&h); err != nil {
			return err
		}
	}
	body, enc := textBody(m.Body)

	// go-message builds the header fields and the multipart frame, but the
	// bodies are encoded here: the encoders of its mail.Writer allocate on
	// every output line, once for base64 (920,000 times for a 50 MB
	// attachment) and twice for 7bit, and it cannot create a part whose
	// body the caller encodes.
	if len(m.Attachments) == 0 {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", enc)
		h.Set("MIME-Version", "1.0")
		if err := textproto.WriteHeader(w, h.Header.Header); err != nil {
			return err
		}
		return writeText(w, body, enc)
	}

	mw := textproto.NewMultipartWriter(w)
	h.Set("MIME-Version", "1.0")
	h.SetContentType("multipart/mixed", map[string]string{"boundary": mw.Boundary()})
	if err := textproto.WriteHeader(w, h.Header.Header); err != nil {
		return err
	}
	var th gomail.InlineHeader
	th.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
	th.Set("Content-Transfer-Encoding", enc)
	th.Set("Content-Disposition", "inline")
	tw, err := mw.CreatePart(th.Header.Header)
	if err != nil {
		return err
	}
	if err := writeText(tw, body, enc); err != nil {
		return err
	}
	for i, a := range m.Attachments {
		if err := writeAttachment(mw, a); err != nil {
			return fmt.Errorf("attachment %d: %w", i+1, err)
		}
	}
	return mw.Close()
}

// writeText writes a body from textBody in its transfer encoding. A 7bit
// body already has CRLF line breaks and no line over 998 bytes, so it goes
// out as it is.
func writeText(w io.Writer, body, enc string) error {
	if enc != "quoted-printable" {
		_, err := io.WriteString(w, body)
		return err
	}
	qw := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qw, body); err != nil {
		return err
	}
	return qw.Close()
}

// header builds the top-level header. go-message writes fields in the
// reverse order of Set, so they are set last to first.
func (m *Outgoing) header(date time.Time, messageID string) gomail.Header {
	var h gomail.Header
	if len(m.References) > 0 {
		h.SetMsgIDList("References", bareIDs(m.References))
	}
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", bareIDs([]string{m.InReplyTo}))
	}
	if m.Draft && len(m.Bcc) > 0 {
		h.SetAddressList(DraftBccHeader, mailAddrs(m.Bcc))
	}
	h.SetSubject(m.Subject)
	h.SetAddressList("Cc", mailAddrs(m.Cc))
	h.SetAddressList("To", mailAddrs(m.To))
	h.SetAddressList("From", mailAddrs([]mailmsg.Address{m.From}))
	h.SetMessageID(strings.TrimSuffix(strings.TrimPrefix(messageID, "<"), ">"))
	h.SetDate(date)
	return h
}

// markDraft sets DraftHeader to the mark DraftMark gives for the header
// as built so far, read back the way every page reads a header.
func (m *Outgoing) markDraft(h *gomail.Header) error {
	if m.DraftMark == nil {
		return errors.New("mailtools: a draft without DraftMark")
	}
	var buf bytes.Buffer
	if err := textproto.WriteHeader(&buf, h.Header.Header); err != nil {
		return err
	}
	mark, err := m.DraftMark(mailmsg.ParseHeader(buf.Bytes()).Envelope())
	if err != nil {
		return fmt.Errorf("mailtools: marking a draft: %w", err)
	}
	if !safeHeaderText(mark) || strings.ContainsRune(mark, '\t') {
		return errors.New("mailtools: a draft mark that cannot be written")
	}
	h.Set(DraftHeader, mark)
	return nil
}

func writeAttachment(mw *textproto.MultipartWriter, a Attachment) error {
	var ah gomail.AttachmentHeader
	ah.Set("Content-Type", attachmentType(a))
	ah.Set("Content-Transfer-Encoding", "base64")
	// mime.FormatMediaType encodes non-ASCII values per RFC 2231, which
	// AttachmentHeader.SetFilename would write as RFC 2047 words inside a
	// quoted string instead.
	disp := "attachment"
	if a.Filename != "" {
		disp = mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})
		if disp == "" {
			return errors.New("file name cannot be encoded")
		}
	}
	ah.Set("Content-Disposition", disp)
	aw, err := mw.CreatePart(ah.Header.Header)
	if err != nil || a.Body == nil {
		return err
	}
	return writeBase64(aw, a.Body)
}

// attachmentType is the Content-Type to send for a, given or guessed.
func attachmentType(a Attachment) string {
	const fallback = "application/octet-stream"
	ct := a.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(a.Filename))
	}
	t, params, err := mime.ParseMediaType(ct)
	if err != nil || strings.HasPrefix(t, "multipart/") || strings.HasPrefix(t, "message/") {
		return fallback
	}
	// go-message refuses to create a part whose charset is not UTF-8 or
	// ASCII, since it writes text as UTF-8. An attachment's bytes go out as
	// they are, base64: the label goes, the file stays the same.
	delete(params, "charset")
	if f := mime.FormatMediaType(t, params); f != "" {
		return f
	}
	return fallback
}

// textBody normalizes line endings to CRLF, replaces invalid UTF-8, and
// picks the transfer encoding: 7bit when every line is short ASCII,
// quoted-printable otherwise.
func textBody(s string) (body, encoding string) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\n", "\r\n")
	return s, bodyEncoding(s)
}

func bodyEncoding(s string) string {
	line := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r' || c == '\n':
			line = 0
			continue
		case c >= 0x80 || c == 0 || c == 0x7f:
			return "quoted-printable"
		}
		if line++; line > maxBodyLine {
			return "quoted-printable"
		}
	}
	return "7bit"
}

func bareIDs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	}
	return out
}

func mailAddrs(list []mailmsg.Address) []*gomail.Address {
	out := make([]*gomail.Address, len(list))
	for i, a := range list {
		out[i] = &gomail.Address{Name: a.Name, Address: a.Addr}
	}
	return out
}
