package floorpop

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// fakePOP is a scripted POP3 server on loopback: count messages, each
// "Subject: m N" with a short body, and a RETR body of its own. It answers
// the first UIDL only once the whole batch a list page sends has arrived,
// so a client that waited for each reply before the next command would
// hang (and fail on its timeout) instead of passing. It records every line
// the client sent.
type fakePOP struct {
	count   int
	page    int    // the page the client asks for: how big the batch is
	retr    string // RETR's body, dot-stuffed, without the final ".\r\n"
	refuse  string // a verb answered "-ERR no"
	hangAt  string // a verb after which the server hangs up mid-answer
	lines   chan []string
	address string
}

func startFake(t *testing.T, f *fakePOP) *fakePOP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f.address = ln.Addr().String()
	f.lines = make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		f.lines <- f.serve(c)
	}()
	return f
}

// batch is how many commands the page's pipelined write holds.
func (f *fakePOP) batch() int {
	first := f.count - (f.page-1)*PageSize
	return 3 * max(0, first-max(first-PageSize+1, 1)+1)
}

func (f *fakePOP) serve(c net.Conn) []string {
	br := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	var got []string
	read := func() (string, bool) {
		l, err := br.ReadString('\n')
		if err != nil {
			return "", false
		}
		got = append(got, l)
		return l, true
	}
	w.WriteString("+OK fake ready\r\n")
	w.Flush()
	for {
		l, ok := read()
		if !ok {
			return got
		}
		pending := []string{l}
		if strings.HasPrefix(l, "UIDL ") {
			for len(pending) < f.batch() {
				if l, ok = read(); !ok {
					return got
				}
				pending = append(pending, l)
			}
		}
		for _, cmd := range pending {
			f.answer(w, strings.Fields(cmd))
			if f.hangAt != "" && strings.HasPrefix(cmd, f.hangAt) {
				w.Flush()
				return got
			}
		}
		w.Flush()
		if strings.HasPrefix(l, "QUIT") {
			return got
		}
	}
}

func (f *fakePOP) answer(w *bufio.Writer, cmd []string) {
	verb := cmd[0]
	if verb == f.refuse {
		w.WriteString("-ERR no\r\n")
		return
	}
	switch verb {
	case "CAPA":
		w.WriteString("+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\n.\r\n")
	case "USER", "PASS":
		w.WriteString("+OK\r\n")
	case "STAT":
		fmt.Fprintf(w, "+OK %d %d\r\n", f.count, 100*f.count)
	case "UIDL":
		fmt.Fprintf(w, "+OK %s u%s\r\n", cmd[1], cmd[1])
	case "LIST":
		fmt.Fprintf(w, "+OK %s 100\r\n", cmd[1])
	case "TOP":
		fmt.Fprintf(w, "+OK\r\nSubject: m %s\r\n..dot-stuffed\r\n\r\n.\r\n", cmd[1])
	case "RETR":
		w.WriteString("+OK\r\n" + f.retr)
		if f.hangAt != "RETR" {
			w.WriteString(".\r\n")
		}
	case "QUIT":
		w.WriteString("+OK bye\r\n")
	default:
		w.WriteString("-ERR unknown\r\n")
	}
}

// wantLogin is what every conversation starts with.
const wantLogin = "CAPA\r\nUSER u\r\nPASS p\r\nSTAT\r\n"

// pipeline is the batch for rows first down to last.
func pipeline(first, last int) string {
	var b strings.Builder
	for n := first; n >= last; n-- {
		fmt.Fprintf(&b, "UIDL %d\r\nLIST %d\r\nTOP %d 0\r\n", n, n, n)
	}
	return b.String()
}

func TestListPageTranscript(t *testing.T) {
	for _, tc := range []struct {
		name        string
		count, page int
		want        string
	}{
		{"first page, newest first", 120, 1, wantLogin + pipeline(120, 71) + "QUIT\r\n"},
		{"last page, short", 120, 3, wantLogin + pipeline(20, 1) + "QUIT\r\n"},
		{"exactly one page", 50, 1, wantLogin + pipeline(50, 1) + "QUIT\r\n"},
		{"empty mailbox", 0, 1, wantLogin + "QUIT\r\n"},
		{"past the last page", 10, 2, wantLogin + "QUIT\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, &fakePOP{count: tc.count, page: tc.page})
			if err := ListPage(f.address, "u", "p", tc.page); err != nil {
				t.Fatalf("ListPage: %v", err)
			}
			if got := strings.Join(<-f.lines, ""); got != tc.want {
				t.Errorf("client sent:\n%q\nwant:\n%q", got, tc.want)
			}
		})
	}
}

