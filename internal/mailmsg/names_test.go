package mailmsg

import (
	"net/mail"
	"strings"
	"testing"
)

// A display name that draws nothing is dropped wherever a header is read
// and wherever a user types one, so the address is shown alone; visible
// names lose their invisible ends, and runs of blanks become one space.
func TestInvisibleNamesAreDropped(t *testing.T) {
	tests := []struct {
		name, field string
		want        Address
	}{
		{"hangul filler, issue 19", strings.Repeat("\u3164", 80) + " <attacker@evil.test>", Address{"", "attacker@evil.test"}},
		{"hangul filler, quoted", `"` + strings.Repeat("\u3164", 80) + `" <attacker@evil.test>`, Address{"", "attacker@evil.test"}},
		{"hangul filler, encoded", "=?UTF-8?B?44Wk44Wk44Wk?= <attacker@evil.test>", Address{"", "attacker@evil.test"}},
		{"braille blank", "\u2800\u2800 <a@evil.test>", Address{"", "a@evil.test"}},
		{"jamo fillers", "\u115f\u1160\uffa0 <a@evil.test>", Address{"", "a@evil.test"}},
		{"zero width", "\u200b\u200c\u200d\u2060\ufeff <a@evil.test>", Address{"", "a@evil.test"}},
		{"blanks", "\u00a0\u2003\u3000 <a@evil.test>", Address{"", "a@evil.test"}},
		{"combining only", "\u0301\u0308 <a@evil.test>", Address{"", "a@evil.test"}},
		{"joiners and selectors", "\u3164\u034f\ufe0f\u17b4 <a@evil.test>", Address{"", "a@evil.test"}},
		{"bidi controls only", "\u202e\u2066 <a@evil.test>", Address{"", "a@evil.test"}},
		{"fillers after a name", "Support" + strings.Repeat("\u3164", 80) + " <attacker@evil.test>", Address{"Support", "attacker@evil.test"}},
		{"fillers inside a name", "Ann\u3164\u3164\u2800\u00a0Lee <ann@example.org>", Address{"Ann Lee", "ann@example.org"}},
		{"invisible ends trimmed", "\u3164Ann Lee\u200b <ann@example.org>", Address{"Ann Lee", "ann@example.org"}},
		{"inner joiner kept", "Ann \U0001F469\u200d\U0001F4BB <ann@example.org>", Address{"Ann \U0001F469\u200d\U0001F4BB", "ann@example.org"}},
		{"accent kept", "Zoe\u0308 <zoe@example.org>", Address{"Zoe\u0308", "zoe@example.org"}},
		{"hangul kept", "\ud55c\uad6d <kim@example.org>", Address{"\ud55c\uad6d", "kim@example.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := ParseEnvelope([]byte("From: " + tt.field + "\r\nReply-To: " + tt.field + "\r\nTo: " + tt.field +
				"\r\nX-Gomailcgi-Draft-Bcc: " + tt.field + "\r\nX-Gomailcgi-Draft: v1 x\r\n\r\n"))
			sum := ParseHeader([]byte("From: " + tt.field + "\r\n\r\n")).Summary()
			for label, list := range map[string][]Address{"From": env.From, "Reply-To": env.ReplyTo, "To": env.To,
				"Draft-Bcc": env.DraftBcc, "summary From": sum.From} {
				if len(list) != 1 || list[0] != tt.want {
					t.Errorf("%s: got %+v, want %+v", label, list, tt.want)
				}
			}
			if strings.HasPrefix(tt.field, "=?") {
				return
			}
			typed, err := ParseAddressList(tt.field)
			if err != nil || len(typed) != 1 || typed[0] != tt.want {
				t.Errorf("typed: got %+v, %v; want %+v", typed, err, tt.want)
			}
		})
	}
	// A field that does not parse keeps its text, unless it shows nothing.
	if got := ParseEnvelope([]byte("From: \u3164\u3164 <<\r\n\r\n")).From; len(got) != 1 || got[0].Name != "<<" {
		t.Errorf("unparsed filler field: got %+v", got)
	}
	if got := ParseEnvelope([]byte("From: \u3164\u3164\u200b\r\n\r\n")).From; got != nil {
		t.Errorf("a field of fillers alone: got %+v, want none", got)
	}
}

