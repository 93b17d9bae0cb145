package mailmsg

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/testing/fixtures"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // UTC, "" when unreadable
	}{
		{"Mon, 2 Mar 2026 09:00:00 +0100", "2026-03-02 08:00"},
		{"Mon, 2 Mar 2026 09:00:00 +0100 (CET)", "2026-03-02 08:00"},
		{"Mon,  2 Mar 2026 09:00:00   +0100", "2026-03-02 08:00"},
		{"2 Mar 2026 09:00:00 +0100", "2026-03-02 08:00"},
		{"Mon, 2 Mar 2026 09:00 +0100", "2026-03-02 08:00"},
		{"Mon, 2 Mar 2026 09:00:00 +0100 CET", "2026-03-02 08:00"},
		{"Mon Mar 2 09:00:00 2026", "2026-03-02 09:00"},
		{"Mon Mar  2 09:00:00 2026", "2026-03-02 09:00"},
		{"Mon Mar 2 09:00:00 UTC 2026", "2026-03-02 09:00"},
		{"2026-03-02T09:00:00+01:00", "2026-03-02 08:00"},
		{"2026-03-02T09:00:00Z", "2026-03-02 09:00"},
		{"2026-03-02 09:00:00 +0100", "2026-03-02 08:00"},
		{"2026-03-02", "2026-03-02 00:00"},
		{"Monday, March 2, 2026 09:00:00 +0100", "2026-03-02 08:00"},
		{"sometime last week", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseDate(tt.in)
			s := ""
			if ok {
				s = got.UTC().Format("2006-01-02 15:04")
			}
			if s != tt.want || ok != (tt.want != "") {
				t.Errorf("ParseDate(%q): got %q %v, want %q", tt.in, s, ok, tt.want)
			}
		})
	}
}

