package mailtools

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"gomailcgi/internal/mailmsg"
)

var buildDate = time.Date(2024, 3, 5, 14, 7, 9, 0, time.FixedZone("", 3600))

const buildMsgID = "<abc123@example.org>"

// baseOutgoing is a minimal valid message for the build tests to vary.
func baseOutgoing() *Outgoing {
	return &Outgoing{
		From:    mailmsg.Address{Name: "Ann Lee", Addr: "ann@example.org"},
		To:      []mailmsg.Address{{Name: "Bob", Addr: "bob@example.net"}},
		Subject: "Hello",
		Body:    "Hi Bob.\n",
	}
}

func buildOutgoing(t testing.TB, m *Outgoing) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := m.WriteTo(&buf, buildDate, buildMsgID); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	return buf.Bytes()
}

// readBackMessage parses raw with go-message and returns its header, text and
// attachments (file name -> decoded bytes), in order.
type parsedPart struct {
	filename, contentType string
	body                  []byte
}

func readBackMessage(t *testing.T, raw []byte) (gomail.Header, string, []parsedPart) {
	t.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("CreateReader: %v", err)
	}
	var text string
	var atts []parsedPart
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v", err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatalf("reading part: %v", err)
		}
		switch h := p.Header.(type) {
		case *gomail.InlineHeader:
			text += string(body)
		case *gomail.AttachmentHeader:
			name, err := h.Filename()
			if err != nil {
				t.Fatalf("Filename: %v", err)
			}
			ct, _, _ := h.ContentType()
			atts = append(atts, parsedPart{filename: name, contentType: ct, body: body})
		}
	}
	return mr.Header, text, atts
}

// checkWire asserts RFC 5322 line discipline: CRLF only, 7-bit clean, no
// line over 998 bytes.
func checkWire(t *testing.T, raw []byte) {
	t.Helper()
	lines := bytes.Split(raw, []byte("\r\n"))
	for i, l := range lines {
		if len(l) > maxBodyLine {
			t.Errorf("line %d is %d bytes, want <= %d", i+1, len(l), maxBodyLine)
		}
		if j := bytes.IndexAny(l, "\r\n"); j >= 0 {
			t.Errorf("line %d has a bare CR or LF at %d: %q", i+1, j, l)
		}
		for _, c := range l {
			if c >= 0x80 || c == 0 {
				t.Errorf("line %d has byte %#x: %q", i+1, c, l)
				break
			}
		}
	}
}

func rawHeaderBlock(raw []byte) string {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if i < 0 {
		return string(raw)
	}
	return string(raw[:i+2])
}

func TestBuildHeaders(t *testing.T) {
	m := baseOutgoing()
	m.Cc = []mailmsg.Address{{Addr: "carol@example.com"}}
	raw := buildOutgoing(t, m)
	checkWire(t, raw)
	h, text, atts := readBackMessage(t, raw)

	if got := h.Get("Mime-Version"); got != "1.0" {
		t.Errorf("MIME-Version: got %q, want %q", got, "1.0")
	}
	if got, err := h.Date(); err != nil || !got.Equal(buildDate) {
		t.Errorf("Date: got %v (%v), want %v", got, err, buildDate)
	}
	if got, _ := h.MessageID(); "<"+got+">" != buildMsgID {
		t.Errorf("Message-ID: got %q, want %q", got, buildMsgID)
	}
	for _, c := range []struct{ key, want string }{
		{"From", `"Ann Lee" <ann@example.org>`},
		{"To", `"Bob" <bob@example.net>`},
		{"Cc", `<carol@example.com>`},
	} {
		list, err := h.AddressList(c.key)
		if err != nil || len(list) != 1 {
			t.Fatalf("%s: got %v (%v), want one address", c.key, list, err)
		}
		if got := list[0].String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.key, got, c.want)
		}
	}
	if ct, params, _ := h.ContentType(); ct != "text/plain" || params["charset"] != "utf-8" {
		t.Errorf("Content-Type: got %q %v, want text/plain; charset=utf-8", ct, params)
	}
	if got := h.Get("Content-Transfer-Encoding"); got != "7bit" {
		t.Errorf("Content-Transfer-Encoding: got %q, want %q", got, "7bit")
	}
	if text != "Hi Bob.\r\n" {
		t.Errorf("body: got %q, want %q", text, "Hi Bob.\r\n")
	}
	if len(atts) != 0 {
		t.Errorf("got %d attachments, want 0", len(atts))
	}
}

