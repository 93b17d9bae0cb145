package seal

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// t0 is the tests' login time.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable time source for a Sealer.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// newSealer returns a sealer over the given key lines with a clock at t0.
func newSealer(t testing.TB, keyLines ...string) (*Sealer, *clock) {
	t.Helper()
	c := &clock{now: t0}
	return &Sealer{Keys: mustKeys(t, keyLines...), Now: c.Now}, c
}

func mustSeal(t testing.TB, s *Sealer, st State) string {
	t.Helper()
	tok, err := s.Seal(st)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return tok
}

var testState = State{User: "alice@example.org", Password: "s3cret pass", Server: "pop=mail.example.org:995", LoginAt: t0}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   State
		want State
	}{
		{"typical", testState, testState},
		{"empty fields", State{LoginAt: t0}, State{LoginAt: t0}},
		{"unicode and control bytes",
			State{User: "jörg", Password: "p\x00w\n\"'<>&=+/", Server: "pop=ü:1", LoginAt: t0},
			State{User: "jörg", Password: "p\x00w\n\"'<>&=+/", Server: "pop=ü:1", LoginAt: t0}},
		{"zero LoginAt means now", State{User: "bob"}, State{User: "bob", LoginAt: t0}},
		{"sub-second LoginAt kept to the second",
			State{User: "bob", LoginAt: t0.Add(-1500 * time.Millisecond)},
			State{User: "bob", LoginAt: t0.Add(-2 * time.Second)}},
		{"long server", State{Server: strings.Repeat("pop=h:1,", 100), LoginAt: t0},
			State{Server: strings.Repeat("pop=h:1,", 100), LoginAt: t0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newSealer(t, testKeyLine("a"))
			got, err := s.Open(mustSeal(t, s, tt.in))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if got.User != tt.want.User || got.Password != tt.want.Password || got.Server != tt.want.Server {
				t.Errorf("got %q/%q/%q, want %q/%q/%q", got.User, got.Password, got.Server,
					tt.want.User, tt.want.Password, tt.want.Server)
			}
			if !got.LoginAt.Equal(tt.want.LoginAt) {
				t.Errorf("LoginAt: got %v, want %v", got.LoginAt, tt.want.LoginAt)
			}
		})
	}
}

func TestTokenText(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	tok1 := mustSeal(t, s, testState)
	tok2 := mustSeal(t, s, testState)
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(tok1) {
		t.Errorf("token %q is not unpadded URL-safe base64", tok1)
	}
	if got := url.QueryEscape(tok1); got != tok1 {
		t.Errorf("QueryEscape changed the token: got %q, want %q", got, tok1)
	}
	// 5 header + 28 AEAD + 30 fixed + 52 of text = 115 bytes = 154 chars.
	if got, want := len(tok1), 154; got != want {
		t.Errorf("token length: got %d, want %d", got, want)
	}
	if tok1 == tok2 {
		t.Error("two seals of one state gave the same token; nonce not fresh")
	}
	for _, secret := range []string{testState.User, testState.Password, "alice", "s3cret"} {
		if strings.Contains(tok1, secret) {
			t.Errorf("token contains %q in the clear", secret)
		}
	}
}

// TestTamperEveryByte flips bits in every byte of a token's binary form and
// changes every character of its text form; each change must be refused.
func TestTamperEveryByte(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	raw, err := tokenEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	for _, mask := range []byte{0x01, 0x80, 0xff} {
		for i := range raw {
			bad := append([]byte(nil), raw...)
			bad[i] ^= mask
			_, err := s.Open(tokenEncoding.EncodeToString(bad))
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("byte %d ^ %#x: got %v, want ErrInvalid", i, mask, err)
			}
		}
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(tok) {
		c := alphabet[(strings.IndexByte(alphabet, tok[i])+1)%len(alphabet)]
		bad := tok[:i] + string(c) + tok[i+1:]
		if _, err := s.Open(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("char %d %q->%q: got %v, want ErrInvalid", i, tok[i], c, err)
		}
	}
}

func TestTruncated(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	raw, err := tokenEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(tok) {
		if _, err := s.Open(tok[:n]); !errors.Is(err, ErrInvalid) {
			t.Errorf("text prefix %d: got %v, want ErrInvalid", n, err)
		}
	}
	for n := range len(raw) {
		if _, err := s.Open(tokenEncoding.EncodeToString(raw[:n])); !errors.Is(err, ErrInvalid) {
			t.Errorf("byte prefix %d: got %v, want ErrInvalid", n, err)
		}
	}
}

