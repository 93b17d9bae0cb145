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

// Downloads take at most MaxDownloadsPerUser of a user's sessions: one
// more waits, while a page's Dial still gets a session. With one session
// a user has, a download may take it.
func TestDownloadsPerUserAreBounded(t *testing.T) {
	srv, pop := startDevmail(t, false, 3)
	pop.MaxPerUser = 3
	ctx := context.Background()
	cred := Credentials{User: "ann", Password: "pw"}
	var held []*Session
	for range DefaultMaxDownloadsPerUser {
		s, err := pop.DialDownload(ctx, cred)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, s)
	}
	before := srv.POPLogins()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var ue *UnavailableError
	if _, err := pop.DialDownload(cancelled, cred); !errors.As(err, &ue) || !errors.Is(err, context.Canceled) {
		t.Errorf("one download too many, its context gone: got %v, want an UnavailableError", err)
	}
	if got := srv.POPLogins(); got != before {
		t.Errorf("the download past the bound reached the server (%d logins)", got-before)
	}
	page, err := pop.Dial(ctx, cred)
	if err != nil {
		t.Fatalf("a page's session beside the downloads: %v", err)
	}
	page.Close()
	next := make(chan error, 1)
	go func() {
		s, err := pop.DialDownload(ctx, cred)
		if err == nil {
			err = s.Close()
		}
		next <- err
	}()
	held[0].Close()
	if err := <-next; err != nil {
		t.Errorf("a download after one ended: %v", err)
	}
	held[1].Close()

	pop.MaxPerUser = 1
	s, err := pop.DialDownload(ctx, cred)
	if err != nil {
		t.Fatalf("a download with one session: %v", err)
	}
	s.Close()
	pop.mu.Lock()
	left := len(pop.users)
	pop.mu.Unlock()
	if left != 0 {
		t.Errorf("%d users' slots are still remembered", left)
	}
}
