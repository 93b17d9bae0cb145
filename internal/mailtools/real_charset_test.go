package mailtools

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/testing/mailstack"
)

// On Dovecot, with UIDL and through the relay without it, the list shows
// a header of raw ISO-8859-2 whose charset only its text part declares as
// the view reads it, and the other rows as they are.
func TestRealListReadsThePartCharset(t *testing.T) {
	t.Parallel()
	st := mailstack.Require(t)
	cred := realUser(t, st, "mtcharset")
	st.LockUser(t, cred.User)
	st.Clear(t, cred.User)
	st.Put(t, cred.User, filepath.Join("..", "..", "testdata", "01-welcome.eml"))
	st.Put(t, cred.User, filepath.Join("..", "..", "testdata", "render", "part-charset-headers.eml"))
	want := []string{"Zażółć gęślą jaźń (raw ISO-8859-2, charset in the part)", "Welcome to gomailcgi"}
	for _, mode := range realSyncModes(st) {
		t.Run(mode.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := realPOP(mode.addr, mode.sec, nil).Dial(ctx, cred)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			l, err := s.List(ctx, 0, 10)
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if len(l.Messages) != len(want) {
				t.Fatalf("got %d rows, want %d", len(l.Messages), len(want))
			}
			for i, w := range want {
				if got := l.Messages[i].Envelope.Subject; got != w {
					t.Errorf("row %d: subject %q, want %q", i, got, w)
				}
			}
			body, err := s.Open(ctx, l.Messages[0].Ref)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			m, err := mailmsg.Read(body, mailmsg.Limits{})
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if got := m.Root.Envelope().Subject; got != l.Messages[0].Envelope.Subject {
				t.Errorf("the view reads %q, the list %q", got, l.Messages[0].Envelope.Subject)
			}
		})
	}
}
