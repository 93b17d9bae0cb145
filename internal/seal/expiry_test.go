package seal

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIdleExpiry(t *testing.T) {
	tests := []struct {
		name string
		idle time.Duration // sealer's Idle; zero is the default
		wait time.Duration
		want error
	}{
		{"fresh", 0, 0, nil},
		{"just before default idle", 0, DefaultIdle - time.Second, nil},
		{"at default idle", 0, DefaultIdle, ErrExpired},
		{"after default idle", 0, DefaultIdle + time.Minute, ErrExpired},
		{"custom idle, inside", 5 * time.Minute, 4 * time.Minute, nil},
		{"custom idle, past", 5 * time.Minute, 5 * time.Minute, ErrExpired},
		{"clock went back a little", 0, -30 * time.Second, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newSealer(t, testKeyLine("a"))
			s.Idle = tt.idle
			tok := mustSeal(t, s, testState)
			c.now = c.now.Add(tt.wait)
			_, err := s.Open(tok)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestIdleSlides re-seals on every page, as the web layer does: the session
// lives past the idle time as long as the user keeps clicking.
func TestIdleSlides(t *testing.T) {
	s, c := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	for page := 1; page <= 6; page++ { // 6 pages 20 minutes apart: 2 h > idle
		c.now = c.now.Add(20 * time.Minute)
		st, err := s.Open(tok)
		if err != nil {
			t.Fatalf("page %d at +%v: %v", page, c.now.Sub(t0), err)
		}
		if !st.LoginAt.Equal(t0) {
			t.Fatalf("page %d: LoginAt got %v, want %v", page, st.LoginAt, t0)
		}
		tok = mustSeal(t, s, st)
	}
	c.now = c.now.Add(DefaultIdle)
	if _, err := s.Open(tok); !errors.Is(err, ErrExpired) {
		t.Errorf("after an idle gap: got %v, want ErrExpired", err)
	}
}

// TestAbsoluteCap re-seals often, yet the login ends Absolute after LoginAt.
func TestAbsoluteCap(t *testing.T) {
	s, c := newSealer(t, testKeyLine("a"))
	s.Absolute = time.Hour
	tok := mustSeal(t, s, testState)
	for _, at := range []time.Duration{20 * time.Minute, 40 * time.Minute, 50 * time.Minute} {
		c.now = t0.Add(at)
		st, err := s.Open(tok)
		if err != nil {
			t.Fatalf("at +%v: %v", at, err)
		}
		tok = mustSeal(t, s, st)
	}
	tests := []struct {
		at   time.Duration
		want error
	}{
		{59*time.Minute + 59*time.Second, nil},
		{time.Hour, ErrExpired},
		{time.Hour + time.Minute, ErrExpired}, // the token's idle time (50m+30m) is not up yet
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			c.now = t0.Add(tt.at)
			if _, err := s.Open(tok); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("re-seal past the cap", func(t *testing.T) {
		c.now = t0.Add(time.Hour)
		if _, err := s.Seal(testState); !errors.Is(err, ErrExpired) {
			t.Errorf("got %v, want ErrExpired", err)
		}
	})
}

// TestAbsoluteCapIsInToken checks the cap travels in the token: an opener
// with a longer Absolute still honours the sealer's.
func TestAbsoluteCapIsInToken(t *testing.T) {
	sealer, c := newSealer(t, testKeyLine("a"))
	sealer.Absolute = time.Hour
	c.now = t0.Add(50 * time.Minute)
	tok := mustSeal(t, sealer, testState)

	opener := &Sealer{Keys: sealer.Keys, Now: c.Now, Absolute: 24 * time.Hour}
	c.now = t0.Add(61 * time.Minute)
	if _, err := opener.Open(tok); !errors.Is(err, ErrExpired) {
		t.Errorf("got %v, want ErrExpired", err)
	}
}

// TestOpenerShorterDurations checks that shortening Idle or Absolute takes
// effect on tokens already issued.
func TestOpenerShorterDurations(t *testing.T) {
	tests := []struct {
		name           string
		idle, absolute time.Duration
		loginAgo, wait time.Duration
		want           error
	}{
		{"idle shortened", 10 * time.Minute, 0, 0, 15 * time.Minute, ErrExpired},
		{"idle shortened, inside", 10 * time.Minute, 0, 0, 5 * time.Minute, nil},
		{"absolute shortened", 0, 2 * time.Hour, 3 * time.Hour, time.Minute, ErrExpired},
		{"absolute shortened, inside", 0, 2 * time.Hour, time.Hour, time.Minute, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newSealer(t, testKeyLine("a"))
			st := testState
			st.LoginAt = t0.Add(-tt.loginAgo)
			tok := mustSeal(t, s, st)
			opener := &Sealer{Keys: s.Keys, Now: c.Now, Idle: tt.idle, Absolute: tt.absolute}
			c.now = c.now.Add(tt.wait)
			if _, err := opener.Open(tok); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestClockSkew(t *testing.T) {
	tests := []struct {
		name  string
		ahead time.Duration // how far the sealing clock runs ahead of the opener's
		want  error
	}{
		{"same clock", 0, nil},
		{"sealer ahead within tolerance", MaxClockSkew - time.Second, nil},
		{"sealer ahead beyond tolerance", MaxClockSkew + time.Second, ErrInvalid},
		{"sealer far ahead", 24 * time.Hour, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newSealer(t, testKeyLine("a"))
			c.now = t0.Add(tt.ahead)
			st := testState
			st.LoginAt = c.now // logged in on the fast server
			tok := mustSeal(t, s, st)
			c.now = t0
			if _, err := s.Open(tok); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestExpiredErrorHoldsNoSecrets(t *testing.T) {
	s, c := newSealer(t, testKeyLine("a"))
	tok := mustSeal(t, s, testState)
	c.now = c.now.Add(DefaultAbsolute)
	_, err := s.Open(tok)
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("got %v, want ErrExpired", err)
	}
	for _, secret := range []string{tok[:8], testState.User, testState.Password} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %q", err, secret)
		}
	}
}
