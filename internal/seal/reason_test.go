package seal

import (
	"errors"
	"testing"
	"time"
)

// Each way a token fails to open names its reason, for the explain panel,
// and keeps the error text and kind it had.
func TestReasonOf(t *testing.T) {
	s, c := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	other, _ := newSealer(t, testKeyLine("b"))
	flipped := []byte(tok)
	if mid := len(flipped) / 2; flipped[mid] == 'A' {
		flipped[mid] = 'B'
	} else {
		flipped[mid] = 'A'
	}
	tests := []struct {
		name  string
		token string
		later time.Duration
		open  *Sealer
		kind  error
		want  Reason
	}{
		{"empty", "", 0, s, ErrInvalid, ReasonEmpty},
		{"bad character", tok[:20] + "!" + tok[21:], 0, s, ErrInvalid, ReasonBadCharacter},
		{"too short", tok[:8], 0, s, ErrInvalid, ReasonTooShort},
		{"changed", string(flipped), 0, s, ErrInvalid, ReasonForged},
		{"another server's key", tok, 0, other, ErrInvalid, ReasonUnknownKey},
		{"expired", tok, DefaultIdle + time.Minute, s, ErrExpired, ReasonPastExpiry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.now = t0.Add(tt.later)
			_, err := tt.open.Open(tt.token)
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Open: got %v, want %v", err, tt.kind)
			}
			if got := ReasonOf(err); got != tt.want {
				t.Errorf("ReasonOf: got %q, want %q", got, tt.want)
			}
			if want := tt.kind.Error() + ": " + string(tt.want); err.Error() != want {
				t.Errorf("Error: got %q, want %q", err.Error(), want)
			}
		})
	}
	if got := ReasonOf(errors.New("other")); got != "" {
		t.Errorf("ReasonOf(another error): got %q, want none", got)
	}
}
