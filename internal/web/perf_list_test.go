package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/floorpop"
)

// cannedPOP is a POP3 server that answers a list page's commands from
// replies made before it starts, allocating next to nothing per command:
// what a list page allocates against it is the site's own. It takes any
// user and password, and, when asked to (keep), keeps the commands
// each session sent, without the password.
type cannedPOP struct {
	ln    net.Listener
	stat  []byte
	uidl  [][]byte // by message number; [0] unused
	list  [][]byte
	top   [][]byte
	keep  atomic.Bool // keep the commands sessions send
	mu    sync.Mutex
	cmds  [][]string // per session kept, as received
	ended int        // sessions ended, kept or not
	wg    sync.WaitGroup
	count int
}

// newCannedPOP serves a mailbox of count messages written as the real
// stack's fill writes them: every 5th multipart/mixed, every 7th with an
// encoded UTF-8 sender name.
func newCannedPOP(t testing.TB, count int) *cannedPOP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cannedPOP{ln: ln, count: count, uidl: make([][]byte, count+1), list: make([][]byte, count+1), top: make([][]byte, count+1)}
	var total int
	for i := 1; i <= count; i++ {
		h := cannedHeader(i, count)
		size := len(h) + 600
		total += size
		c.uidl[i] = fmt.Appendf(nil, "+OK %d %08x%08x\r\n", i, 0x5f00, i)
		c.list[i] = fmt.Appendf(nil, "+OK %d %d\r\n", i, size)
		c.top[i] = fmt.Appendf(nil, "+OK\r\n%s\r\n.\r\n", h)
	}
	c.stat = fmt.Appendf(nil, "+OK %d %d\r\n", count, total)
	c.wg.Add(1)
	go c.serve()
	t.Cleanup(func() {
		ln.Close()
		c.wg.Wait()
	})
	return c
}

func cannedHeader(i, n int) string {
	from := fmt.Sprintf("\"Sender %d\" <sender%d@example.test>", i%17, i%17)
	if i%7 == 0 {
		from = fmt.Sprintf("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller_%d?= <juergen%d@example.test>", i%17, i%17)
	}
	ct := "text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit"
	if i%5 == 0 {
		ct = fmt.Sprintf("multipart/mixed; boundary=\"=_mailstack_%d\"", i)
	}
	date := time.Unix(1700000000+int64(i)*60, 0).UTC().Format(time.RFC1123Z)
	return fmt.Sprintf("Return-Path: <sender@example.test>\r\nDelivered-To: load@example.test\r\n"+
		"From: %s\r\nTo: load@example.test\r\nSubject: Test message %d of %d\r\nDate: %s\r\n"+
		"Message-ID: <fill-%d-of-%d.load@example.test>\r\nX-Mailstack-Seq: %d\r\nMIME-Version: 1.0\r\nContent-Type: %s",
		from, i, n, date, i, n, i, ct)
}

func (c *cannedPOP) addr() string { return c.ln.Addr().String() }

func (c *cannedPOP) serve() {
	defer c.wg.Done()
	for {
		conn, err := c.ln.Accept()
		if err != nil {
			return
		}
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.session(conn)
		}()
	}
}

var (
	cannedOK   = []byte("+OK\r\n")
	cannedCAPA = []byte("+OK\r\nTOP\r\nUIDL\r\nPIPELINING\r\nUSER\r\n.\r\n")
	cannedERR  = []byte("-ERR no such message\r\n")
)

// session answers one connection; it writes when no command is waiting,
// so a pipelined page's replies go out in few writes.
func (c *cannedPOP) session(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 16<<10)
	bw := bufio.NewWriterSize(conn, 64<<10)
	var sent []string
	defer func() {
		c.mu.Lock()
		c.ended++
		if sent != nil {
			c.cmds = append(c.cmds, sent)
		}
		c.mu.Unlock()
	}()
	bw.WriteString("+OK canned\r\n")
	bw.Flush()
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		line = bytes.TrimRight(line, "\r\n")
		verb, arg, _ := bytes.Cut(line, []byte(" "))
		if c.keep.Load() {
			sent = append(sent, cannedName(verb, arg))
		}
		switch string(verb) {
		case "CAPA":
			bw.Write(cannedCAPA)
		case "USER", "PASS":
			bw.Write(cannedOK)
		case "STAT":
			bw.Write(c.stat)
		case "UIDL", "LIST", "TOP":
			n, _, _ := bytes.Cut(arg, []byte(" "))
			i, err := strconv.Atoi(string(n))
			switch {
			case err != nil || i < 1 || i > c.count:
				bw.Write(cannedERR)
			case string(verb) == "UIDL":
				bw.Write(c.uidl[i])
			case string(verb) == "LIST":
				bw.Write(c.list[i])
			default:
				bw.Write(c.top[i])
			}
		case "QUIT":
			bw.Write(cannedOK)
			bw.Flush()
			return
		default:
			bw.Write(cannedERR)
		}
		if br.Buffered() == 0 {
			if bw.Flush() != nil {
				return
			}
		}
	}
}