func TestBuildSubject(t *testing.T) {
	for _, c := range []struct{ name, subject string }{
		{"empty", ""},
		{"ascii", "Plain ASCII subject"},
		{"utf-8", "Grüße aus Köln — ça va? 日本語 👋"},
		{"long utf-8", strings.Repeat("é", 400)},
		{"longest unbroken ascii", strings.Repeat("x", maxSubjectBytes)},
		{"long ascii words", strings.TrimSpace(strings.Repeat("word ", 190))},
	} {
		subject := c.subject
		t.Run(c.name, func(t *testing.T) {
			m := baseOutgoing()
			m.Subject = subject
			raw := buildOutgoing(t, m)
			checkWire(t, raw)
			h, _, _ := readBackMessage(t, raw)
			got, err := h.Subject()
			if err != nil {
				t.Fatalf("Subject: %v", err)
			}
			if got != subject {
				t.Errorf("Subject: got %q, want %q", got, subject)
			}
			if hasNonASCII(subject) && !strings.Contains(rawHeaderBlock(raw), "=?utf-8?") {
				t.Errorf("non-ASCII subject not RFC 2047-encoded on the wire:\n%s", rawHeaderBlock(raw))
			}
		})
	}
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

func TestBuildNoBcc(t *testing.T) {
	m := baseOutgoing()
	m.Bcc = []mailmsg.Address{{Name: "Secret Sam", Addr: "hidden@example.com"}}
	raw := buildOutgoing(t, m)
	h, _, _ := readBackMessage(t, raw)
	if h.Has("Bcc") {
		t.Errorf("header has a Bcc field: %q", h.Get("Bcc"))
	}
	if regexp.MustCompile(`(?im)^bcc:`).Match(raw) {
		t.Errorf("raw message has a Bcc line:\n%s", raw)
	}
	for _, s := range []string{"hidden@example.com", "Secret Sam"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("raw message contains Bcc recipient %q", s)
		}
	}
}

func TestBuildReplyHeaders(t *testing.T) {
	m := baseOutgoing()
	m.InReplyTo = "<parent@example.net>"
	m.References = []string{"<root@example.net>", "<mid.1@example.com>", "<parent@example.net>"}
	raw := buildOutgoing(t, m)
	checkWire(t, raw)
	h, _, _ := readBackMessage(t, raw)
	irt, err := h.MsgIDList("In-Reply-To")
	if err != nil || len(irt) != 1 || irt[0] != "parent@example.net" {
		t.Errorf("In-Reply-To: got %q (%v), want %q", irt, err, "parent@example.net")
	}
	refs, err := h.MsgIDList("References")
	want := []string{"root@example.net", "mid.1@example.com", "parent@example.net"}
	if err != nil || strings.Join(refs, " ") != strings.Join(want, " ") {
		t.Errorf("References: got %q (%v), want %q", refs, err, want)
	}
}

func TestBuildBody(t *testing.T) {
	long := strings.Repeat("0123456789", 600) // one 6,000-char line
	for _, c := range []struct {
		name, body, want, enc string
	}{
		{"short ascii", "a\nb\n", "a\r\nb\r\n", "7bit"},
		{"no final newline", "a\nb", "a\r\nb", "7bit"},
		{"dot lines", ".\n..x\n.\r\nend", ".\r\n..x\r\n.\r\nend", "7bit"},
		{"bare CR", "a\rb\r\n", "a\r\nb\r\n", "7bit"},
		{"line of 998", strings.Repeat("y", 998) + "\n", strings.Repeat("y", 998) + "\r\n", "7bit"},
		{"line of 999", strings.Repeat("y", 999) + "\n", strings.Repeat("y", 999) + "\r\n", "quoted-printable"},
		{"6000-char line and dots", long + "\n.\n.leading dot\n", long + "\r\n.\r\n.leading dot\r\n", "quoted-printable"},
		{"non-ascii", "Grüße\n", "Grüße\r\n", "quoted-printable"},
		{"trailing spaces and =", "a = b  \n\tc\n", "a = b  \r\n\tc\r\n", "7bit"},
		{"invalid utf-8", "a\xffb\n", "a\uFFFDb\r\n", "quoted-printable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := baseOutgoing()
			m.Body = c.body
			raw := buildOutgoing(t, m)
			checkWire(t, raw)
			h, text, _ := readBackMessage(t, raw)
			if got := h.Get("Content-Transfer-Encoding"); got != c.enc {
				t.Errorf("Content-Transfer-Encoding: got %q, want %q", got, c.enc)
			}
			if text != c.want {
				t.Errorf("body: got %q, want %q", text, c.want)
			}
		})
	}
}

