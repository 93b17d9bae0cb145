package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// A MAC made under key A holds under [A] and, after a rotation, [B, A];
// it fails once A has left, for another purpose, and for another message.
func TestMACRotation(t *testing.T) {
	a, b := testKeyLine("a"), testKeyLine("b")
	msg := []byte("Message-ID: <1@example.org>")
	mac, err := mustKeys(t, a).MAC("draft\x00alice", msg)
	if err != nil {
		t.Fatal(err)
	}
	if len(mac) != MACSize {
		t.Fatalf("MAC is %d bytes, want %d", len(mac), MACSize)
	}
	tests := []struct {
		name    string
		keys    *Keys
		purpose string
		msg     []byte
		mac     []byte
		want    bool
	}{
		{"its own key", mustKeys(t, a), "draft\x00alice", msg, mac, true},
		{"rotated: new key first", mustKeys(t, b, a), "draft\x00alice", msg, mac, true},
		{"old key removed", mustKeys(t, b), "draft\x00alice", msg, mac, false},
		{"another purpose", mustKeys(t, a), "draft\x00bob", msg, mac, false},
		{"another message", mustKeys(t, a), "draft\x00alice", []byte("Message-ID: <2@example.org>"), mac, false},
		{"cut short", mustKeys(t, a), "draft\x00alice", msg, mac[:16], false},
		{"empty", mustKeys(t, a), "draft\x00alice", msg, nil, false},
		{"no keys", nil, "draft\x00alice", msg, mac, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.keys.VerifyMAC(tt.purpose, tt.msg, tt.mac); got != tt.want {
				t.Errorf("VerifyMAC: got %v, want %v", got, tt.want)
			}
		})
	}
	again, _ := mustKeys(t, b, a).MAC("draft\x00alice", msg)
	if bytes.Equal(again, mac) {
		t.Error("after a rotation, new MACs are still made with the old key")
	}
}

// The MAC key is derived, not the sealing key itself: a MAC reveals
// nothing a plain HMAC under the state key would.
func TestMACKeyIsDerived(t *testing.T) {
	line := testKeyLine("a")
	raw, _ := base64.StdEncoding.DecodeString(line)
	msg := []byte("x")
	got, err := mustKeys(t, line).MAC("p", msg)
	if err != nil {
		t.Fatal(err)
	}
	h := hmac.New(sha256.New, raw)
	h.Write(msg)
	if bytes.Equal(got, h.Sum(nil)) {
		t.Error("the MAC is an HMAC under the sealing key itself")
	}
	if _, err := (*Keys)(nil).MAC("p", msg); err != ErrNoKeys {
		t.Errorf("MAC without keys: got %v, want ErrNoKeys", err)
	}
}
