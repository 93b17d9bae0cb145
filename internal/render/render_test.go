package render

import (
	"slices"
	"strings"
	"testing"

	"gomailcgi/internal/testing/fixtures"
)

// TestRenderFixtures renders each odd or damaged message in
// testdata/render and checks what the view shows.
func TestRenderFixtures(t *testing.T) {
	tests := []struct {
		file         string
		preferPlain  bool
		subject      string
		from         string
		isHTML       bool
		body         []string // substrings of the shown text (HTML: its text content)
		notBody      []string
		attachments  []string // "ID filename"
		problems     []string
		hasHTML      bool
		hasPlain     bool
		remote       int
		nestedSubj   []string
		partsOmitted int
	}{
		{file: "bad-base64.eml", subject: "Bad base64", from: "Bad <bad@example.com>",
			body: []string{"Hello, world!"}, problems: []string{ProblemEncoding}, hasPlain: true},
		{file: "bad-qp.eml", subject: "Bad quoted-printable",
			body:     []string{"Café au lait, 100=ZZ sure, soft break, and a lone = sign."},
			problems: []string{ProblemEncoding}, hasPlain: true},
		{file: "broken-boundary.eml", subject: "Boundary never used",
			body:     []string{"The sender declared one boundary and used another."},
			problems: []string{ProblemMalformed}, hasPlain: true},
		{file: "cid-related.eml", subject: "Pictures inside", isHTML: true,
			body:        []string{"HTML version:", "[image: gone]"},
			notBody:     []string{"Plain version"},
			attachments: []string{"1.2.2 logo.png", "2 report.pdf"}, hasHTML: true, hasPlain: true},
		{file: "cid-related.eml", preferPlain: true, subject: "Pictures inside",
			body:        []string{"Plain version: see the logo."},
			attachments: []string{"1.2.2 logo.png", "2 report.pdf"}, hasHTML: true, hasPlain: true},
		{file: "digest.eml", subject: "Digest",
			nestedSubj: []string{"First digest message", "Second digest message"}},
		{file: "flowed-delsp.eml", subject: "DelSp",
			body: []string{
				"A long German word: Donaudampfschiff. Visit https://example.com/a_(b) now.\n> quoted paragraph\n> > deeper\n-- \nsig\n",
			}, hasPlain: true},
		{file: "header-then-body.eml", subject: "Missing blank line", from: "Sender <sender@example.com>",
			body:     []string{"This is the first body line, the blank line is missing.\nSecond body line."},
			problems: []string{ProblemMalformed}, hasPlain: true},
		{file: "hostile-html.eml", subject: "Hostile HTML", isHTML: true,
			body:    []string{"Hello friend, this text must survive.", "good link", "styled ok", "[image: tracker]"},
			notBody: []string{"SECRET-TITLE", "alert(1)", "alert('head')"},
			hasHTML: true, remote: 1},
		{file: "html-meta-charset.eml", subject: "Charset in meta", isHTML: true,
			body: []string{"Café crème"}, hasHTML: true},
		{file: "mbox-from.eml", subject: "Saved from an mbox", from: "Sender <sender@example.com>",
			body: []string{"Body of the mbox message."}, problems: []string{ProblemMalformed}, hasPlain: true},
		{file: "mixed-inline-text.eml", subject: "Text, picture, text",
			body:        []string{"First part of the text.\n\nSecond part of the text."},
			attachments: []string{"2 photo.jpg"}, hasPlain: true},
		{file: "nested-rfc822.eml", subject: "Fwd: two levels", body: []string{"See attached."},
			attachments: []string{"3 outer.zip"}, hasPlain: true, nestedSubj: []string{"Inner é"}},
		{file: "no-colon.eml", subject: "After the bad line", from: "Sender <sender@example.com>",
			body: []string{"The body."}, problems: []string{ProblemMalformed}, hasPlain: true},
		{file: "nul-bytes.eml", subject: "Has NUL bytes",
			body: []string{"beforeafter\nsecond line"}, problems: []string{ProblemNUL}, hasPlain: true},
		{file: "part-charset-headers.eml", subject: "Zażółć gęślą jaźń (raw ISO-8859-2, charset in the part)",
			from: "Paweł Żółw <pawel@example.pl>", body: []string{"Dzień dobry, żółw."},
			attachments: []string{"2 data.bin"}, hasPlain: true},
		{file: "raw-8bit-headers.eml", subject: "Grüße in raw UTF-8", from: "Jürgen Müller <jm@example.de>",
			body: []string{"Body."}, hasPlain: true},
		{file: "raw-latin1-headers.eml", subject: "Déjà vu in raw Latin-1", from: "François <f@example.fr>",
			body: []string{"Café."}, hasPlain: true},
		{file: "remote-images.eml", subject: "Remote images", isHTML: true,
			body: []string{"Deals!", "[image: Banner]", "See the deal"}, hasHTML: true, remote: 2},
		{file: "rfc2231.eml", subject: "File names", body: []string{"See the files."}, hasPlain: true,
			attachments: []string{"2 été report.csv", "3 résumé.txt", "4 ✓ ok.bin", "5 unquoted.gif"}},
		{file: "signed.eml", subject: "Signed", body: []string{"Signed text."}, hasPlain: true,
			attachments: []string{"2 signature.asc"}},
		{file: "unclosed.eml", subject: "Truncated message", body: []string{"Body before the cut."},
			attachments: []string{"2 data.bin"}, problems: []string{ProblemMalformed}, hasPlain: true},
		{file: "unknown-8bit.eml", subject: "unknown-8bit body",
			body: []string{"Grüße in UTF-8 labelled unknown-8bit."}, hasPlain: true},
		{file: "unknown-charset.eml", subject: "Qaplaé", from: "Worf <worf@example.com>",
			body: []string{"Café and naïve in an unknown charset."}, problems: []string{ProblemCharset}, hasPlain: true},
		{file: "utf16-words.eml", subject: "Grüße in UTF-16 ✓", from: "Zoë Ångström <zoe@example.net>",
			body: []string{"Grüße in a UTF-16 body, marked little-endian.\nПривет 👋"}, hasPlain: true},
		{file: "utf7.eml", subject: "Grüße aus Köln", from: "Jürgen Müller <jm@example.de>",
			body: []string{"Schöne Grüße aus Köln.\n1 + 1 = 2, and a smile: 😀.\nJapanese: 日本語"}, hasPlain: true},
		{file: "windows-874.eml", subject: "สวัสดี", body: []string{"สวัสดีครับ"}, hasPlain: true},
	}
	for _, tc := range tests {
		name := tc.file
		if tc.preferPlain {
			name += "/plain"
		}
		t.Run(name, func(t *testing.T) {
			v := viewOf(fixtures.Hostile(t, tc.file), Options{PreferPlain: tc.preferPlain, CIDURL: testCIDURL})
			if v.Header.Subject != tc.subject {
				t.Errorf("subject: got %q, want %q", v.Header.Subject, tc.subject)
			}
			if tc.from != "" && (len(v.Header.From) == 0 || v.Header.From[0].String() != tc.from) {
				t.Errorf("from: got %q, want %q", v.Header.From, tc.from)
			}
			if v.IsHTML != tc.isHTML {
				t.Errorf("IsHTML: got %v, want %v", v.IsHTML, tc.isHTML)
			}
			shown := plainText(v.Text)
			if v.IsHTML {
				assertSafeHTML(t, string(v.HTML), false)
				shown = htmlText(t, string(v.HTML))
				if len(v.Text) != 0 {
					t.Errorf("Text set for an HTML body: %q", plainText(v.Text))
				}
			} else if v.HTML != "" {
				t.Errorf("HTML set for a plain body: %q", v.HTML)
			}
			shown = strings.Join(strings.Fields(shown), " ")
			for _, want := range tc.body {
				if !strings.Contains(shown, strings.Join(strings.Fields(want), " ")) && !strings.Contains(plainText(v.Text), want) {
					t.Errorf("body: got %q, want it to contain %q", shown, want)
				}
			}
			for _, not := range tc.notBody {
				if strings.Contains(shown, not) {
					t.Errorf("body: got %q, want no %q", shown, not)
				}
			}
			if got := attachmentNames(v); !slices.Equal(got, tc.attachments) {
				t.Errorf("attachments: got %q, want %q", got, tc.attachments)
			}
			if !slices.Equal(v.Problems, tc.problems) {
				t.Errorf("problems: got %q, want %q", v.Problems, tc.problems)
			}
			if v.ShowSource != (len(tc.problems) > 0) {
				t.Errorf("ShowSource: got %v, want %v", v.ShowSource, len(tc.problems) > 0)
			}
			if v.HasHTML != tc.hasHTML || v.HasPlain != tc.hasPlain {
				t.Errorf("HasHTML, HasPlain: got %v, %v, want %v, %v", v.HasHTML, v.HasPlain, tc.hasHTML, tc.hasPlain)
			}
			if v.RemoteBlocked != tc.remote {
				t.Errorf("RemoteBlocked: got %d, want %d", v.RemoteBlocked, tc.remote)
			}
			var nested []string
			for _, n := range v.Nested {
				nested = append(nested, n.Header.Subject)
			}
			if !slices.Equal(nested, tc.nestedSubj) {
				t.Errorf("nested subjects: got %q, want %q", nested, tc.nestedSubj)
			}
		})
	}
}

