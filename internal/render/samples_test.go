package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSampleMailbox renders every message of the demo mailbox in
// testdata/ and checks subject, sender, a body snippet and attachments.
func TestSampleMailbox(t *testing.T) {
	tests := []struct {
		file, subject, from, snippet string
		isHTML                       bool
		attachments                  []string
		nested                       string // subject of the attached message
	}{
		{"01-welcome.eml", "Welcome to gomailcgi", "gomailcgi Team <team@gomailcgi.example>",
			"This is the demo mailbox of gomailcgi", false, nil, ""},
		{"02-html-tour.eml", "A quick tour of the message list", "gomailcgi Team <team@gomailcgi.example>",
			"This message has no plain-text part at all", true, nil, ""},
		{"03-tips-alternative.eml", "Five tips for getting around", "Ada (gomailcgi tips) <tips@gomailcgi.example>",
			"Your session lives in the page, not in a cookie.", true, nil, ""},
		{"04-attachments.eml", "Your checklist and a list of pages (2 attachments)", "Grace from Support <support@gomailcgi.example>",
			"two attachments for you:", false, []string{"2 gomailcgi-checklist.txt", "3 aperçu des pages.csv"}, ""},
		{"05-attachment-2047-name.eml", "The weekly plan, with an old-style attachment name", "Jürgen Müller <juergen@example.net>",
			"the attached plan is named with an RFC 2047 encoded word", false, []string{"2 Wochenplan für März.txt"}, ""},
		{"06-inline-image.eml", "New icon for the inbox (inline image)", "Lin (Design) <design@gomailcgi.example>",
			"Here is the new envelope icon", true, []string{"2 envelope.png"}, ""},
		{"07-utf8.eml", "Grüße aus Zürich — UTF-8 überall ✓", "Zoë Ångström <zoe@example.net>",
			"Hola, Hallo, Привет, こんにちは, Γειά σου 👋", false, nil, ""},
		{"08-latin1.eml", "Déjà vu : un message en Latin-1, sans problème", "François Lefèvre <francois@example.fr>",
			"à â ç é è ê ë î ï ô ù û ü ÿ, et aussi « les guillemets »", false, nil, ""},
		{"09-iso2022jp.eml", "日本語のテストメール（ISO-2022-JP）", "山田 花子 <hanako@example.jp>",
			"このメッセージは ISO-2022-JP（いわゆる JIS コード）で書かれています。", false, nil, ""},
		{"10-koi8r.eml", "Привет из демо-ящика (KOI8-R)", "Иван Петров <ivan@example.ru>",
			"Это письмо написано в кодировке KOI8-R", false, nil, ""},
		{"11-forwarded.eml", "Fwd: Release notes for the demo server", "Demo User <demo@example.org>",
			"forwarding the release notes below as an attachment", false, nil, "Release notes for the demo server"},
		{"12-long-line.eml", "One paragraph, one very long line", "Line Length Lab <lab@gomailcgi.example>",
			"(segment 001 of a long line). Item 2:", false, nil, ""},
		{"13-dot-lines.eml", "Lines that start with a dot", "Line Length Lab <lab@gomailcgi.example>",
			"\n.\n..\n...\n.hidden-config\n", false, nil, ""},
		{"14-reply-quoted.eml", "Re: Re: Does delete really check the message?", "Sam Reader <sam@example.com>",
			"> > > (From the FAQ:) POP3 numbers messages 1, 2, 3...", false, nil, ""},
		{"15-format-flowed.eml", "Paragraphs that flow", "Rowan Flow <rowan@example.com>",
			"> A quoted paragraph can flow too: these two lines belong to one quoted paragraph.\n", false, nil, ""},
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no sample mailbox in testdata/")
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			v := viewOf(raw, Options{CIDURL: testCIDURL})
			if v.Header.Subject != tc.subject {
				t.Errorf("subject: got %q, want %q", v.Header.Subject, tc.subject)
			}
			if len(v.Header.From) != 1 || v.Header.From[0].String() != tc.from {
				t.Errorf("from: got %q, want %q", v.Header.From, tc.from)
			}
			if v.IsHTML != tc.isHTML {
				t.Errorf("IsHTML: got %v, want %v", v.IsHTML, tc.isHTML)
			}
			shown := plainText(v.Text)
			if v.IsHTML {
				assertSafeHTML(t, string(v.HTML), false)
				shown = strings.Join(strings.Fields(htmlText(t, string(v.HTML))), " ")
			}
			if !strings.Contains(shown, tc.snippet) {
				t.Errorf("body: got %q, want it to contain %q", shown, tc.snippet)
			}
			if got := attachmentNames(v); !slices.Equal(got, tc.attachments) {
				t.Errorf("attachments: got %q, want %q", got, tc.attachments)
			}
			if tc.nested != "" && (len(v.Nested) != 1 || v.Nested[0].Header.Subject != tc.nested) {
				t.Errorf("nested: got %d views, want one with subject %q", len(v.Nested), tc.nested)
			}
			if len(v.Problems) != 0 {
				t.Errorf("problems: got %q, want none", v.Problems)
			}
		})
	}
}
