package devmail

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
)

// garbageInputs are hostile or malformed sessions; each is sent raw after
// the greeting.
var garbageInputs = []string{
	"",
	"\r\n\r\n\r\n",
	"\n\n\n",
	"\r\r\r\r",
	"\x00\x01\x02\xff\xfe\r\n",
	"USER \x00demo\r\nPASS \x00\r\n",
	"USER demo\r\nPASS demo pass\r\nRETR 0\r\nRETR 4294967296\r\nTOP 1 999999999\r\nTOP 1 1 1\r\nTOP  1 1\r\nDELE 1\r\nDELE 1\r\nRSET\r\nRSET\r\n",
	"USER demo\r\nPASS demo pass\r\nLIST 1\x00\r\nUIDL \xff\r\nRETR 1\r\nQUIT\r\n",
	"USER demo\r\nPASS demo pass\r\n" + strings.Repeat("DELE 1\r\n", 50) + "QUIT\r\n",
	"CAPA CAPA CAPA\r\nquit\r\n",
	"STLS\r\nSTLS\r\n",
	"APOP demo 0123456789abcdef\r\nAUTH PLAIN\r\n",
	strings.Repeat("A", 70000),
	strings.Repeat("NOOP\r\n", 2000),
	"USER demo\r\nPASS demo pass\r\nUSER demo\r\nPASS demo pass\r\nSTAT\r\n",
	"\xef\xbb\xbfUSER demo\r\n",
	"RETR 1\r\nTOP 1 0\r\n",
	"USER demo\r\nPASS demo pass\r\n" + "TOP " + strings.Repeat("9", 600) + " 1\r\n",
	"USER demo\r\nPASS demo pass\r\nLIST 00000000001\r\nLIST 000000001\r\n",
}

// runGarbage sends input on a fresh connection, half-closes it, and reads
// whatever the server answers until it closes or goes quiet. It checks that
// every line the server sends ends with CRLF.
func runGarbage(t testing.TB, addr, input string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		c.Write([]byte(input))
		c.(*net.TCPConn).CloseWrite()
	}()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF && line == "" {
			return
		}
		if err != nil {
			t.Fatalf("input %.40q: read: %v (partial %q)", input, err, line)
		}
		if !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("input %.40q: line %q does not end in CRLF", input, line)
		}
	}
}

// checkAlive fails unless a fresh session logs in and answers STAT.
func checkAlive(t testing.TB, s *Server) {
	t.Helper()
	p := dialPOP(t, s)
	p.login(testUser, testPass)
	if got := p.cmd("STAT"); !strings.HasPrefix(got, "+OK ") {
		t.Fatalf("STAT on a fresh session: got %q", got)
	}
	p.cmd("QUIT")
}

func TestPOPGarbage(t *testing.T) {
	s := startTest(t, Config{IdleTimeout: 2 * time.Second})
	fillBox(t, s)
	for i, in := range garbageInputs {
		t.Run(fmt.Sprintf("input%02d", i), func(t *testing.T) {
			runGarbage(t, s.POPAddr(), in)
			checkAlive(t, s)
		})
	}
}

func TestPOPRandomBytes(t *testing.T) {
	s := startTest(t, Config{IdleTimeout: 2 * time.Second})
	fillBox(t, s)
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"USER demo", "PASS demo pass", "STAT", "LIST", "UIDL", "TOP 1 2", "RETR 2", "DELE 1", "RSET", "NOOP", "CAPA", "STLS", "LIST 3", "UIDL 9"}
	for i := 0; i < 40; i++ {
		var b strings.Builder
		for j := rng.IntN(30); j > 0; j-- {
			switch rng.IntN(3) {
			case 0:
				b.WriteString(words[rng.IntN(len(words))])
				b.WriteString("\r\n")
			case 1:
				raw := make([]byte, rng.IntN(40))
				for k := range raw {
					raw[k] = byte(rng.IntN(256))
				}
				b.Write(raw)
			default:
				b.WriteString(words[rng.IntN(len(words))][:rng.IntN(4)])
				b.WriteByte("\r\n \x00"[rng.IntN(4)])
			}
		}
		runGarbage(t, s.POPAddr(), b.String())
	}
	if got := s.Mailbox(testUser).Len(); got > 4 {
		t.Errorf("mailbox grew to %d messages", got)
	}
	checkAlive(t, s)
}

// FuzzPOPSession throws arbitrary input at a live server, logged in or
// not; the seeds run with plain go test.
func FuzzPOPSession(f *testing.F) {
	for _, in := range garbageInputs {
		f.Add(false, in)
	}
	f.Add(true, "DELE 1\r\nQUIT\r\n")
	f.Add(true, "TOP 1 0\r\nRETR 2\r\nUIDL\r\nLIST\r\n")
	s := startTest(f, Config{IdleTimeout: 2 * time.Second})
	box := s.Mailbox(testUser)
	f.Fuzz(func(t *testing.T, login bool, input string) {
		if box.Len() < 2 {
			box.Add([]byte(msgDots))
			box.Add([]byte(msgLong))
		}
		if login {
			input = "USER demo\r\nPASS demo pass\r\n" + input
		}
		runGarbage(t, s.POPAddr(), input)
	})
}
