package devmail

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"gomailcgi/internal/testing/testtls"
)

var (
	msgDots = "From: a@example.org\r\nSubject: dots\r\n\r\nline 1\r\n.dot line\r\n.\r\n..\r\nlast\r\n"
	msgLong = "From: b@example.org\r\nSubject: long\r\n\r\nbefore\r\n" + strings.Repeat("0123456789", 600) + "\r\nafter\r\n"
	msgLF   = "Subject: bare LF\n\nbody\n"
	msgLead = ".Odd: header starting with a dot\r\n\r\nx\r\n"
)

// fillBox adds the transcript messages and returns their ids.
func fillBox(t *testing.T, s *Server) []string {
	t.Helper()
	box := s.Mailbox(testUser)
	var uids []string
	for _, m := range []string{msgDots, msgLong, msgLF, msgLead} {
		uids = append(uids, box.Add([]byte(m)))
	}
	return uids
}

func TestPOPCapa(t *testing.T) {
	serverTLS, _ := testtls.New(t)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"plain", Config{}, "TOP\r\nUIDL\r\nUSER\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nIMPLEMENTATION gomailcgi-devmail\r\n.\r\n"},
		{"no UIDL", Config{NoUIDL: true}, "TOP\r\nUSER\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nIMPLEMENTATION gomailcgi-devmail\r\n.\r\n"},
		{"TLS", Config{TLSConfig: serverTLS}, "TOP\r\nUIDL\r\nUSER\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nSTLS\r\nIMPLEMENTATION gomailcgi-devmail\r\n.\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialPOP(t, startTest(t, tt.cfg))
			if got := p.cmd("CAPA"); got != "+OK capability list follows" {
				t.Fatalf("CAPA: got %q", got)
			}
			if got := p.multi(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPOPAuth(t *testing.T) {
	tests := []struct {
		name  string
		lines []string // commands
		want  []string // answers, compared by prefix
	}{
		{"good", []string{"USER demo", "PASS demo pass"}, []string{"+OK", "+OK demo has 0 messages (0 octets)"}},
		{"lower case commands", []string{"user demo", "pass demo pass", "stat"}, []string{"+OK", "+OK", "+OK 0 0"}},
		{"wrong password", []string{"USER demo", "PASS nope"}, []string{"+OK", "-ERR [AUTH] "}},
		{"password prefix", []string{"USER demo", "PASS demo"}, []string{"+OK", "-ERR [AUTH] "}},
		{"unknown user", []string{"USER nobody", "PASS demo pass"}, []string{"+OK", "-ERR [AUTH] "}},
		{"PASS without USER", []string{"PASS demo pass"}, []string{"-ERR "}},
		{"USER is consumed by a failed PASS", []string{"USER demo", "PASS x", "PASS demo pass"}, []string{"+OK", "-ERR [AUTH]", "-ERR "}},
		{"retry after failure", []string{"USER demo", "PASS x", "USER demo", "PASS demo pass"}, []string{"+OK", "-ERR [AUTH]", "+OK", "+OK"}},
		{"commands before login", []string{"STAT", "LIST", "RETR 1", "DELE 1", "UIDL", "TOP 1 0", "RSET"}, []string{"-ERR", "-ERR", "-ERR", "-ERR", "-ERR", "-ERR", "-ERR"}},
		{"USER without name", []string{"USER", "USER "}, []string{"-ERR", "-ERR"}},
		{"login twice", []string{"USER demo", "PASS demo pass", "USER demo", "PASS demo pass"}, []string{"+OK", "+OK", "-ERR", "-ERR"}},
		{"STLS without TLS", []string{"STLS"}, []string{"-ERR"}},
		{"unknown command", []string{"XYZZY", "", "   "}, []string{"-ERR", "-ERR", "-ERR"}},
	}
	s := startTest(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := dialPOP(t, s)
			for i, c := range tt.lines {
				if got := p.cmd(c); !strings.HasPrefix(got, tt.want[i]) {
					t.Errorf("%q: got %q, want prefix %q", c, got, tt.want[i])
				}
			}
		})
	}
}

func TestPOPTooManyFailuresCloses(t *testing.T) {
	p := dialPOP(t, startTest(t, Config{}))
	for i := 0; i < maxAuthFailures; i++ {
		p.cmd("USER demo")
		if got := p.cmd("PASS wrong"); !strings.HasPrefix(got, "-ERR [AUTH]") {
			t.Fatalf("PASS %d: got %q", i, got)
		}
	}
	if rest, err := io.ReadAll(p.r); err != nil || len(rest) != 0 {
		t.Errorf("after %d failures: got %q, %v, want closed connection", maxAuthFailures, rest, err)
	}
}

