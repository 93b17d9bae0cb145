package seal

import (
	"errors"
	"testing"
	"time"
)

func TestInspectGivesTheTokensTimes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := &Sealer{Keys: mustKeys(t, testKeyLine("a")), Idle: 10 * time.Minute, Absolute: time.Hour, Now: func() time.Time { return now }}
	login := now.Add(-20 * time.Minute)
	tok, err := s.Seal(State{User: "ann", Password: "pw", Server: "pop=x", Name: "Ann", Lang: "de", LoginAt: login})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(3 * time.Minute)
	st, stamps, err := s.Inspect(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := Stamps{LoginAt: login, SealedAt: now.Add(-3 * time.Minute), IdleUntil: now.Add(7 * time.Minute), AbsoluteUntil: login.Add(time.Hour)}
	if !stamps.LoginAt.Equal(want.LoginAt) || !stamps.SealedAt.Equal(want.SealedAt) ||
		!stamps.IdleUntil.Equal(want.IdleUntil) || !stamps.AbsoluteUntil.Equal(want.AbsoluteUntil) {
		t.Errorf("stamps = %+v, want %+v", stamps, want)
	}
	if st.User != "ann" || st.Name != "Ann" || st.Server != "pop=x" || st.Lang != "de" {
		t.Errorf("state = %v", st)
	}
	now = now.Add(8 * time.Minute)
	if _, _, err := s.Inspect(tok); !errors.Is(err, ErrExpired) {
		t.Errorf("Inspect of an idle token: %v, want ErrExpired", err)
	}
}
