package seal

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzOpen feeds arbitrary text to Open: it must never panic, and must fail
// with ErrInvalid or ErrExpired unless the text is a token it sealed.
func FuzzOpen(f *testing.F) {
	s, _ := newSealer(f, testKeyLine("a"))
	tok := mustSeal(f, s, testState)
	for _, seed := range []string{tok, "", "A", strings.Repeat("A", 200), tok[:len(tok)-1], tok + "A", "\x00\xff"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		st, err := s.Open(token)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExpired) {
				t.Fatalf("got %v, want ErrInvalid or ErrExpired", err)
			}
			return
		}
		if st.User != testState.User || st.Password != testState.Password || st.Server != testState.Server {
			t.Fatalf("opened a token it did not seal: %+v", st)
		}
	})
}

// FuzzDecodePayload checks the plaintext decoder never panics and accepts
// only what the encoder writes.
func FuzzDecodePayload(f *testing.F) {
	good, err := appendPayload(nil, payload{1, 2, 3, "user", "pass", "pop=h:995", "Ann Lee", "de"})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{good, good[:len(good)-1], append(good, 0), nil, make([]byte, payloadFixedSize)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodePayload(b)
		if err != nil {
			return
		}
		again, err := appendPayload(nil, p)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoded %x, want %x", again, b)
		}
	})
}
