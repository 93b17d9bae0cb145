package devmail

import (
	"bytes"
	"image/png"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode the fixtures' legacy charsets
	"github.com/emersion/go-message/mail"
)

// minFixtures is how many sample messages testdata/ must hold.
const minFixtures = 14

// fixturePart is one leaf or container part of a parsed fixture.
type fixturePart struct {
	mediaType string
	params    map[string]string
	filename  string
	header    message.Header
	body      []byte // transfer-decoded, charset-decoded for text parts
}

// parsedFixture is a fixture as go-message reads it.
type parsedFixture struct {
	raw    []byte
	header mail.Header
	parts  []fixturePart
}

// parseFixture parses raw with go-message and reads every part.
func parseFixture(t *testing.T, raw []byte) parsedFixture {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("message.Read: %v", err)
	}
	pf := parsedFixture{raw: raw, header: mail.Header{Header: e.Header}}
	err = e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		mt, params, err := part.Header.ContentType()
		if err != nil {
			return err
		}
		ah := mail.AttachmentHeader{Header: part.Header}
		name, err := ah.Filename()
		if err != nil && part.Header.Get("Content-Disposition") != "" {
			return err
		}
		fp := fixturePart{mediaType: mt, params: params, filename: name, header: part.Header}
		if !strings.HasPrefix(mt, "multipart/") {
			if fp.body, err = io.ReadAll(part.Body); err != nil {
				return err
			}
		}
		pf.parts = append(pf.parts, fp)
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	return pf
}

// types lists the media types of all parts in walk order.
func (pf parsedFixture) types() []string {
	var out []string
	for _, p := range pf.parts {
		out = append(out, p.mediaType)
	}
	return out
}

// text joins the decoded bodies of all text parts.
func (pf parsedFixture) text() string {
	var b strings.Builder
	for _, p := range pf.parts {
		if strings.HasPrefix(p.mediaType, "text/") {
			b.Write(p.body)
		}
	}
	return b.String()
}

func (pf parsedFixture) filenames() []string {
	var out []string
	for _, p := range pf.parts {
		if p.filename != "" {
			out = append(out, p.filename)
		}
	}
	return out
}

func TestTestdata(t *testing.T) {
	fsys := os.DirFS("../../testdata")
	names, err := fs.Glob(fsys, "*.eml")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < minFixtures {
		t.Fatalf("testdata: got %d .eml files, want at least %d", len(names), minFixtures)
	}
	ids := map[string]string{}
	dates := map[time.Time]string{}
	parsed := map[string]parsedFixture{}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw, err := fs.ReadFile(fsys, name)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
				t.Error("has a bare LF; fixtures use CRLF")
			}
			if !bytes.HasSuffix(raw, []byte("\r\n")) {
				t.Error("does not end in CRLF")
			}
			if !bytes.Equal(normalizeCRLF(raw), raw) {
				t.Error("would be changed by Mailbox.Add")
			}
			pf := parseFixture(t, raw)
			for _, k := range []string{"From", "To", "Date", "Subject", "Message-Id", "Mime-Version"} {
				if pf.header.Get(k) == "" {
					t.Errorf("missing %s header", k)
				}
			}
			id, err := pf.header.MessageID()
			if err != nil || id == "" {
				t.Errorf("Message-ID: got %q, %v", id, err)
			} else if other, dup := ids[id]; dup {
				t.Errorf("Message-ID %q also in %s", id, other)
			}
			ids[id] = name
			d, err := pf.header.Date()
			if err != nil || d.Year() != 2026 {
				t.Errorf("Date: got %v, %v, want a date in 2026", d, err)
			} else if other, dup := dates[d]; dup {
				t.Errorf("Date %v also in %s", d, other)
			}
			dates[d] = name
			if _, err := pf.header.Subject(); err != nil {
				t.Errorf("Subject: %v", err)
			}
			if _, err := pf.header.AddressList("From"); err != nil {
				t.Errorf("From: %v", err)
			}
			parsed[name] = pf
		})
	}
	t.Run("features", func(t *testing.T) {
		checkFixtureFeatures(t, parsed)
	})
}

