package devmail

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	pop3 "github.com/knadh/go-pop3"
)

// The demo POP3 server is tested here through github.com/knadh/go-pop3, a
// client written by others, as server_test.go tests the demo SMTP server
// through go-smtp's client. Our own client (mailtools) and this server were
// written side by side, so a misreading of RFC 1939 shared by both would pass
// every other test; a second implementation catches it. A user's own client
// (the TEACHING exercises use one) meets the server the same way.

// dialInterop logs a go-pop3 client in to s.
func dialInterop(t *testing.T, s *Server, user, pass string) (*pop3.Conn, error) {
	t.Helper()
	host, port, err := net.SplitHostPort(s.POPAddr())
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pop3.New(pop3.Opt{Host: host, Port: n, DialTimeout: 5 * time.Second}).NewConn()
	if err != nil {
		t.Fatalf("go-pop3 connect: %v", err)
	}
	return c, c.Auth(user, pass)
}

func TestPOPServesAnotherClient(t *testing.T) {
	s := startTest(t, Config{})
	msgs := []string{
		"From: a@example.org\r\nSubject: one\r\n\r\nfirst body\r\n",
		"From: b@example.org\r\nSubject: two\r\nX-Long: " + strings.Repeat("x", 900) + "\r\n\r\nsecond\r\nbody\r\n",
		"From: c@example.org\r\nSubject: three\r\n\r\nthird\r\n",
	}
	box := s.Mailbox(testUser)
	var uids []string
	for _, m := range msgs {
		uids = append(uids, box.Add([]byte(m)))
	}

	c, err := dialInterop(t, s, testUser, testPass)
	if err != nil {
		t.Fatalf("Auth: %v", err)
	}
	count, size, err := c.Stat()
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	total := 0
	for _, m := range msgs {
		total += len(m)
	}
	if count != len(msgs) || size != total {
		t.Errorf("Stat: got %d messages, %d octets; want %d, %d", count, size, len(msgs), total)
	}

	list, err := c.List(0)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(list) != len(msgs) {
		t.Fatalf("List: got %d entries, want %d", len(list), len(msgs))
	}
	for i, m := range list {
		if m.ID != i+1 || m.Size != len(msgs[i]) {
			t.Errorf("List[%d]: got %d %d, want %d %d", i, m.ID, m.Size, i+1, len(msgs[i]))
		}
	}

	ids, err := c.Uidl(0)
	if err != nil {
		t.Fatalf("Uidl: %v", err)
	}
	if len(ids) != len(uids) {
		t.Fatalf("Uidl: got %d entries, want %d", len(ids), len(uids))
	}
	for i, m := range ids {
		if m.ID != i+1 || m.UID != uids[i] {
			t.Errorf("Uidl[%d]: got %d %q, want %d %q", i, m.ID, m.UID, i+1, uids[i])
		}
	}
	one, err := c.Uidl(2)
	if err != nil || len(one) != 1 || one[0].UID != uids[1] {
		t.Errorf("Uidl(2): got %v, %v; want %q", one, err, uids[1])
	}

	top, err := c.Top(2, 0)
	if err != nil {
		t.Fatalf("Top: %v", err)
	}
	if got := top.Header.Get("Subject"); got != "two" {
		t.Errorf("Top(2, 0) Subject: got %q, want %q", got, "two")
	}

	raw, err := c.RetrRaw(3)
	if err != nil {
		t.Fatalf("RetrRaw: %v", err)
	}
	if got := raw.String(); !strings.Contains(got, "Subject: three") || !strings.Contains(got, "third") {
		t.Errorf("RetrRaw(3): got %q", got)
	}

	if err := c.Dele(1); err != nil {
		t.Fatalf("Dele: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("Quit: %v", err)
	}
	if got := box.UIDs(); len(got) != 2 || got[0] != uids[1] || got[1] != uids[2] {
		t.Errorf("after DELE 1 and QUIT: mailbox holds %q, want %q", got, uids[1:])
	}
}

func TestPOPRefusesAnotherClientsWrongPassword(t *testing.T) {
	s := startTest(t, Config{})
	c, err := dialInterop(t, s, testUser, "not the password")
	if err == nil {
		c.Quit()
		t.Fatal("Auth with a wrong password: got nil error")
	}
	if got := s.POPLogins(); got != 1 {
		t.Errorf("PASS commands seen: got %d, want 1", got)
	}
}