// cannedName is a command as the test keeps it: PASS without its
// argument.
func cannedName(verb, arg []byte) string {
	if string(verb) == "PASS" {
		return "PASS"
	}
	if len(arg) == 0 {
		return string(verb)
	}
	return string(verb) + " " + string(arg)
}

// sessions waits until n sessions have ended in all (a page hangs up
// after its QUIT without waiting), and returns the commands of each
// session kept so far, forgetting them.
func (c *cannedPOP) sessions(n int) [][]string {
	for range 500 {
		c.mu.Lock()
		done := c.ended >= n
		c.mu.Unlock()
		if done {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.cmds
	c.cmds = nil
	return s
}

// cannedSite is the site on a cannedPOP of count messages, logging as a
// deployment does at Info level (to nowhere), logged in.
func cannedSite(t testing.TB, count int) (pop *cannedPOP, handler http.Handler, listPath string) {
	t.Helper()
	pop = newCannedPOP(t, count)
	h := newHarness(t, webOption(func(c *Config) {
		c.POP.Server.Addr = pop.addr()
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}))
	tok := h.loginAs("load", "load-pw", "")
	return pop, h.srv.Config.Handler, "/list?t=" + url.QueryEscape(tok)
}

// getList is one list page from the handler, in this goroutine.
func getList(t testing.TB, handler http.Handler, path string, rows int) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("list: status %d", w.Code)
	}
	if got := bytes.Count(w.Body.Bytes(), []byte(`<td class="subject">`)); got != rows {
		t.Fatalf("list: %d rows, want %d", got, rows)
	}
}

// maxListAllocs bounds the allocations of one list page of fifty rows,
// POP session and rendering included (the canned server's own are a
// few a session). It was about 7,900 before the page's own work was cut:
// every word, date, size and label of a row formatted through x/text,
// every address through net/mail, the rows escaped one by one through
// the template, the view links built through url.Values.
const maxListAllocs = 3800

// TestListPageWork holds what a list page costs: the POP commands it
// sends are the floor's (floorpop.ListPage), no more, and its
// allocations stay under maxListAllocs.
func TestListPageWork(t *testing.T) {
	pop, handler, path := cannedSite(t, 1000)
	pop.sessions(1) // the login's, not kept
	pop.keep.Store(true)
	if err := floorpop.ListPage(pop.addr(), "load", "pw", 1); err != nil {
		t.Fatal(err)
	}
	getList(t, handler, path, floorpop.PageSize)
	got := pop.sessions(3)
	if len(got) != 2 {
		t.Fatalf("%d POP sessions, want the floor's and the page's", len(got))
	}
	floor, ours := slices.Sorted(slices.Values(got[0])), slices.Sorted(slices.Values(got[1]))
	if !slices.Equal(ours, floor) {
		t.Errorf("the page's POP commands are not the floor's:\nours  %s\nfloor %s",
			strings.Join(got[1], ", "), strings.Join(got[0], ", "))
	}

	pop.keep.Store(false)

	if raceOn {
		t.Skip("the race detector's sync.Pool drops what the page reuses")
	}
	allocs := testing.AllocsPerRun(20, func() { getList(t, handler, path, floorpop.PageSize) })
	t.Logf("%.0f allocations per list page", allocs)
	if allocs > maxListAllocs {
		t.Errorf("a list page allocates %.0f times, want at most %d", allocs, maxListAllocs)
	}
}

// BenchmarkListPageOwn is list page 1 of a 1,000-message mailbox, the
// handler called in this goroutine against cannedPOP: ns/op and
// allocs/op are the site's own work, POP client to page, with little of
// the server's or an HTTP client's.
func BenchmarkListPageOwn(b *testing.B) {
	_, handler, path := cannedSite(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		getList(b, handler, path, floorpop.PageSize)
	}
}

// TestViewLinksAreView: the rows' view links, their shared part encoded
// once per page, are the links View writes.
func TestViewLinksAreView(t *testing.T) {
	for _, base := range []string{"", "/mail", "/a b"} {
		u := urls{base: base}
		for _, tok := range []string{"AbC-_d", "x+y/z=", "t&u"} {
			for _, page := range []int{0, 1, 2, 37} {
				links := u.viewLinks(tok, page)
				for _, ref := range []mailtools.Ref{{Num: 1, ID: "uabc"}, {Num: 1000, ID: "u!#$%&'()*+,/:;=?@[]"}, {Num: 7, ID: "hdeadbeef"}} {
					if got, want := links.to(ref), u.View(tok, ref, page); got != want {
						t.Errorf("viewLinks(%q, %d).to(%v) = %q, want %q", tok, page, ref, got, want)
					}
				}
			}
		}
	}
}
