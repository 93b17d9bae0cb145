package web

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime/quotedprintable"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// manyParts is a message of n attachments: most base64 (random bytes, as
// files are), some quoted-printable and some 7bit text, the last ten in a
// nested multipart, and an attached message at the end. It returns the
// raw message and each attachment's file name and bytes.
func manyParts(n int) (raw string, files map[string][]byte) {
	rnd := rand.New(rand.NewPCG(19, 3))
	files = map[string][]byte{}
	part := func(i int) string {
		name := fmt.Sprintf("file-%02d.bin", i)
		switch i % 5 {
		case 3:
			name = fmt.Sprintf("note-%02d.txt", i)
			data := []byte(strings.Repeat(fmt.Sprintf("Note %d: caf\u00e9 = 3\u20ac, a line of some length. ", i), 40))
			files[name] = data
			var qp bytes.Buffer
			w := quotedprintable.NewWriter(&qp)
			w.Write(data)
			w.Close()
			return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n" +
				"Content-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + qp.String() + "\r\n"
		case 4:
			name = fmt.Sprintf("plain-%02d.txt", i)
			data := []byte(strings.Repeat(fmt.Sprintf("plain line %d\r\n", i), 30))
			files[name] = data
			return "Content-Type: text/plain; charset=us-ascii\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + string(data) + "\r\n"
		}
		data := make([]byte, 2000+rnd.IntN(30000))
		for j := range data {
			data[j] = byte(rnd.Uint32())
		}
		files[name] = data
		enc := base64.StdEncoding.EncodeToString(data)
		var lines []string
		for len(enc) > 76 {
			lines, enc = append(lines, enc[:76]), enc[76:]
		}
		lines = append(lines, enc)
		return "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n" +
			"Content-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + strings.Join(lines, "\r\n") + "\r\n"
	}
	var b strings.Builder
	b.WriteString("From: Erin Example <erin@example.net>\r\nTo: alice@example.org\r\nSubject: Many files\r\n" +
		"Date: Fri, 27 Mar 2026 10:00:00 +0000\r\nMessage-ID: <many.files@example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=outer\r\n\r\n")
	b.WriteString("--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere are the files.\r\n")
	for i := 1; i <= n-10; i++ {
		b.WriteString("--outer\r\n" + part(i))
	}
	b.WriteString("--outer\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n")
	for i := n - 9; i <= n; i++ {
		b.WriteString("--inner\r\n" + part(i))
	}
	b.WriteString("--inner--\r\n")
	attached := "From: Bob <bob@example.org>\r\nSubject: Inside\r\n\r\nThe attached message.\r\n"
	files["Inside.eml"] = []byte(attached)
	b.WriteString("--outer\r\nContent-Type: message/rfc822\r\n\r\n" + attached + "\r\n")
	b.WriteString("--outer--\r\n")
	return b.String(), files
}

// Forwarding many attachments reads the original twice in one POP
// session, however many parts go along: once to check what the form asks
// for, once to stream every part into the message being sent. Each part
// arrives byte for byte.
func TestForwardManyPartsReadsTheOriginalOnce(t *testing.T) {
	const n = 50
	h := newHarness(t)
	raw, files := manyParts(n)
	h.mail.Mailbox(aliceUser).Add([]byte(raw))
	d := composeFor(t, h, h.login(), "Many files", "Forward")
	var parts []string
	for _, b := range d.inputs("fwdpart") {
		parts = append(parts, attrOf(b, "value"))
	}
	if len(parts) != n+1 {
		t.Fatalf("the form offers %d parts to forward, want %d", len(parts), n+1)
	}

	logins, retrs := h.mail.POPLogins(), h.mail.POPRetrieves()
	res := h.postMultipart("/send", url.Values{"t": {d.token()}, "to": {"bob@example.org"},
		"subject": {"Fwd: Many files"}, "body": {"all of them"}, "fwd": {d.field("fwd")}, "fwdpart": parts})
	if res.status != http.StatusSeeOther {
		t.Fatalf("status %d, want 303\n%s", res.status, res.body)
	}
	if got := h.mail.POPRetrieves() - retrs; got != 2 {
		t.Errorf("RETR commands: got %d, want 2 (one to check the form, one for every part)", got)
	}
	if got := h.mail.POPLogins() - logins; got != 1 {
		t.Errorf("POP sessions: got %d, want 1", got)
	}
	sent := h.mail.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d messages", len(sent))
	}
	m := readSent(t, sent[0].To, sent[0].Data)
	if len(m.attachments) != len(files) {
		t.Errorf("attachments: got %d, want %d", len(m.attachments), len(files))
	}
	for name, want := range files {
		if got, ok := m.attachments[name]; !ok {
			t.Errorf("%s: missing", name)
		} else if got != string(want) {
			t.Errorf("%s: got %d bytes, not the %d of the original", name, len(got), len(want))
		}
	}
}
