package mailtools

import (
	"slices"
	"strings"
	"testing"
)

// TestAppendFieldsIsFields: appendFields splits as strings.Fields does,
// whatever the reply holds, after what dst held.
func TestAppendFieldsIsFields(t *testing.T) {
	for _, s := range []string{
		"", " ", "1", "1 abc", "12 3456", "1 abc def", " 1 abc", "1 abc ", "1  abc", "1\tabc", "1 abc\r\n",
		"1 ab\u00a0c", "1 \u00e9t\u00e9", "\x00 1", "1 a~b!c", "+OK 3 420", "a b c d e f",
	} {
		got := appendFields([]string{"kept"}, s)
		want := append([]string{"kept"}, strings.Fields(s)...)
		if !slices.Equal(got, want) {
			t.Errorf("appendFields(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestUIDLineWork: a UIDL line as servers write it is read without an
// allocation: a sync check that lists every UID reads one a message.
func TestUIDLineWork(t *testing.T) {
	line := "4711 00000001575f4d1c"
	if n, uid, ok := parseUIDLine(line); !ok || n != 4711 || uid != "00000001575f4d1c" {
		t.Fatalf("parseUIDLine(%q) = %d, %q, %v", line, n, uid, ok)
	}
	if n := testing.AllocsPerRun(100, func() { parseUIDLine(line) }); n != 0 {
		t.Errorf("parseUIDLine allocates %v times, want none", n)
	}
}