func TestGarbage(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	raw, err := tokenEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	header := tokenEncoding.EncodeToString(append(raw[:headerSize:headerSize], make([]byte, 100)...))
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"punctuation", "!!!!"},
		{"space", tok[:10] + " " + tok[10:]},
		{"trailing newline", tok + "\n"},
		{"newline inside", tok[:50] + "\n" + tok[50:]},
		{"CR inside", tok[:50] + "\r" + tok[50:]},
		{"padded", tok + "=="},
		{"standard alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "+/"},
		{"doubled", tok + tok},
		{"zeros", strings.Repeat("A", 200)},
		{"over the limit", strings.Repeat("A", MaxTokenLen+4)},
		{"right header, zero body", header},
		{"percent-encoded", url.PathEscape("a/b") + tok},
		{"not utf-8", "\xff\xfe" + tok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.Open(tt.token); !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestWrongKeyOrPurpose(t *testing.T) {
	a, _ := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, a, testState)
	b, _ := newSealer(t, testKeyLine("b"))
	other, _ := newSealer(t, testKeyLine("a"))
	other.Purpose = "gomailcgi-attachment-v1"
	tests := []struct {
		name string
		s    *Sealer
	}{
		{"other key", b},
		{"other purpose", other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.s.Open(tok); !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestWrongVersion(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	raw, err := tokenEncoding.DecodeString(mustSeal(t, s, testState))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []byte{0, 2, 255} {
		raw[0] = v
		if _, err := s.Open(tokenEncoding.EncodeToString(raw)); !errors.Is(err, ErrInvalid) {
			t.Errorf("version %d: got %v, want ErrInvalid", v, err)
		}
	}
}

func TestRotation(t *testing.T) {
	oldKey, newKey := testKeyLine("old"), testKeyLine("new")
	before, _ := newSealer(t, oldKey)
	oldTok := mustSeal(t, before, testState)

	after, _ := newSealer(t, newKey, "# retiring", oldKey)
	if _, err := after.Open(oldTok); err != nil {
		t.Errorf("old token under rotated keys: %v", err)
	}
	newTok := mustSeal(t, after, testState)
	raw, err := tokenEncoding.DecodeString(newTok)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hexID(raw), after.Keys.IDs()[0]; got != want {
		t.Errorf("new token key id: got %q, want %q (the first key)", got, want)
	}
	if _, err := before.Open(newTok); !errors.Is(err, ErrInvalid) {
		t.Errorf("new token under old keys only: got %v, want ErrInvalid", err)
	}

	retired, _ := newSealer(t, newKey)
	if _, err := retired.Open(oldTok); !errors.Is(err, ErrInvalid) {
		t.Errorf("old token after its key left the file: got %v, want ErrInvalid", err)
	}
	if _, err := retired.Open(newTok); err != nil {
		t.Errorf("new token after old key left: %v", err)
	}
}

func hexID(raw []byte) string {
	return (&Keys{keys: []key{{id: [keyIDSize]byte(raw[1:headerSize])}}}).IDs()[0]
}

func TestSealErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*Sealer)
		st    State
		want  error // nil: any error will do
	}{
		{"no keys", func(s *Sealer) { s.Keys = nil }, testState, ErrNoKeys},
		{"negative idle", func(s *Sealer) { s.Idle = -time.Second }, testState, nil},
		{"negative absolute", func(s *Sealer) { s.Absolute = -time.Second }, testState, nil},
		{"login in the future", func(*Sealer) {}, State{User: "u", LoginAt: t0.Add(time.Hour)}, nil},
		{"login too old", func(*Sealer) {}, State{User: "u", LoginAt: t0.Add(-DefaultAbsolute)}, ErrExpired},
		{"password too big", func(*Sealer) {}, State{Password: strings.Repeat("p", MaxTokenLen), LoginAt: t0}, ErrTooLarge},
		{"field over 64 KiB", func(*Sealer) {}, State{Server: strings.Repeat("s", 1<<16), LoginAt: t0}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newSealer(t, testKeyLine("a"))
			tt.setup(s)
			tok, err := s.Seal(tt.st)
			if err == nil {
				t.Fatalf("Seal: got token %q, want error", tok)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if tt.st.Password != "" && strings.Contains(err.Error(), tt.st.Password[:4]) {
				t.Errorf("error %q contains the password", err)
			}
		})
	}
}

// TestSizeLimit checks that Seal never makes a token Open would refuse.
func TestSizeLimit(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	largest := -1
	for n := 2900; n < 3100; n++ {
		tok, err := s.Seal(State{Password: strings.Repeat("x", n), LoginAt: t0})
		if errors.Is(err, ErrTooLarge) {
			break
		}
		if err != nil {
			t.Fatalf("Seal with %d-byte password: %v", n, err)
		}
		if len(tok) > MaxTokenLen {
			t.Fatalf("token of %d chars exceeds MaxTokenLen", len(tok))
		}
		if _, err := s.Open(tok); err != nil {
			t.Fatalf("Open of %d-char token: %v", len(tok), err)
		}
		largest = n
	}
	if largest < 0 || largest == 3099 {
		t.Fatalf("limit not found in range: largest sealed password %d", largest)
	}
	tok := mustSeal(t, s, State{Password: strings.Repeat("x", largest), LoginAt: t0})
	if len(tok) < MaxTokenLen-3 {
		t.Errorf("largest token is %d chars, want it within 3 of %d", len(tok), MaxTokenLen)
	}
}

func TestOpenConfigErrors(t *testing.T) {
	s, _ := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	s.Keys = nil
	if _, err := s.Open(tok); !errors.Is(err, ErrNoKeys) {
		t.Errorf("no keys: got %v, want ErrNoKeys", err)
	}
	s.Keys = mustKeys(t, testKeyLine("a"))
	s.Idle = -1
	if _, err := s.Open(tok); err == nil || errors.Is(err, ErrInvalid) || errors.Is(err, ErrExpired) {
		t.Errorf("negative idle: got %v, want a configuration error", err)
	}
}

func TestStatePrintHidesPassword(t *testing.T) {
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(format, testState)
		if strings.Contains(got, testState.Password) {
			t.Errorf("%s: got %q, want no password", format, got)
		}
		if !strings.Contains(got, testState.User) {
			t.Errorf("%s: got %q, want the user", format, got)
		}
	}
}

func BenchmarkSealOpen(b *testing.B) {
	s := &Sealer{Keys: mustKeys(b, testKeyLine("a"))}
	st := testState
	st.LoginAt = time.Now()
	for b.Loop() {
		tok, err := s.Seal(st)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Open(tok); err != nil {
			b.Fatal(err)
		}
	}
}