func TestBuildAttachments(t *testing.T) {
	bin := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range bin {
		bin[i] = byte(rng.Uint32())
	}
	m := baseOutgoing()
	m.Body = "See attached.\n"
	m.Attachments = []Attachment{
		{Filename: "data.bin", ContentType: "application/x-test", Body: bytes.NewReader(bin)},
		{Filename: "résumé 2024 – 日本.pdf", Body: strings.NewReader("%PDF-1.4")},
		{Filename: `say "hi".txt`, ContentType: "text/plain; charset=utf-8", Body: strings.NewReader("hi\n")},
		{Filename: "no-type.zzqq", Body: strings.NewReader("?")},
		{Filename: "cp1250.txt", ContentType: "text/plain; charset=windows-1250", Body: strings.NewReader("\x8a\x9e\n")},
		{Filename: "fwd.eml", ContentType: "message/rfc822", Body: strings.NewReader("Subject: x\r\n\r\nbody\r\n")},
		{Filename: "", Body: nil},
	}
	raw := buildOutgoing(t, m)
	checkWire(t, raw)
	h, text, atts := readBackMessage(t, raw)

	if ct, _, _ := h.ContentType(); ct != "multipart/mixed" {
		t.Errorf("Content-Type: got %q, want multipart/mixed", ct)
	}
	if text != "See attached.\r\n" {
		t.Errorf("body: got %q, want %q", text, "See attached.\r\n")
	}
	want := []parsedPart{
		{"data.bin", "application/x-test", bin},
		{"résumé 2024 – 日本.pdf", "application/pdf", []byte("%PDF-1.4")},
		{`say "hi".txt`, "text/plain", []byte("hi\n")},
		{"no-type.zzqq", "application/octet-stream", []byte("?")},
		{"cp1250.txt", "text/plain", []byte("\x8a\x9e\n")}, // its bytes as they are
		{"fwd.eml", "application/octet-stream", []byte("Subject: x\r\n\r\nbody\r\n")},
		{"", "application/octet-stream", nil},
	}
	if len(atts) != len(want) {
		t.Fatalf("got %d attachments, want %d", len(atts), len(want))
	}
	for i, w := range want {
		if atts[i].filename != w.filename {
			t.Errorf("attachment %d name: got %q, want %q", i, atts[i].filename, w.filename)
		}
		if atts[i].contentType != w.contentType {
			t.Errorf("attachment %d type: got %q, want %q", i, atts[i].contentType, w.contentType)
		}
		if !bytes.Equal(atts[i].body, w.body) {
			t.Errorf("attachment %d body: got %d bytes, want %d (equal: false)", i, len(atts[i].body), len(w.body))
		}
	}
	hdr := string(raw)
	if !strings.Contains(hdr, "filename*=utf-8''r%C3%A9sum%C3%A9%202024%20%E2%80%93%20%E6%97%A5%E6%9C%AC.pdf") {
		t.Errorf("non-ASCII file name is not RFC 2231-encoded on the wire")
	}
	if strings.Contains(hdr, "filename=\"=?") {
		t.Errorf("file name is RFC 2047-encoded inside a quoted string")
	}
	if got := strings.Count(hdr, "Content-Transfer-Encoding: base64"); got != len(want) {
		t.Errorf("got %d base64 parts, want %d", got, len(want))
	}
}

