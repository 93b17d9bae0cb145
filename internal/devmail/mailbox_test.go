package devmail

import (
	"fmt"
	"sync"
	"testing"
)

func TestNormalizeCRLF(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "a\r\n"},
		{"a\n", "a\r\n"},
		{"a\r\n", "a\r\n"},
		{"a\nb\r\nc\n", "a\r\nb\r\nc\r\n"},
		{"\n\n", "\r\n\r\n"},
		{"a\r", "a\r\n"},
		{"a\rb", "a\rb\r\n"},
		{"a\r\r\n", "a\r\r\n"},
	}
	for _, tt := range tests {
		if got := string(normalizeCRLF([]byte(tt.in))); got != tt.want {
			t.Errorf("normalizeCRLF(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMailbox(t *testing.T) {
	var m Mailbox // the zero value is ready to use
	a := m.Add([]byte("Subject: a\n\na\n"))
	b := m.Add([]byte("Subject: b\r\n\r\nb\r\n"))
	if a == b {
		t.Fatalf("Add: got the same id %q twice", a)
	}
	for _, uid := range []string{a, b} {
		if len(uid) == 0 || len(uid) > 70 {
			t.Errorf("id %q: length %d, want 1 to 70", uid, len(uid))
		}
		for _, c := range []byte(uid) {
			if c < 0x21 || c > 0x7e {
				t.Errorf("id %q: byte %#x outside 0x21-0x7E", uid, c)
			}
		}
	}
	if got := m.Len(); got != 2 {
		t.Errorf("Len: got %d, want 2", got)
	}
	raw, ok := m.Raw(a)
	if !ok || string(raw) != "Subject: a\r\n\r\na\r\n" {
		t.Errorf("Raw(a): got %q, %v", raw, ok)
	}
	raw[0] = 'X' // a copy: the mailbox must not change
	if again, _ := m.Raw(a); again[0] != 'S' {
		t.Error("Raw returned the stored slice, not a copy")
	}
	if !m.Delete(a) {
		t.Error("Delete(a): got false")
	}
	if m.Delete(a) {
		t.Error("second Delete(a): got true")
	}
	if _, ok := m.Raw(a); ok {
		t.Error("Raw after Delete: got ok")
	}
	c := m.Add([]byte("Subject: c\r\n\r\nc\r\n"))
	if c == a || c == b {
		t.Errorf("id %q reused", c)
	}
	if got, want := fmt.Sprint(m.UIDs()), fmt.Sprint([]string{b, c}); got != want {
		t.Errorf("UIDs: got %s, want %s", got, want)
	}
}

func TestMailboxIDsDifferBetweenMailboxes(t *testing.T) {
	a, b := NewMailbox(), NewMailbox()
	if x, y := a.Add(nil), b.Add(nil); x == y {
		t.Errorf("two new mailboxes gave the same first id %q", x)
	}
}

func TestMailboxConcurrent(t *testing.T) {
	m := NewMailbox()
	var wg sync.WaitGroup
	ids := make([][]string, 8)
	for g := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				id := m.Add([]byte("x\r\n"))
				ids[g] = append(ids[g], id)
				m.Len()
				m.UIDs()
				if i%5 == 0 {
					m.Delete(id)
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, list := range ids {
		for _, id := range list {
			if seen[id] {
				t.Fatalf("id %q handed out twice", id)
			}
			seen[id] = true
		}
	}
	if got := m.Len(); got != 8*40 {
		t.Errorf("Len: got %d, want %d", got, 8*40)
	}
}