// checkFixtureFeatures checks that each fixture still shows what
// testdata/README.md says it does.
func checkFixtureFeatures(t *testing.T, parsed map[string]parsedFixture) {
	subjectFrom := []struct{ file, subject, from string }{
		{"01-welcome.eml", "Welcome to gomailcgi", "gomailcgi Team"},
		{"05-attachment-2047-name.eml", "The weekly plan, with an old-style attachment name", "Jürgen Müller"},
		{"07-utf8.eml", "Grüße aus Zürich — UTF-8 überall ✓", "Zoë Ångström"},
		{"08-latin1.eml", "Déjà vu : un message en Latin-1, sans problème", "François Lefèvre"},
		{"09-iso2022jp.eml", "日本語のテストメール（ISO-2022-JP）", "山田 花子"},
		{"10-koi8r.eml", "Привет из демо-ящика (KOI8-R)", "Иван Петров"},
	}
	for _, tt := range subjectFrom {
		pf := parsed[tt.file]
		if got, _ := pf.header.Subject(); got != tt.subject {
			t.Errorf("%s Subject: got %q, want %q", tt.file, got, tt.subject)
		}
		from, _ := pf.header.AddressList("From")
		if len(from) != 1 || from[0].Name != tt.from {
			t.Errorf("%s From: got %v, want name %q", tt.file, from, tt.from)
		}
	}

	structure := []struct {
		file  string
		types []string
	}{
		{"01-welcome.eml", []string{"text/plain"}},
		{"02-html-tour.eml", []string{"text/html"}},
		{"03-tips-alternative.eml", []string{"multipart/alternative", "text/plain", "text/html"}},
		{"04-attachments.eml", []string{"multipart/mixed", "text/plain", "text/plain", "text/csv"}},
		{"05-attachment-2047-name.eml", []string{"multipart/mixed", "text/plain", "text/plain"}},
		{"06-inline-image.eml", []string{"multipart/related", "text/html", "image/png"}},
		{"11-forwarded.eml", []string{"multipart/mixed", "text/plain", "message/rfc822"}},
	}
	for _, tt := range structure {
		if got := parsed[tt.file].types(); !slices.Equal(got, tt.types) {
			t.Errorf("%s parts: got %q, want %q", tt.file, got, tt.types)
		}
	}

	bodies := []struct{ file, has string }{
		{"04-attachments.eml", "aperçu des pages.csv"},
		{"07-utf8.eml", "こんにちは, Γειά σου 👋"},
		{"08-latin1.eml", "« les guillemets » et le\nsymbole ¤"},
		{"09-iso2022jp.eml", "デモ用メールボックスへようこそ。"},
		{"10-koi8r.eml", "Здравствуйте!"},
		{"14-reply-quoted.eml", "\r\n> > > (From the FAQ:)"},
	}
	for _, tt := range bodies {
		text := strings.ReplaceAll(parsed[tt.file].text(), "\r\n", "\n")
		if !strings.Contains(text, strings.ReplaceAll(tt.has, "\r\n", "\n")) {
			t.Errorf("%s body: want it to contain %q, got %.300q", tt.file, tt.has, text)
		}
	}

	if got, want := parsed["04-attachments.eml"].filenames(), []string{"gomailcgi-checklist.txt", "aperçu des pages.csv"}; !slices.Equal(got, want) {
		t.Errorf("04 filenames (RFC 2231): got %q, want %q", got, want)
	}
	if got, want := parsed["05-attachment-2047-name.eml"].filenames(), []string{"Wochenplan für März.txt"}; !slices.Equal(got, want) {
		t.Errorf("05 filenames (RFC 2047): got %q, want %q", got, want)
	}

	related := parsed["06-inline-image.eml"]
	if len(related.parts) == 3 {
		img := related.parts[2]
		cid := strings.Trim(img.header.Get("Content-Id"), "<>")
		if cid == "" || !strings.Contains(string(related.parts[1].body), `src="cid:`+cid+`"`) {
			t.Errorf("06: HTML does not show the image by cid %q", cid)
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(img.body)); err != nil || cfg.Width != 16 || cfg.Height != 16 {
			t.Errorf("06: image is not a 16x16 PNG: %+v, %v", cfg, err)
		}
	}

	fwd := parsed["11-forwarded.eml"]
	if len(fwd.parts) == 3 {
		inner := parseFixture(t, fwd.parts[2].body)
		if id, _ := inner.header.MessageID(); id != "notes.20260320@gomailcgi.example" {
			t.Errorf("11: forwarded message Message-ID: got %q", id)
		}
	}

	longest := 0
	for _, line := range strings.Split(string(parsed["12-long-line.eml"].raw), "\r\n") {
		longest = max(longest, len(line))
	}
	if longest <= 5000 {
		t.Errorf("12: longest line has %d characters, want over 5000", longest)
	}

	dots := string(parsed["13-dot-lines.eml"].raw)
	for _, want := range []string{"\r\n.\r\n", "\r\n..\r\n", "\r\n.hidden-config\r\n"} {
		if !strings.Contains(dots, want) {
			t.Errorf("13: want a line %q", want)
		}
	}

	reply := parsed["14-reply-quoted.eml"].header
	if irt, _ := reply.MsgIDList("In-Reply-To"); len(irt) != 1 {
		t.Errorf("14 In-Reply-To: got %q, want one id", irt)
	}
	if refs, _ := reply.MsgIDList("References"); len(refs) != 2 {
		t.Errorf("14 References: got %q, want two ids", refs)
	}

	flowed := parsed["15-format-flowed.eml"]
	if len(flowed.parts) != 1 || flowed.parts[0].params["format"] != "flowed" || !strings.Contains(string(flowed.parts[0].body), " \r\n") {
		t.Errorf("15: want text/plain; format=flowed with soft line breaks")
	}
}
