package mailmsg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// read parses a raw message as the site does, with Read, from a reader
// that does not fail.
func read(raw []byte, lim Limits) *Message {
	m, _ := Read(bytes.NewReader(raw), lim)
	return m
}

// errConnLost stands for a connection that ends early, wrapping io.EOF as
// a network error does: Read must not take it for the message's end.
var errConnLost = fmt.Errorf("connection lost: %w", io.EOF)

func TestReadStreams(t *testing.T) {
	const attachment = 3 << 20
	raw := "Subject: big\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/plain\r\n\r\nhello\r\n" +
		"--x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\n" +
		strings.Repeat("z", attachment) + "\r\n--x--\r\nan epilogue\r\n"
	m, err := Read(iotest.OneByteReader(strings.NewReader(raw[:1000])), Limits{})
	if err != nil || m.Size != 1000 {
		t.Fatalf("a short message: got size %d, %v", m.Size, err)
	}
	m, err = Read(strings.NewReader(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Size != int64(len(raw)) {
		t.Errorf("size: got %d, want %d", m.Size, len(raw))
	}
	kids := m.Root.Children
	if len(kids) != 2 || string(kids[0].Body) != "hello" || kids[1].Body != nil || kids[1].Size != attachment {
		t.Fatalf("parts: got %d children; want the text kept and the attachment only measured", len(kids))
	}
	if m.Issues.NUL {
		t.Error("NUL reported in a message without one")
	}
	if m, _ := Read(strings.NewReader("Subject: x\r\n\r\na\x00b\r\n"), Limits{}); !m.Issues.NUL {
		t.Error("NUL byte not reported")
	}

	cut := io.MultiReader(strings.NewReader(raw[:len(raw)/2]), iotest.ErrReader(errConnLost))
	m, err = Read(cut, Limits{})
	if !errors.Is(err, errConnLost) {
		t.Fatalf("a stream cut short: got %v, want the stream's error", err)
	}
	if m == nil || m.Size != int64(len(raw)/2) {
		t.Errorf("a stream cut short: got %+v, want what was read", m)
	}
}

// With HTMLStart a message that is one long HTML body is read only as far
// as its start; an HTML body with parts after it is read past, undecoded.
func TestReadHTMLStart(t *testing.T) {
	html := strings.Repeat("<p>alpha bravo charlie delta echo foxtrot</p>\r\n", 5000)
	single := "Subject: news\r\nContent-Type: text/html\r\n\r\n" + html
	src := strings.NewReader(single)
	m, err := Read(src, Limits{HTMLStart: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Partial || !m.Root.Cut || len(m.Root.Body) != 1000 || m.Root.Size != -1 || src.Len() < len(single)/2 {
		t.Errorf("single HTML body: partial %v, cut %v, kept %d, size %d, %d bytes left unread; want the start only, the rest unread",
			m.Partial, m.Root.Cut, len(m.Root.Body), m.Root.Size, src.Len())
	}
	mixed := "Subject: news\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n" + html +
		"\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF\r\n--b--\r\n"
	m, err = Read(strings.NewReader(mixed), Limits{HTMLStart: 1000})
	if err != nil {
		t.Fatal(err)
	}
	kids := m.Root.Children
	if m.Partial || len(kids) != 2 || !kids[0].Cut || len(kids[0].Body) != 1000 || kids[1].Filename != "a.pdf" || m.Size != int64(len(mixed)) {
		t.Errorf("HTML then an attachment: partial %v, %d parts, size %d; want the attachment found and all read", m.Partial, len(kids), m.Size)
	}
}

// MaxPlain keeps the start of the plain texts, and of a multipart without
// delimiters shown as text, while an HTML body is kept whole.
func TestReadMaxPlain(t *testing.T) {
	text := strings.Repeat("a\r\n", 1000)
	html := strings.Repeat("<p>b</p>\r\n", 1000)
	mixed := "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + text +
		"\r\n--b\r\nContent-Type: text/html\r\n\r\n" + html +
		"\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n--b--\r\n"
	m := read([]byte(mixed), Limits{MaxPlain: 100})
	if kids := m.Root.Children; len(kids) != 3 || len(kids[0].Body) != 100 || kids[0].Size != int64(len(text)) ||
		string(kids[1].Body) != html || len(kids[2].Body) != 0 || kids[2].Size != int64(len(text)) || !m.Issues.LongText {
		t.Errorf("texts and HTML: %d parts; want the first text's first 100 bytes of %d, the HTML whole and nothing of the second text", len(kids), len(text))
	}
	broken := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + text
	if m := read([]byte(broken), Limits{MaxPlain: 100}); !m.Root.Broken || len(m.Root.Body) != 100 {
		t.Errorf("no delimiters: broken %v, kept %d; want the first 100 bytes as text", m.Root.Broken, len(m.Root.Body))
	}
	if m := read([]byte("Content-Type: text/plain\r\n\r\n"+text), Limits{MaxText: 50, MaxPlain: 100}); len(m.Root.Body) != 50 {
		t.Errorf("MaxPlain above MaxText: kept %d, want MaxText's 50", len(m.Root.Body))
	}
}

// MaxTotal bounds the text all parts keep together: the first texts are
// kept, the later ones only measured.
func TestReadMaxTotal(t *testing.T) {
	text := strings.Repeat("a\r\n", 100)
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=b\r\n\r\n")
	for range 5 {
		b.WriteString("--b\r\nContent-Type: text/plain\r\n\r\n" + text + "\r\n")
	}
	b.WriteString("--b--\r\n")
	m := read([]byte(b.String()), Limits{MaxTotal: 2*len(text) + 10})
	var kept []int
	for _, c := range m.Root.Children {
		kept = append(kept, len(c.Body))
		if c.Size != int64(len(text)) {
			t.Errorf("part %s: size %d, want %d", c.ID, c.Size, len(text))
		}
	}
	if want := []int{len(text), len(text), 10, 0, 0}; !slices.Equal(kept, want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
}
