package mailtools

import (
	"context"
	"errors"
	"testing"
)

// A user has at most MaxPerUser sessions open: one more Dial waits until
// one ends, and gives up with its context. Failed logins give their slot
// back.
func TestSessionsPerUserAreBounded(t *testing.T) {
	srv, pop := startDevmail(t, false, 3)
	pop.MaxPerUser = 2
	ctx := context.Background()
	cred := Credentials{User: "ann", Password: "pw"}
	for range 3 {
		if _, err := pop.Dial(ctx, Credentials{User: "ANN", Password: "wrong"}); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong password: got %v", err)
		}
	}
	a, err := pop.Dial(ctx, cred)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pop.Dial(ctx, cred)
	if err != nil {
		t.Fatal(err)
	}
	before := srv.POPLogins()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var ue *UnavailableError
	if _, err := pop.Dial(cancelled, cred); !errors.As(err, &ue) || !errors.Is(err, context.Canceled) {
		t.Errorf("a third session with its context gone: got %v, want an UnavailableError", err)
	}
	if got := srv.POPLogins(); got != before {
		t.Errorf("the third Dial reached the server (%d logins)", got-before)
	}
	third := make(chan error, 1)
	go func() {
		s, err := pop.Dial(ctx, cred)
		if err == nil {
			err = s.Close()
		}
		third <- err
	}()
	a.Close()
	if err := <-third; err != nil {
		t.Errorf("the third session after one ended: %v", err)
	}
	b.Close()
	pop.mu.Lock()
	left := len(pop.users)
	pop.mu.Unlock()
	if left != 0 {
		t.Errorf("%d users' slots are still remembered", left)
	}
}