func TestPOPTranscript(t *testing.T) {
	s := startTest(t, Config{})
	uids := fillBox(t, s)
	lfCRLF := strings.ReplaceAll(msgLF, "\n", "\r\n")
	msgs := []string{msgDots, msgLong, lfCRLF, msgLead}
	total := 0
	for _, m := range msgs {
		total += len(m)
	}

	p := dialPOP(t, s)
	p.login(testUser, testPass)

	single := []struct{ cmd, want string }{
		{"STAT", fmt.Sprintf("+OK 4 %d", total)},
		{"LIST 2", fmt.Sprintf("+OK 2 %d", len(msgLong))},
		{"LIST 3", fmt.Sprintf("+OK 3 %d", len(lfCRLF))},
		{"UIDL 1", "+OK 1 " + uids[0]},
		{"uidl 4", "+OK 4 " + uids[3]},
		{"LIST 0", "-ERR no such message, only 4 messages in maildrop"},
		{"LIST 5", "-ERR no such message, only 4 messages in maildrop"},
		{"LIST x", "-ERR invalid message number"},
		{"LIST -1", "-ERR invalid message number"},
		{"LIST +1", "-ERR invalid message number"},
		{"LIST 1 ", "-ERR invalid message number"},
		{"RETR 99999999999", "-ERR invalid message number"},
		{"RETR", "-ERR invalid message number"},
		{"TOP 1", "-ERR usage: TOP msg lines"},
		{"TOP 1 -1", "-ERR usage: TOP msg lines"},
		{"TOP 9 1", "-ERR no such message, only 4 messages in maildrop"},
		{"NOOP", "+OK"},
	}
	for _, tt := range single {
		if got := p.cmd(tt.cmd); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.cmd, got, tt.want)
		}
	}

	multi := []struct{ cmd, head, body string }{
		{"LIST", fmt.Sprintf("+OK 4 messages (%d octets)", total),
			fmt.Sprintf("1 %d\r\n2 %d\r\n3 %d\r\n4 %d\r\n.\r\n", len(msgDots), len(msgLong), len(lfCRLF), len(msgLead))},
		{"UIDL", "+OK unique-id listing follows",
			fmt.Sprintf("1 %s\r\n2 %s\r\n3 %s\r\n4 %s\r\n.\r\n", uids[0], uids[1], uids[2], uids[3])},
		{"RETR 1", fmt.Sprintf("+OK %d octets", len(msgDots)), stuffed(msgDots)},
		{"RETR 2", fmt.Sprintf("+OK %d octets", len(msgLong)), stuffed(msgLong)},
		{"RETR 3", fmt.Sprintf("+OK %d octets", len(lfCRLF)), stuffed(lfCRLF)},
		{"RETR 4", fmt.Sprintf("+OK %d octets", len(msgLead)), stuffed(msgLead)},
		{"TOP 1 0", "+OK top of message follows", stuffed("From: a@example.org\r\nSubject: dots\r\n\r\n")},
		{"TOP 1 3", "+OK top of message follows", stuffed("From: a@example.org\r\nSubject: dots\r\n\r\nline 1\r\n.dot line\r\n.\r\n")},
		{"TOP 1 100", "+OK top of message follows", stuffed(msgDots)},
		{"TOP 2 2", "+OK top of message follows", stuffed("From: b@example.org\r\nSubject: long\r\n\r\nbefore\r\n" + strings.Repeat("0123456789", 600) + "\r\n")},
	}
	for _, tt := range multi {
		if got := p.cmd(tt.cmd); got != tt.head {
			t.Errorf("%s: got %q, want %q", tt.cmd, got, tt.head)
			continue
		}
		if got := p.multi(); got != tt.body {
			t.Errorf("%s body: got %q, want %q", tt.cmd, got, tt.body)
		}
	}
	if !strings.Contains(stuffed(msgDots), "\r\n..dot line\r\n..\r\n...\r\n") || !strings.HasPrefix(stuffed(msgLead), "..Odd") {
		t.Fatalf("test helper stuffed() is wrong: %q", stuffed(msgDots))
	}
	if got := p.cmd("QUIT"); got != "+OK bye (4 messages left)" {
		t.Errorf("QUIT: got %q", got)
	}
}

