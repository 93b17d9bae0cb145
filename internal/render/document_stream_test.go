package render

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gomailcgi/internal/mailmsg"
)

// chunks reads r n bytes at a time, cutting characters, entities and
// tags in two.
type chunks struct {
	r io.Reader
	n int
}

func (c chunks) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// singleHTML is a message of one HTML part in the given transfer encoding
// and charset parameter ("" for none).
func singleHTML(body, cte, charset string) []byte {
	var enc bytes.Buffer
	switch cte {
	case "quoted-printable":
		w := quotedprintable.NewWriter(&enc)
		w.Write([]byte(body))
		w.Close()
	case "base64":
		b := base64.StdEncoding.EncodeToString([]byte(body))
		for len(b) > 76 {
			enc.WriteString(b[:76] + "\r\n")
			b = b[76:]
		}
		enc.WriteString(b + "\r\n")
	default:
		enc.WriteString(body)
	}
	ct := "text/html"
	if charset != "" {
		ct += "; charset=" + charset
	}
	return []byte("From: a@example.org\r\nSubject: Streamed\r\nContent-Language: de\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: " + ct + "\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + enc.String())
}

// streamed is the document WriteHTMLDocument writes of raw, read in
// pieces of n bytes, and whether it could be streamed.
func streamed(t *testing.T, raw []byte, n int, opt Options) (string, bool) {
	t.Helper()
	walk := mailmsg.NewPartWalker(chunks{bytes.NewReader(raw), n})
	h, single := walk.Root()
	if !single {
		t.Fatal("not a single part")
	}
	part, body, err := walk.Open("1")
	if err != nil {
		t.Fatal(err)
	}
	text, ok := HTMLText(body, part.Charset)
	if !ok {
		return "", false
	}
	var out bytes.Buffer
	w := bufio.NewWriterSize(&out, 4096)
	if err := WriteHTMLDocument(w, h.Envelope().Subject, h.Envelope().Language, nil, text, opt); err != nil {
		t.Fatal(err)
	}
	return out.String(), true
}

// A body streamed is the document made of the message read whole, byte
// for byte: newsletters and the hostile fixture, in each transfer
// encoding, read in pieces that cut characters, entities and tags.
func TestStreamedDocumentIsTheWholeOne(t *testing.T) {
	bodies := map[string]string{}
	for name, b := range newsletters(200 << 10) {
		bodies[name] = b
	}
	hostile, err := os.ReadFile(filepath.Join("..", "..", "testdata", "render", "hostile-html.eml"))
	if err != nil {
		t.Fatal(err)
	}
	m := read(hostile, mailmsg.Limits{})
	for _, c := range append([]*mailmsg.Entity{m.Root}, m.Root.Children...) {
		if c.MediaType == "text/html" {
			bodies["hostile"] = string(c.Body)
		}
	}
	bodies["blanks"] = " \r\n\t  \u00a0"
	bodies["text at the ends"] = "\u00a0 Grüße <b>aus</b> Zürich –\r\n  "
	opt := Options{CIDURL: testCIDURL}
	for name, body := range bodies {
		for _, cte := range []string{"quoted-printable", "base64", "8bit"} {
			raw := singleHTML(body, cte, "utf-8")
			v := viewOf(raw, opt)
			want := HTMLDocument(v.Header.Subject, v.Header.Language, nil, v.HTML)
			for _, n := range []int{7, 4096} {
				got, ok := streamed(t, raw, n, opt)
				if !ok {
					t.Fatalf("%s, %s: not streamed", name, cte)
				}
				if got != want {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Errorf("%s, %s, pieces of %d: differs at byte %d: got %q, want %q", name, cte, n, i,
						got[max(0, i-40):min(len(got), i+40)], want[max(0, i-40):min(len(want), i+40)])
				}
			}
		}
	}
}

// The charset comes from the part, else from the body's <meta>; a body
// of unknown charset is not streamed (it is read whole to be guessed).
func TestStreamedCharsets(t *testing.T) {
	latin := "<html><head><meta charset=\"iso-8859-1\"></head><body><p>Caf\xe9 cr\xe8me</p></body></html>"
	got, ok := streamed(t, singleHTML(latin, "8bit", ""), 5, Options{})
	if !ok || !strings.Contains(got, "<p>Café crème</p>") {
		t.Errorf("charset from <meta>: streamed %v, got %q", ok, got)
	}
	got, ok = streamed(t, singleHTML("<p>Caf\xe9</p>", "8bit", "windows-1252"), 5, Options{})
	if !ok || !strings.Contains(got, "<p>Café</p>") {
		t.Errorf("charset from the part: streamed %v, got %q", ok, got)
	}
	if _, ok := streamed(t, singleHTML("<p>Caf\xe9</p>", "8bit", ""), 5, Options{}); ok {
		t.Error("a body of unknown charset was streamed")
	}
}