func TestRetrTranscript(t *testing.T) {
	long := strings.Repeat("x", 100<<10) + "\r\n" // past the read buffer
	body := "Subject: big\r\n\r\n..starts with a dot\r\n" + long + "\r\n" + "end\r\n"
	f := startFake(t, &fakePOP{count: 3, retr: body})
	n, err := Retr(f.address, "u", "p", 3)
	if err != nil {
		t.Fatalf("Retr: %v", err)
	}
	if n != int64(len(body)) {
		t.Errorf("Retr read %d bytes, want %d", n, len(body))
	}
	if got, want := strings.Join(<-f.lines, ""), wantLogin+"RETR 3\r\nQUIT\r\n"; got != want {
		t.Errorf("client sent:\n%q\nwant:\n%q", got, want)
	}
}

// RetrFirst sends what Retr sends and reads as much; its first byte comes
// after the login and before the whole message.
func TestRetrFirstTranscript(t *testing.T) {
	body := "Subject: first\r\n\r\n" + strings.Repeat("line\r\n", 50000)
	f := startFake(t, &fakePOP{count: 2, retr: body})
	start := time.Now()
	first, n, err := RetrFirst(f.address, "u", "p", 2)
	total := time.Since(start)
	if err != nil {
		t.Fatalf("RetrFirst: %v", err)
	}
	if n != int64(len(body)) {
		t.Errorf("RetrFirst read %d bytes, want %d", n, len(body))
	}
	if first <= 0 || first > total {
		t.Errorf("first byte after %v of a call of %v", first, total)
	}
	if got, want := strings.Join(<-f.lines, ""), wantLogin+"RETR 2\r\nQUIT\r\n"; got != want {
		t.Errorf("client sent:\n%q\nwant:\n%q", got, want)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    fakePOP
		retr bool
		want string // in the error
	}{
		{"login refused", fakePOP{count: 5, page: 1, refuse: "PASS"}, false, "PASS"},
		{"row refused", fakePOP{count: 5, page: 1, refuse: "TOP"}, false, "TOP"},
		{"hang-up in the batch", fakePOP{count: 5, page: 1, hangAt: "LIST"}, false, "TOP"},
		{"no such message", fakePOP{count: 5, refuse: "RETR"}, true, "RETR"},
		{"hang-up mid-message", fakePOP{count: 5, retr: "Subject: x\r\n\r\nhalf", hangAt: "RETR"}, true, "RETR body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, &tc.f)
			var err error
			if tc.retr {
				_, err = Retr(f.address, "u", "p", 5)
			} else {
				err = ListPage(f.address, "u", "p", 1)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one naming %q", err, tc.want)
			}
		})
	}
}

func TestListPageRejectsPageZero(t *testing.T) {
	if err := ListPage("127.0.0.1:1", "u", "p", 0); err == nil {
		t.Error("page 0: no error")
	}
}

func TestHeadersTranscript(t *testing.T) {
	f := startFake(t, &fakePOP{count: 3000})
	count, size, err := Headers(f.address, "u", "p")
	if err != nil {
		t.Fatalf("Headers: %v", err)
	}
	var want strings.Builder
	want.WriteString(wantLogin)
	var wantSize int64
	for n := 3000; n >= 1; n-- {
		fmt.Fprintf(&want, "TOP %d 0\r\n", n)
		wantSize += int64(len(fmt.Sprintf("Subject: m %d\r\n..dot-stuffed\r\n\r\n", n)))
	}
	want.WriteString("QUIT\r\n")
	if count != 3000 || size != wantSize {
		t.Errorf("Headers read %d messages, %d bytes; want 3000, %d", count, size, wantSize)
	}
	if got := strings.Join(<-f.lines, ""); got != want.String() {
		t.Errorf("client sent %d bytes, want the %d of the login, every TOP newest first and QUIT", len(got), want.Len())
	}
}