func TestTopOf(t *testing.T) {
	tests := []struct {
		raw  string
		k    int
		want string
	}{
		{"A: 1\r\n\r\nb1\r\nb2\r\n", 0, "A: 1\r\n\r\n"},
		{"A: 1\r\n\r\nb1\r\nb2\r\n", 1, "A: 1\r\n\r\nb1\r\n"},
		{"A: 1\r\n\r\nb1\r\nb2\r\n", 5, "A: 1\r\n\r\nb1\r\nb2\r\n"},
		{"A: 1\r\nB: 2\r\n", 3, "A: 1\r\nB: 2\r\n"},
		{"\r\nbody only\r\n", 0, "\r\n"},
		{"\r\nbody only\r\n", 1, "\r\nbody only\r\n"},
		{"", 1, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.raw, tt.k), func(t *testing.T) {
			if got := string(topOf([]byte(tt.raw), tt.k)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPOPDeleteQuitApplies(t *testing.T) {
	s := startTest(t, Config{})
	uids := fillBox(t, s)
	p := dialPOP(t, s)
	p.login(testUser, testPass)
	steps := []struct{ cmd, want string }{
		{"DELE 2", "+OK message 2 deleted"},
		{"DELE 2", "-ERR message 2 already deleted"},
		{"RETR 2", "-ERR message 2 already deleted"},
		{"LIST 2", "-ERR message 2 already deleted"},
		{"DELE 4", "+OK message 4 deleted"},
		{"STAT", fmt.Sprintf("+OK 2 %d", len(msgDots)+len(msgLF)+strings.Count(msgLF, "\n"))},
		{"LIST 3", fmt.Sprintf("+OK 3 %d", len(msgLF)+strings.Count(msgLF, "\n"))},
	}
	for _, st := range steps {
		if got := p.cmd(st.cmd); got != st.want {
			t.Errorf("%s: got %q, want %q", st.cmd, got, st.want)
		}
	}
	if got := p.cmd("UIDL"); got != "+OK unique-id listing follows" {
		t.Fatalf("UIDL: got %q", got)
	}
	if got, want := p.multi(), fmt.Sprintf("1 %s\r\n3 %s\r\n.\r\n", uids[0], uids[2]); got != want {
		t.Errorf("UIDL after DELE: got %q, want %q", got, want)
	}
	if got := s.Mailbox(testUser).Len(); got != 4 {
		t.Errorf("before QUIT: got %d messages, want 4", got)
	}
	if got := p.cmd("QUIT"); got != "+OK bye (2 messages left)" {
		t.Errorf("QUIT: got %q", got)
	}
	if got, want := strings.Join(s.Mailbox(testUser).UIDs(), " "), uids[0]+" "+uids[2]; got != want {
		t.Errorf("after QUIT: got %q, want %q", got, want)
	}
}

func TestPOPDeleteDropAppliesNothing(t *testing.T) {
	s := startTest(t, Config{})
	fillBox(t, s)
	p := dialPOP(t, s)
	p.login(testUser, testPass)
	if got := p.cmd("DELE 1"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("DELE: got %q", got)
	}
	p.conn.Close()
	// A new session sees all messages once the old one has ended;
	// the server notices the drop asynchronously, so poll briefly.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && s.popConns.count() > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Mailbox(testUser).Len(); got != 4 {
		t.Errorf("after drop: got %d messages, want 4", got)
	}
	q := dialPOP(t, s)
	q.login(testUser, testPass)
	if got := q.cmd("STAT"); !strings.HasPrefix(got, "+OK 4 ") {
		t.Errorf("STAT after drop: got %q, want 4 messages", got)
	}
}

func TestPOPRset(t *testing.T) {
	s := startTest(t, Config{})
	fillBox(t, s)
	total := len(msgDots) + len(msgLong) + len(msgLF) + strings.Count(msgLF, "\n") + len(msgLead)
	p := dialPOP(t, s)
	p.login(testUser, testPass)
	steps := []struct{ cmd, want string }{
		{"DELE 1", "+OK message 1 deleted"},
		{"DELE 3", "+OK message 3 deleted"},
		{"RSET", fmt.Sprintf("+OK maildrop has 4 messages (%d octets)", total)},
		{"RETR 1", fmt.Sprintf("+OK %d octets", len(msgDots))},
	}
	for _, st := range steps {
		if got := p.cmd(st.cmd); got != st.want {
			t.Errorf("%s: got %q, want %q", st.cmd, got, st.want)
		}
	}
	p.multi()
	if got := p.cmd("QUIT"); got != "+OK bye (4 messages left)" {
		t.Errorf("QUIT: got %q", got)
	}
	if got := s.Mailbox(testUser).Len(); got != 4 {
		t.Errorf("after RSET+QUIT: got %d messages, want 4", got)
	}
}

// TestPOPSnapshot checks that numbers stay stable when another client
// changes the mailbox during a session, and that QUIT deletes by id.
func TestPOPSnapshot(t *testing.T) {
	s := startTest(t, Config{})
	uids := fillBox(t, s)
	box := s.Mailbox(testUser)
	p := dialPOP(t, s)
	p.login(testUser, testPass)

	if !box.Delete(uids[0]) {
		t.Fatal("Delete: got false")
	}
	added := box.Add([]byte("Subject: new\r\n\r\nnew\r\n"))

	if got, want := p.cmd("UIDL 2"), "+OK 2 "+uids[1]; got != want {
		t.Errorf("UIDL 2: got %q, want %q", got, want)
	}
	if got, want := p.cmd("RETR 1"), fmt.Sprintf("+OK %d octets", len(msgDots)); got != want {
		t.Errorf("RETR 1: got %q, want %q", got, want)
	}
	p.multi()
	if got := p.cmd("LIST 5"); !strings.HasPrefix(got, "-ERR") {
		t.Errorf("LIST 5 (added after login): got %q, want -ERR", got)
	}
	p.cmd("DELE 1") // already gone from the shared mailbox
	p.cmd("DELE 3")
	if got := p.cmd("QUIT"); got != "+OK bye (3 messages left)" {
		t.Errorf("QUIT: got %q", got)
	}
	if got, want := strings.Join(box.UIDs(), " "), strings.Join([]string{uids[1], uids[3], added}, " "); got != want {
		t.Errorf("after QUIT: got %q, want %q", got, want)
	}
}

func TestPOPNoUIDL(t *testing.T) {
	s := startTest(t, Config{NoUIDL: true})
	fillBox(t, s)
	p := dialPOP(t, s)
	p.login(testUser, testPass)
	for _, c := range []string{"UIDL", "UIDL 1"} {
		if got := p.cmd(c); got != "-ERR UIDL not supported" {
			t.Errorf("%s: got %q, want -ERR", c, got)
		}
	}
	if got := p.cmd("TOP 1 0"); got != "+OK top of message follows" {
		t.Fatalf("TOP: got %q", got)
	}
	p.multi()
}

func TestPOPPipelining(t *testing.T) {
	s := startTest(t, Config{})
	fillBox(t, s)
	p := dialPOP(t, s)
	p.send("USER demo\r\nPASS demo pass\r\nSTAT\r\nRETR 1\r\nLIST 1\r\nTOP 1 0\r\nNOOP\r\nQUIT\r\n")
	want := []string{
		"+OK send PASS\r\n",
		fmt.Sprintf("+OK demo has 4 messages (%d octets)\r\n", len(msgDots)+len(msgLong)+len(msgLF)+strings.Count(msgLF, "\n")+len(msgLead)),
		fmt.Sprintf("+OK 4 %d\r\n", len(msgDots)+len(msgLong)+len(msgLF)+strings.Count(msgLF, "\n")+len(msgLead)),
		fmt.Sprintf("+OK %d octets\r\n", len(msgDots)) + stuffed(msgDots),
		fmt.Sprintf("+OK 1 %d\r\n", len(msgDots)),
		"+OK top of message follows\r\n" + stuffed("From: a@example.org\r\nSubject: dots\r\n\r\n"),
		"+OK\r\n",
		"+OK bye (4 messages left)\r\n",
	}
	got, err := io.ReadAll(p.r)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(want, ""); string(got) != w {
		t.Errorf("got %q, want %q", got, w)
	}
}

func TestPOPLongCommandLine(t *testing.T) {
	p := dialPOP(t, startTest(t, Config{}))
	if got := p.cmd("USER " + strings.Repeat("x", maxCommandLine)); got != "-ERR command line too long" {
		t.Errorf("long line: got %q", got)
	}
	// 10 MB without a newline, then a newline: one error, and the session goes on.
	p.send(strings.Repeat("y", 10<<20))
	if got := p.cmd(""); got != "-ERR command line too long" {
		t.Errorf("huge line: got %q", got)
	}
	if got := p.cmd("NOOP"); got != "+OK" {
		t.Errorf("NOOP after long lines: got %q, want +OK", got)
	}
	// Exactly at the limit is fine.
	line := "USER " + strings.Repeat("u", maxCommandLine-len("USER \r\n"))
	if got := p.cmd(line); got != "+OK send PASS" {
		t.Errorf("line of %d bytes: got %q", len(line)+2, got)
	}
}

func TestPOPIdleTimeout(t *testing.T) {
	s := startTest(t, Config{IdleTimeout: 200 * time.Millisecond})
	p := dialPOP(t, s)
	if got := strings.TrimSpace(p.line()); got != "-ERR idle timeout, closing connection" {
		t.Errorf("got %q", got)
	}
	if _, err := p.r.ReadByte(); err != io.EOF {
		t.Errorf("after timeout: got %v, want EOF", err)
	}
}