func TestEnvelope(t *testing.T) {
	koi8 := func(s string) string {
		// "Отчёт" and "Пётр" in KOI8-R, written out as bytes
		return map[string]string{"Отчёт": "\xef\xd4\xde\xa3\xd4", "Пётр": "\xf0\xa3\xd4\xd2"}[s]
	}
	tests := []struct {
		name, header string
		field        func(Envelope) string
		want         string
	}{
		{"unparseable From keeps its text", "From: Broken Sender <<no address here",
			func(e Envelope) string { return FormatAddresses(e.From) }, "Broken Sender <<no address here"},
		{"language tag in an encoded word", "Subject: =?iso-8859-2*sl?Q?Doma=e8e?=",
			func(e Envelope) string { return e.Subject }, "Domače"},
		{"language tag in a From", "From: =?iso-8859-2*sl?Q?Doma=e8e?= <d@example.si>",
			func(e Envelope) string { return FormatAddresses(e.From) }, "Domače <d@example.si>"},
		{"cp932", "Subject: =?cp932?B?k/qWe4zq?=", func(e Envelope) string { return e.Subject }, "日本語"},
		{"x-sjis", "Subject: =?x-sjis?B?k/qWe4zq?=", func(e Envelope) string { return e.Subject }, "日本語"},
		{"ks_c_5601-1987", "Subject: =?ks_c_5601-1987?B?x9Gxub7u?=", func(e Envelope) string { return e.Subject }, "한국어"},
		{"raw 8-bit in the body's charset", "Content-Type: text/plain; charset=koi8-r\r\nSubject: " + koi8("Отчёт"),
			func(e Envelope) string { return e.Subject }, "Отчёт"},
		{"raw 8-bit From in the body's charset", "Content-Type: text/plain; charset=\"KOI8-R\"\r\nFrom: " + koi8("Пётр") + " <p@example.ru>",
			func(e Envelope) string { return FormatAddresses(e.From) }, "Пётр <p@example.ru>"},
		{"raw 8-bit without a charset is Latin-1", "Subject: D\xe9j\xe0 vu",
			func(e Envelope) string { return e.Subject }, "Déjà vu"},
		{"asctime date", "Date: Mon Mar 2 09:00:00 2026",
			func(e Envelope) string { return e.Date.UTC().Format(time.DateTime) }, "2026-03-02 09:00:00"},
		{"unreadable date keeps its text", "Date: sometime last week",
			func(e Envelope) string { return e.DateRaw + " / " + e.Date.String() }, "sometime last week / 0001-01-01 00:00:00 +0000 UTC"},
		{"references", "References: <a@x> junk <b@x>\r\n <c@x>",
			func(e Envelope) string { return strings.Join(e.References, " ") }, "<a@x> <b@x> <c@x>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ParseEnvelope([]byte(tt.header + "\r\n\r\n"))
			if got := tt.field(env); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAddressForms(t *testing.T) {
	tests := []struct {
		a                   Address
		str, field, display string
	}{
		{Address{"Ann Lee", "ann@example.org"}, "Ann Lee <ann@example.org>", "Ann Lee <ann@example.org>", "Ann Lee"},
		{Address{"Lee, Ann", "ann@example.org"}, "Lee, Ann <ann@example.org>", `"Lee, Ann" <ann@example.org>`, "Lee, Ann"},
		{Address{`Say "hi"`, "h@example.org"}, `Say "hi" <h@example.org>`, `"Say \"hi\"" <h@example.org>`, `Say "hi"`},
		{Address{"", "x@example.org"}, "x@example.org", "x@example.org", "x@example.org"},
		{Address{"not parsed <<", ""}, "not parsed <<", "", "not parsed <<"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.str {
			t.Errorf("%+v String: got %q, want %q", tt.a, got, tt.str)
		}
		if got := tt.a.Field(); got != tt.field {
			t.Errorf("%+v Field: got %q, want %q", tt.a, got, tt.field)
		}
		if got := tt.a.Display(); got != tt.display {
			t.Errorf("%+v Display: got %q, want %q", tt.a, got, tt.display)
		}
		if tt.field != "" {
			back, err := ParseAddressList(tt.field)
			if err != nil || len(back) != 1 || back[0] != tt.a {
				t.Errorf("%q parses back as %+v, %v; want %+v", tt.field, back, err, tt.a)
			}
		}
	}
}

func TestAttachedMessageKeepsItsFileName(t *testing.T) {
	m := read(fixtures.Hostile(t, "rfc822-filename.eml"), Limits{})
	var found *Entity
	for _, c := range m.Root.Children {
		if c.Attached != nil {
			found = c
		}
	}
	if found == nil {
		t.Fatal("no attached message")
	}
	if found.Filename != "message1.eml" || found.ID != "2" {
		t.Errorf("attached message: got ID %q file name %q, want 2 and message1.eml", found.ID, found.Filename)
	}
	if got := found.Attached.Header.Envelope().Subject; got != "The original" {
		t.Errorf("its subject: got %q", got)
	}
}

func TestNamesThatMisleadAreShownPlainly(t *testing.T) {
	if got := CleanFilename("invoice\u202efdp.exe"); got != "invoicefdp.exe" {
		t.Errorf("CleanFilename: got %q", got)
	}
	tests := []struct {
		a    Address
		want string
	}{
		{Address{"security@bank.example", "attacker@evil.test"}, "security@bank.example <attacker@evil.test>"},
		{Address{"ann@example.org", "ann@example.org"}, "ann@example.org"},
		{Address{"Ann Lee", "ann@example.org"}, "Ann Lee"},
	}
	for _, tt := range tests {
		if got := tt.a.Display(); got != tt.want {
			t.Errorf("%+v Display: got %q, want %q", tt.a, got, tt.want)
		}
	}
}

// Summary is Envelope without the fields a list row does not show: the
// two read every field they share the same way, for every sample and
// hostile message of the project.
func TestSummaryAgreesWithEnvelope(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.eml")
	hostile, _ := filepath.Glob("../../testdata/render/*.eml")
	files = append(files, hostile...)
	if len(files) < 40 {
		t.Fatalf("found %d messages, want the project's samples", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h := ParseHeader(raw)
		full, sum := h.Envelope(), h.Summary()
		full.ReplyTo, full.To, full.Cc, full.InReplyTo, full.Language, full.DraftBcc, full.References = nil, nil, nil, "", "", nil, nil
		if !reflect.DeepEqual(full, sum) {
			t.Errorf("%s:\nSummary  %+v\nEnvelope %+v", f, sum, full)
		}
	}
}

// A header that declares no charset is read in that of the first text
// part that does, looking through nested multiparts but not into an
// attached message; NeedsParts tells the headers for which this matters.
func TestEnvelopeTakesThePartCharset(t *testing.T) {
	const part = "--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\nx\r\n--c--\r\n--b--\r\n"
	const attached = "--b\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\nx\r\n--b--\r\n"
	tests := []struct {
		name, header, body, want string
		needs                    bool
	}{
		{"charset in a nested part", "Subject: \xf0\xd2\xc9\xd7\xc5\xd4\r\nContent-Type: multipart/mixed; boundary=b\r\n", part, "Привет", true},
		{"the header's own charset wins", "Subject: \xf0\xd2\xc9\xd7\r\nContent-Type: multipart/mixed; boundary=b; charset=iso-8859-1\r\n", part, "ðÒÉ×", false},
		{"not in an attached message", "Subject: caf\xe9\r\nContent-Type: multipart/mixed; boundary=b\r\n", attached, "café", true},
		{"utf-8 needs nothing", "Subject: Grüße\r\nContent-Type: multipart/mixed; boundary=b\r\n", part, "Grüße", false},
		{"a single part needs nothing", "Subject: caf\xe9\r\nContent-Type: text/plain\r\n", "x\r\n", "café", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.header + "\r\n" + tc.body
			m := read([]byte(raw), Limits{})
			if got := m.Root.Envelope().Subject; got != tc.want {
				t.Errorf("Envelope: subject %q, want %q", got, tc.want)
			}
			if got := m.Root.Summary().Subject; got != tc.want {
				t.Errorf("Summary: subject %q, want %q", got, tc.want)
			}
			if got := ParseHeader([]byte(tc.header)).NeedsParts(); got != tc.needs {
				t.Errorf("NeedsParts: got %v, want %v", got, tc.needs)
			}
		})
	}
}

// Partial reads each field it is asked for as Envelope does, for every
// sample and hostile message of the project, and leaves the rest empty.
func TestPartialAgreesWithEnvelope(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/*.eml")
	hostile, _ := filepath.Glob("../../testdata/render/*.eml")
	files = append(files, hostile...)
	if len(files) < 40 {
		t.Fatalf("found %d messages, want the project's samples", len(files))
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h := ParseHeader(raw)
		full := h.Envelope()
		want := Envelope{Subject: full.Subject, From: full.From, To: full.To, Cc: full.Cc, Date: full.Date, DateRaw: full.DateRaw}
		if got := h.Partial(FieldSubject | FieldFrom | FieldRecipients | FieldDate); !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nPartial  %+v\nEnvelope %+v", f, got, want)
		}
		if got := h.Partial(FieldSubject); got.Subject != full.Subject || got.From != nil || !got.Date.IsZero() {
			t.Errorf("%s: Partial(FieldSubject) = %+v", f, got)
		}
	}
}

// TestSummaryWork: a list row's summary of an ordinary header (plain
// ASCII fields, one sender, one message id) copies nothing it can read
// in place: the From list and Content-Type's parameters are all it makes.
func TestSummaryWork(t *testing.T) {
	block := []byte("Return-Path: <sender@example.test>\r\nFrom: \"Sender 3\" <sender3@example.test>\r\n" +
		"To: load@example.test\r\nSubject: Test message 3 of 1000\r\nDate: Tue, 14 Nov 2023 22:16:20 +0000\r\n" +
		"Message-ID: <fill-3@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n")
	h := ParseHeader(block)
	if n := testing.AllocsPerRun(100, func() { ParseHeader(block) }); n > float64(len(h)+3) {
		t.Errorf("ParseHeader of %d fields allocates %v times, want a value a field, the list and two line buffers", len(h), n)
	}
	env := h.Summary()
	if env.Subject != "Test message 3 of 1000" || len(env.From) != 1 || env.From[0] != (Address{Name: "Sender 3", Addr: "sender3@example.test"}) ||
		env.MessageID != "<fill-3@example.test>" || env.Date.IsZero() || h.NeedsParts() {
		t.Fatalf("Summary = %+v", env)
	}
	if n := testing.AllocsPerRun(100, func() { h.Summary() }); n > 3 {
		t.Errorf("Summary allocates %v times, want at most 3", n)
	}
	if n := testing.AllocsPerRun(100, func() { h.NeedsParts() }); n > 0 {
		t.Errorf("NeedsParts allocates %v times, want none", n)
	}
}
