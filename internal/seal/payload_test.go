package seal

import (
	"errors"
	"testing"
)

func TestPayloadRoundTrip(t *testing.T) {
	tests := []payload{
		{},
		{loginAt: -1, sealedAt: 1 << 62, expiresAt: 1741000000, user: "u", password: "p\x00", server: "s"},
		{user: "é", password: string(make([]byte, 1000)), server: "pop=h:995"},
		{user: "ann", password: "pw", server: "s", name: "Ann Lee, Ph.D."},
		{user: "ann", password: "pw", server: "s", name: "Ann", lang: "de"},
		{user: "ann", password: "pw", server: "s", lang: "pt-BR"},
	}
	for _, want := range tests {
		b, err := appendPayload(nil, want)
		if err != nil {
			t.Fatalf("appendPayload: %v", err)
		}
		got, err := decodePayload(b)
		if err != nil {
			t.Fatalf("decodePayload: %v", err)
		}
		if got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
}

func TestDecodePayloadErrors(t *testing.T) {
	good, err := appendPayload(nil, payload{loginAt: 1, sealedAt: 2, expiresAt: 3, user: "user", password: "pass", server: "srv"})
	if err != nil {
		t.Fatal(err)
	}
	overlong := append([]byte(nil), good...)
	overlong[24], overlong[25] = 0xff, 0xff // user length past the end
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"times only", good[:24]},
		{"cut in a length", good[:25]},
		{"cut in a field", good[:len(good)-1]},
		{"trailing byte", append(append([]byte(nil), good...), 0)},
		{"length past end", overlong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodePayload(tt.b); !errors.Is(err, errMalformed) {
				t.Errorf("got %v, want errMalformed", err)
			}
		})
	}
}

// A token without a name is written as before names existed, so either
// side of an upgrade opens it; an empty name is never written.
func TestPayloadWithoutNameIsAsBefore(t *testing.T) {
	b, err := appendPayload(nil, payload{user: "u", password: "p", server: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if want := payloadFixedSize + 3; len(b) != want {
		t.Errorf("a payload without a name: %d bytes, want %d", len(b), want)
	}
	if _, err := decodePayload(append(b, 0, 0)); err == nil {
		t.Error("an empty name field is accepted")
	}
	if _, err := decodePayload(append(b, 0, 0, 0, 0)); err == nil {
		t.Error("an empty name and lang field are accepted")
	}
	if _, err := decodePayload(append(b, 0, 1, 'n', 0, 0)); err == nil {
		t.Error("an empty lang field is accepted")
	}
}