func TestWriteToAttachmentReadError(t *testing.T) {
	boom := errors.New("upload interrupted")
	m := baseOutgoing()
	m.Attachments = []Attachment{{Filename: "a.bin", Body: io.MultiReader(strings.NewReader("abc"), failingReader{boom})}}
	err := m.WriteTo(io.Discard, buildDate, buildMsgID)
	if !errors.Is(err, boom) {
		t.Errorf("got %v, want an error wrapping %v", err, boom)
	}
}

type failingReader struct{ err error }

func (r failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestWriteToRejects(t *testing.T) {
	t.Run("invalid message", func(t *testing.T) {
		m := baseOutgoing()
		m.Subject = "x\r\nBcc: evil@example.com"
		var buf bytes.Buffer
		err := m.WriteTo(&buf, buildDate, buildMsgID)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("got %v, want *InputError", err)
		}
		if buf.Len() != 0 {
			t.Errorf("wrote %d bytes for an invalid message, want 0", buf.Len())
		}
	})
	t.Run("bad message id", func(t *testing.T) {
		err := baseOutgoing().WriteTo(io.Discard, buildDate, "<a b@c>\r\nBcc: x")
		if err == nil {
			t.Errorf("got nil error for a malformed Message-ID")
		}
	})
	t.Run("empty message id gets a fresh one", func(t *testing.T) {
		var buf bytes.Buffer
		if err := baseOutgoing().WriteTo(&buf, buildDate, ""); err != nil {
			t.Fatal(err)
		}
		h, _, _ := readBackMessage(t, buf.Bytes())
		if id, _ := h.MessageID(); !strings.HasSuffix(id, "@example.org") {
			t.Errorf("Message-ID: got %q, want one @example.org", id)
		}
	})
}

// A draft goes to its sender only; To and Cc stay in its header for the
// next edit, and its Bcc in a header of ours, never as Bcc. Its mark is
// what DraftMark makes of the header as a reader parses it back.
func TestBuildDraft(t *testing.T) {
	m := baseOutgoing()
	m.Draft = true
	m.Cc = []mailmsg.Address{{Addr: "carol@example.com"}}
	m.Bcc = []mailmsg.Address{{Name: "Secret Sam", Addr: "hidden@example.com"}}
	var seen mailmsg.Envelope
	m.DraftMark = func(env mailmsg.Envelope) (string, error) {
		seen = env
		return "v1 test-mark", nil
	}
	if got := m.Recipients(); len(got) != 1 || got[0] != "ann@example.org" {
		t.Errorf("envelope: got %q, want the sender only", got)
	}
	raw := string(buildOutgoing(t, m))
	head := raw[:strings.Index(raw, "\r\n\r\n")]
	for _, want := range []string{"\r\nTo: \"Bob\" <bob@example.net>", "\r\nCc: <carol@example.com>", "\r\nX-Gomailcgi-Draft: v1 test-mark",
		"\r\nX-Gomailcgi-Draft-Bcc: \"Secret Sam\" <hidden@example.com>"} {
		if !strings.Contains("\r\n"+head, want) {
			t.Errorf("the draft's header lacks %q:\n%s", want, head)
		}
	}
	back := mailmsg.ParseEnvelope([]byte(raw))
	back.DraftMark = ""
	if !reflect.DeepEqual(seen, back) {
		t.Errorf("DraftMark was given\n%+v\nwhile the draft reads back as\n%+v", seen, back)
	}
	if len(seen.DraftBcc) != 1 || seen.DraftBcc[0] != m.Bcc[0] || seen.MessageID == "" || seen.DateRaw == "" {
		t.Errorf("DraftMark was given %+v", seen)
	}
	if strings.Contains(strings.ToLower("\r\n"+head), "\r\nbcc:") {
		t.Errorf("the draft has a Bcc header:\n%s", head)
	}
	empty := &Outgoing{From: m.From, Draft: true}
	if err := empty.Validate(); err != nil {
		t.Errorf("a draft without recipients: %v", err)
	}
	if err := empty.WriteTo(io.Discard, time.Now(), ""); err == nil {
		t.Error("a draft without DraftMark was written")
	}
}