// TestRenderNestedMessage checks that attached messages keep their own
// header, body, attachments and part numbers.
func TestRenderNestedMessage(t *testing.T) {
	v := viewOf(fixtures.Hostile(t, "nested-rfc822.eml"), Options{})
	if len(v.Nested) != 1 {
		t.Fatalf("nested: got %d, want 1", len(v.Nested))
	}
	in := v.Nested[0]
	checks := []struct{ name, got, want string }{
		{"part ID", in.PartID, "2"},
		{"from", in.Header.From[0].String(), "Inner <inner@example.com>"},
		{"body", plainText(in.Text), "Inner body.\n"},
		{"attachments", strings.Join(attachmentNames(in), ","), "2.2 inner.csv"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if len(in.Nested) != 1 || in.Nested[0].PartID != "2.3" || plainText(in.Nested[0].Text) != "Innermost body.\n" {
		t.Fatalf("innermost: got %+v", in.Nested)
	}
	if f := v.FindNested("2.3"); f == nil || f.Header.Subject != "Innermost" {
		t.Errorf("FindNested(2.3): got %+v", f)
	}
	if len(in.Problems) != 0 {
		t.Errorf("nested problems: got %q, want none", in.Problems)
	}
}

// TestRenderEmptyAndTiny renders degenerate inputs without panicking.
func TestRenderEmptyAndTiny(t *testing.T) {
	tests := []struct {
		name, raw, subject, body string
	}{
		{"empty", "", "", ""},
		{"header only", "Subject: only a header", "only a header", ""},
		{"blank first line", "\r\nbody without header\r\n", "", "body without header\n"},
		{"lone LF endings", "Subject: lf\n\nline one\nline two\n", "lf", "line one\nline two\n"},
		{"folded subject", "Subject: one\r\n two\r\n\r\nx", "one two", "x\n"},
		{"leading continuation", " stray\r\nSubject: s\r\n\r\nx", "s", "x\n"},
		{"multipart without boundary", "Content-Type: multipart/mixed\r\n\r\ntext", "", "text\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := viewOf([]byte(tc.raw), Options{})
			if v.Header.Subject != tc.subject {
				t.Errorf("subject: got %q, want %q", v.Header.Subject, tc.subject)
			}
			if got := plainText(v.Text); got != tc.body {
				t.Errorf("body: got %q, want %q", got, tc.body)
			}
		})
	}
}

// HTMLOnly renders an HTML body as ever, and leaves a text body out.
func TestRenderHTMLOnly(t *testing.T) {
	text := viewOf([]byte("Content-Type: text/plain\r\n\r\nhello\r\n"), Options{HTMLOnly: true})
	if text.IsHTML || text.Text != nil || !text.HasPlain {
		t.Errorf("text: IsHTML %v, %d blocks, HasPlain %v; want no body rendered", text.IsHTML, len(text.Text), text.HasPlain)
	}
	mixed := viewOf([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n"+
		"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b--\r\n"), Options{HTMLOnly: true})
	if !mixed.IsHTML || !strings.Contains(string(mixed.HTML), "hi") || !strings.Contains(string(mixed.HTML), "hello") {
		t.Errorf("HTML and text: IsHTML %v, HTML %q; want both in the HTML", mixed.IsHTML, mixed.HTML)
	}
}
