package mailmsg

import (
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
