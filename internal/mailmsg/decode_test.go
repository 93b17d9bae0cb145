package mailmsg

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

func TestTransferDecoder(t *testing.T) {
	tests := []struct {
		name, cte, in, want string
		bad, known          bool
	}{
		{"base64", "base64", "SGVsbG8s\r\nIHdvcmxk\r\n", "Hello, world", false, true},
		{"base64 upper name", " BASE64 ", "QQ==", "A", false, true},
		{"base64 no padding", "base64", "QUI", "AB", false, true},
		{"base64 junk", "base64", "QU*JD!", "ABC", true, true},
		{"base64 lone char", "base64", "QUJDR", "ABC", true, true},
		{"base64 concatenated", "base64", "QQ==QUI=", "AAB", false, true},
		{"qp", "quoted-printable", "caf=C3=A9 =\r\nok \r\nx=3d", "café ok\r\nx=", false, true},
		{"qp lower hex", "quoted-printable", "=c3=a9", "é", false, true},
		{"qp bad escape", "quoted-printable", "100=ZZ =", "100=ZZ ", true, true},
		{"qp soft break with blanks", "quoted-printable", "a= \t\nb", "ab", false, true},
		{"8bit", "8bit", "as is=41", "as is=41", false, true},
		{"unknown", "x-uuencode", "begin 644", "begin 644", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var bad bool
			dec, known := transferDecoder(tc.cte, iotest.OneByteReader(strings.NewReader(tc.in)), &bad)
			got, err := io.ReadAll(dec)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if string(got) != tc.want || bad != tc.bad || known != tc.known {
				t.Errorf("got %q bad=%v known=%v, want %q bad=%v known=%v", got, bad, known, tc.want, tc.bad, tc.known)
			}
		})
	}
}

func TestDecodeCharset(t *testing.T) {
	tests := []struct {
		name, in, cs, want string
		unknown            bool
	}{
		{"utf-8", "caf\xc3\xa9", "UTF-8", "café", false},
		{"utf8 alias", "caf\xc3\xa9", "utf8", "café", false},
		{"invalid utf-8", "caf\xe9", "utf-8", "caf\uFFFD", false},
		{"latin-1", "caf\xe9", "iso-8859-1", "café", false},
		{"quoted label", "caf\xe9", `"ISO-8859-1"`, "café", false},
		{"windows-1252 quotes", "\x93hi\x94", "windows-1252", "\u201chi\u201d", false},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет", false},
		{"iso-2022-jp", "\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp", "こんにちは", false},
		{"windows-874", "\xca\xc7\xd1\xca\xb4\xd5", "windows-874", "สวัสดี", false},
		{"cp-850 misspelt", "\x82", "cp-850", "é", false},
		{"unknown-8bit utf-8", "caf\xc3\xa9", "unknown-8bit", "café", false},
		{"x-unknown latin", "caf\xe9", "x-unknown", "café", false},
		{"us-ascii with 8-bit", "caf\xe9", "us-ascii", "café", false},
		{"none given", "caf\xc3\xa9", "", "café", false},
		{"unknown charset utf-8", "caf\xc3\xa9", "x-klingon", "café", true},
		{"unknown charset latin", "caf\xe9", "x-klingon", "café", true},
		{"utf-7", "Hi +AOk-", "utf-7", "Hi é", false},
		{"utf-16 marked big-endian", "\xfe\xff\x00A\x00\xe9", "UTF-16", "Aé", false},
		{"utf-16 marked little-endian", "\xff\xfeA\x00\xe9\x00", "utf-16", "Aé", false},
		{"utf-16 unmarked big-endian", "\x00A\x00\xe9", "utf-16", "Aé", false},
		{"utf-16 unmarked little-endian", "A\x00\xe9\x00", "utf-16", "Aé", false},
		{"utf-16be", "\x00A\xd8\x3d\xde\x00", "UTF-16BE", "A\U0001F600", false},
		{"utf-16le", "A\x00\x3d\xd8\x00\xde", "UTF-16LE", "A\U0001F600", false},
		{"utf-16le with its mark", "\xff\xfeA\x00", "utf-16le", "A", false},
		{"utf-32 marked", "\xff\xfe\x00\x00A\x00\x00\x00", "UTF-32", "A", false},
		{"utf-32 unmarked big-endian", "\x00\x00\x00A\x00\x01\xf6\x00", "utf-32", "A\U0001F600", false},
		{"utf-32 unmarked little-endian", "A\x00\x00\x00\x00\xf6\x01\x00", "utf-32", "A\U0001F600", false},
		{"utf-32be", "\x00\x00\x00\xe9", "UTF-32BE", "é", false},
		{"utf-32le", "\xe9\x00\x00\x00", "UTF-32LE", "é", false},
		{"utf-16 odd length", "\x00A\x00", "utf-16", "A\uFFFD", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, unknown := DecodeCharset([]byte(tc.in), tc.cs)
			if got != tc.want || unknown != tc.unknown {
				t.Errorf("got %q unknown=%v, want %q unknown=%v", got, unknown, tc.want, tc.unknown)
			}
		})
	}
}