// simpleAddressCases are address fields of the forms simpleAddress reads
// and of forms next to them that it must leave to net/mail.
var simpleAddressCases = []string{
	"ann@example.org", "<ann@example.org>", "Ann Lee <ann@example.org>", `"Lee, Ann" <ann@example.org>`,
	`"Sender 3" <sender3@example.test>`, `"Sender 3"<sender3@example.test>`, "Ann<ann@example.org>",
	"first.last+tag@sub.example.org", "x!#$%&'*+-/=?^_`{|}~@example.org", "a.@example.org", ".a@example.org",
	"a..b@example.org", "a@example..org", "a@", "@example.org", "a@b@c", "ann@[127.0.0.1]", `"a b"@example.org`,
	"Ann  Lee <ann@example.org>", " Ann <ann@example.org>", "Ann <ann@example.org> ", "Ann <ann@example.org>, Bob <bob@example.org>",
	"ann@example.org, bob@example.org", "Ann (work) <ann@example.org>", "ann@example.org (Ann)", `"" <ann@example.org>`,
	`" " <ann@example.org>`, `"a\"b" <ann@example.org>`, `"a<b" <ann@example.org>`, `"a>b" <ann@example.org>`,
	"J. Lee <j@example.org>", "Ann Lee", "Ann Lee <>", "Ann Lee <ann>", "<ann@example.org", "Ann: ann@example.org;",
	"Undisclosed recipients:;", "ann@example.org>", "Ann <<ann@example.org>>", "Ann <ann @example.org>",
	"Ann\t<ann@example.org>", "Ann <ann@exa\tmple.org>", "Ann Lee <ann@example.org>>", "\"Ann\" Lee <ann@example.org>",
	"Ann \"Lee\" <ann@example.org>", "A <b@c>", "a@b", "Jürgen <j@example.org>", "=?utf-8?q?x?= <x@example.org>",
}

// TestSimpleAddressIsNetMail: what simpleAddress reads, net/mail reads
// the same, and addressList gives the same either way.
func TestSimpleAddressIsNetMail(t *testing.T) {
	read := 0
	for _, s := range simpleAddressCases {
		if checkSimpleAddress(t, s) {
			read++
		}
	}
	if read < 10 {
		t.Errorf("simpleAddress read %d of the cases, want the common forms", read)
	}
}

// FuzzSimpleAddress holds simpleAddress to net/mail for any text.
func FuzzSimpleAddress(f *testing.F) {
	for _, s := range simpleAddressCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkSimpleAddress(t, s) })
}

// checkSimpleAddress fails t when simpleAddress reads s otherwise than
// net/mail and the rest of addressList do; it reports whether it read s.
func checkSimpleAddress(t *testing.T, s string) bool {
	t.Helper()
	name, addr, ok := simpleAddress(s)
	if !ok {
		return false
	}
	list, err := (&mail.AddressParser{WordDecoder: &wordDecoder}).ParseList(s)
	if err != nil || len(list) != 1 {
		t.Fatalf("simpleAddress(%q) = %q, %q; net/mail: %v, %d addresses", s, name, addr, err, len(list))
	}
	if list[0].Name != name || list[0].Address != addr {
		t.Fatalf("simpleAddress(%q) = %q, %q; net/mail %q, %q", s, name, addr, list[0].Name, list[0].Address)
	}
	if !tidy(name) && name != "" || !tidy(addr) {
		t.Fatalf("simpleAddress(%q) = %q, %q: addressList would tidy them", s, name, addr)
	}
	return true
}