func TestDecodeHeaderText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Grüße"},
		{"=?ISO-8859-1?Q?D=E9j=E0?= vu", "Déjà vu"},
		{"=?utf-8?b?QQ==?= =?utf-8?b?Qg==?=", "AB"},
		{"=?x-klingon?Q?caf=E9?=", "café"},
		{"=?unknown-8bit?Q?caf=C3=A9?=", "café"},
		{"raw caf\xc3\xa9", "raw café"},
		{"raw caf\xe9", "raw café"},
		{"tab\tand\r\n folded  spaces\x00nul", "tab and folded spaces nul"},
		{"=?utf-8?q?broken", "=?utf-8?q?broken"},
		{"=?UTF-7?Q?Gr+APwA3w-e?=", "Grüße"},
		{"=?UTF-7?Q?a=2B-b?=", "a+b"},
		{"=?utf-7?B?R3IrQVB3QTN3LWU=?=", "Grüße"},
		{"=?UTF-16?B?/v8ARwBy?=", "Gr"},
		{"=?UTF-16?B?//5HAHIA?=", "Gr"},
		{"=?UTF-16BE?B?AEcAcgD8AN8AZQ==?=", "Grüße"},
		{"=?UTF-16LE?B?RwByAPwA3wBlAA==?=", "Grüße"},
		{"=?UTF-16?B?AEcAcgD8AN8AZQ==?=", "Grüße"},
		{"=?UTF-32?B?AAD+/wAAAEcAAAByAAAA/A==?=", "Grü"},
		{"=?UTF-32LE?B?RwAAAHIAAAD8AAAA?=", "Grü"},
		{"=?UTF-32?B?RwAAAHIAAAD8AAAA?=", "Grü"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := DecodeHeaderText(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseValueParams(t *testing.T) {
	tests := []struct {
		name, in, value, key, want string
	}{
		{"simple", `text/plain; charset=UTF-8`, "text/plain", "charset", "UTF-8"},
		{"quoted with semicolon", `attachment; filename="a;b.txt"`, "attachment", "filename", "a;b.txt"},
		{"escaped quote", `attachment; filename="say \"hi\".txt"`, "attachment", "filename", `say "hi".txt`},
		{"rfc 2231", `attachment; filename*=UTF-8''%E2%9C%93.txt`, "attachment", "filename", "✓.txt"},
		{"rfc 2231 latin-1", `attachment; filename*=iso-8859-1'fr'%E9t%E9.txt`, "attachment", "filename", "été.txt"},
		{"continuations", `attachment; filename*1="b.txt"; filename*0="a"`, "attachment", "filename", "ab.txt"},
		{"extended wins", `attachment; filename="plain.txt"; filename*=UTF-8''ext.txt`, "attachment", "filename", "ext.txt"},
		{"rfc 2047 in quotes", `text/plain; name="=?UTF-8?Q?f=C3=BCr.txt?="`, "text/plain", "name", "für.txt"},
		{"raw 8-bit", "attachment; filename=\"caf\xe9.txt\"", "attachment", "filename", "café.txt"},
		{"stray semicolons", `text/html;; ; charset=utf-8;`, "text/html", "charset", "utf-8"},
		{"unterminated quote", `multipart/mixed; boundary="abc`, "multipart/mixed", "boundary", "abc"},
		{"upper case", `TEXT/PLAIN; CHARSET=koi8-r`, "text/plain", "charset", "koi8-r"},
		{"no equals", `text/plain; format; charset=x`, "text/plain", "charset", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			value, params := ParseValueParams(tc.in)
			if value != tc.value || params[tc.key] != tc.want {
				t.Errorf("got %q %s=%q, want %q %s=%q", value, tc.key, params[tc.key], tc.value, tc.key, tc.want)
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\x\evil.exe`, "evil.exe"},
		{"a\x00b\r\nc.txt", "a b c.txt"},
		{"...", ""},
		{strings.Repeat("é", 200), strings.Repeat("é", 127)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := CleanFilename(tc.in); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// The fast path for whole clean lines decodes exactly as the careful
// byte-at-a-time path does, whatever the line lengths, the junk and the
// sizes of the reads.
func TestBase64FastPathAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 300 {
		data := make([]byte, rng.IntN(3000))
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		enc := base64.StdEncoding.EncodeToString(data)
		width := []int{76, 64, 4, 3, 10, 77}[round%6]
		var src []byte
		for len(enc) > 0 {
			n := min(width, len(enc))
			src = append(src, enc[:n]...)
			enc = enc[n:]
			if rng.IntN(20) == 0 {
				src = append(src, "*="[rng.IntN(2)])
			}
			src = append(src, []string{"\r\n", "\n", " \r\n", "\r\n\r\n"}[rng.IntN(4)]...)
		}
		var slowBad, fastBad bool
		slow := &base64Reader{bad: &slowBad}
		want := slow.decodeSlowly(src, nil)
		if slow.n > 0 {
			slow.finish()
			want = append(want, slow.out...)
		}
		want = append([]byte(nil), want...)
		var r io.Reader = bytes.NewReader(src)
		switch round % 3 {
		case 1:
			r = iotest.HalfReader(r)
		case 2:
			r = iotest.OneByteReader(r)
		}
		got, err := io.ReadAll(&base64Reader{src: r, bad: &fastBad})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) || fastBad != slowBad {
			t.Fatalf("round %d (width %d): fast path gave %d bytes (bad %v), careful path %d (bad %v)",
				round, width, len(got), fastBad, len(want), slowBad)
		}
	}
}
