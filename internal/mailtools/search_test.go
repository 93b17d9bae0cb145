package mailtools

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
)

// The search scans a devmail mailbox of searchBoxSize generated messages.
// Message i's fields come from the tables below by i, so each test works
// out what a query must find from the same rule, not from a list.
const searchBoxSize = 10000

var (
	// searchSenders[i%7]: as written in the header, and as the list shows it
	searchSenders = []struct{ field, name string }{
		{"=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <jm@example.test>", "Jürgen Müller"},
		{"=?ISO-8859-1?Q?Ren=E9e_Fa=E7on?= <rf@example.test>", "Renée Façon"},
		{"Ann Lee <ann.lee@example.test>", "Ann Lee"},
		{"\"Lee, Bob\" <bob@example.test>", "Lee, Bob"},
		{"=?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan@example.test>", "Иван Петров"},
		{"straße@example.test", ""},
		{"Zoë Quinn <zq@example.test>", "Zoë Quinn"},
	}
	// searchSubjects[i%11]
	searchSubjects = []string{
		"Invoice March", "=?UTF-8?Q?Cr=C3=A8me_br=C3=BBl=C3=A9e?= recipe", "Meeting notes",
		"Re: INVOICE april", "holiday photos", "=?ISO-8859-1?Q?=C9t=E9?= plans", "weekly report",
		"lunch?", "Quarterly Invoice review", "party", "Spring cleaning",
	}
	searchBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// searchDate is message i's date: one an hour from searchBase.
func searchDate(i int) time.Time { return searchBase.Add(time.Duration(i) * time.Hour) }

// searchMessage is message i, its header padded to about 1.5 KB as a
// real one with Received fields is.
func searchMessage(i int) []byte {
	cc := ""
	if i%5 == 0 {
		cc = "Cc: =?UTF-8?Q?Fran=C3=A7oise?= <francoise@example.test>\r\n"
	}
	return fmt.Appendf(nil, "Received: from relay%d.example.test by mx.example.test; %s\r\n\t%s\r\n"+
		"From: %s\r\nTo: Team %d <team%d@example.test>\r\n%sSubject: %s\r\nDate: %s\r\nMessage-ID: <s%d@example.test>\r\n\r\nBody %d\r\n",
		i, strings.Repeat("x", 700), strings.Repeat("y", 700),
		searchSenders[i%7].field, i%3, i%3, cc, searchSubjects[i%11], searchDate(i).Format(time.RFC1123Z), i, i)
}

var searchBox = sync.OnceValue(func() [][]byte {
	msgs := make([][]byte, searchBoxSize)
	for i := range msgs {
		msgs[i] = searchMessage(i + 1)
	}
	return msgs
})

func startSearchBox(t *testing.T, noUIDL bool) (*devmail.Server, *POP) {
	t.Helper()
	srv, err := devmail.Start(devmail.Config{Users: map[string]string{"ann": "pw"}, NoUIDL: noUIDL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	for _, m := range searchBox() {
		srv.Mailbox("ann").Add(m)
	}
	return srv, &POP{Server: Server{Addr: srv.POPAddr(), Security: SecurityInsecure, CommandTimeout: 10 * time.Second}}
}

// searchAll runs Search to its end from after, and returns the numbers
// found, newest first.
func searchAll(t *testing.T, pop *POP, q Query, after *Ref, b SearchBounds) ([]int, *SearchResult) {
	t.Helper()
	ctx := context.Background()
	s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int
	res, err := s.Search(ctx, q, after, b, func(m Summary) error {
		if m.Ref.ID == "" || m.Size <= 0 {
			t.Errorf("message %d found without its ref or size: %+v", m.Ref.Num, m.Ref)
		}
		got = append(got, m.Ref.Num)
		return nil
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if res.Found != len(got) {
		t.Errorf("Found %d, but %d were given", res.Found, len(got))
	}
	return got, res
}

// want lists the messages from n down to 1 that keep says are found.
func want(n int, keep func(i int) bool) []int {
	var out []int
	for i := n; i >= 1; i-- {
		if keep(i) {
			out = append(out, i)
		}
	}
	return out
}

func TestSearchMatches(t *testing.T) {
	_, pop := startSearchBox(t, false)
	subj := func(i int) string { return searchSubjects[i%11] }
	cases := []struct {
		name string
		q    Query
		keep func(i int) bool
	}{
		{"encoded name without accents", Query{Words: []string{"muller"}, Field: SearchFrom},
			func(i int) bool { return i%7 == 0 }},
		{"Latin-1 name, accented and upper case", Query{Words: []string{"RENÉE"}, Field: SearchFrom},
			func(i int) bool { return i%7 == 1 }},
		{"Cyrillic base64 name", Query{Words: []string{"петров"}, Field: SearchFrom},
			func(i int) bool { return i%7 == 4 }},
		{"ß folds to ss", Query{Words: []string{"STRASSE"}, Field: SearchFrom},
			func(i int) bool { return i%7 == 5 }},
		{"every word must match", Query{Words: []string{"lee", "bob"}, Field: SearchFrom},
			func(i int) bool { return i%7 == 3 }},
		{"one word in the subject, any case", Query{Words: []string{"invoice"}, Field: SearchSubject},
			func(i int) bool { return strings.Contains(strings.ToLower(subj(i)), "invoice") }},
		{"subject words", Query{Words: []string{"invoice", "march"}, Field: SearchSubject},
			func(i int) bool { return i%11 == 0 }},
		{"encoded subject without accents", Query{Words: []string{"creme", "brulee"}, Field: SearchSubject},
			func(i int) bool { return i%11 == 1 }},
		{"Latin-1 subject", Query{Words: []string{"ete"}, Field: SearchSubject},
			func(i int) bool { return i%11 == 5 }},
		{"the field is respected", Query{Words: []string{"invoice"}, Field: SearchFrom},
			func(i int) bool { return false }},
		{"To and Cc", Query{Words: []string{"francoise"}, Field: SearchTo},
			func(i int) bool { return i%5 == 0 }},
		{"To by address", Query{Words: []string{"team2@"}, Field: SearchTo},
			func(i int) bool { return i%3 == 2 }},
		{"any field", Query{Words: []string{"zoe", "team1"}, Field: SearchAny},
			func(i int) bool { return i%7 == 6 && i%3 == 1 }},
		{"dates", Query{Words: []string{"party"}, After: searchDate(2000), Before: searchDate(3000)},
			func(i int) bool { return i%11 == 9 && i >= 2000 && i < 3000 }},
		{"dates alone", Query{After: searchDate(9990)},
			func(i int) bool { return i >= 9990 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, res := searchAll(t, pop, c.q, nil, SearchBounds{Messages: searchBoxSize})
			if w := want(searchBoxSize, c.keep); !slices.Equal(got, w) {
				t.Errorf("found %d messages %v..., want %d %v...", len(got), head(got), len(w), head(w))
			}
			if res.Scanned != searchBoxSize || res.Next != nil || res.Count != searchBoxSize {
				t.Errorf("scanned %d of %d, next %v; want all %d and no next", res.Scanned, res.Count, res.Next, searchBoxSize)
			}
		})
	}
}

func head(s []int) []int { return s[:min(len(s), 5)] }

// TestSearchCursor scans in bounded steps, going on from each step's
// Next, while another client deletes messages between the steps: newer
// ones (already found) and older ones (they are not found, and the
// cursor's message moves down, found again by its UIDL). Without UIDL the
// cursor is a header fingerprint at a number, which the move breaks: the
// search says so.
func TestSearchCursor(t *testing.T) {
	modes(t, func(t *testing.T, noUIDL bool) {
		srv, pop := startSearchBox(t, noUIDL)
		q := Query{Words: []string{"invoice"}, Field: SearchSubject}
		b := SearchBounds{Messages: 3000}
		got, res, err := searchStep(t, pop, q, nil, b)
		if err != nil {
			t.Fatal(err)
		}
		if res.Scanned != 3000 || res.Next == nil || res.Next.Num != searchBoxSize-2999 {
			t.Fatalf("first step: scanned %d, next %v; want 3000 and message %d", res.Scanned, res.Next, searchBoxSize-2999)
		}
		box := srv.Mailbox("ann")
		uids := box.UIDs()
		deleted := map[int]bool{}
		for _, i := range []int{9999, 9003, 5000, 4994} { // two above the cursor, two below
			if !box.Delete(uids[i-1]) {
				t.Fatalf("could not delete message %d", i)
			}
			deleted[i] = true
		}
		steps := 1
		for res.Next != nil {
			after := *res.Next
			var more []int
			more, res, err = searchStep(t, pop, q, &after, b)
			if noUIDL {
				if !errors.Is(err, ErrInboxChanged) {
					t.Fatalf("without UIDL, going on after a move: got %v, want ErrInboxChanged", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if steps == 1 && !res.Moved {
				t.Error("the cursor's message moved, but Moved is false")
			}
			got = append(got, more...)
			steps++
		}
		w := want(searchBoxSize, func(i int) bool {
			// deleted after the first step scanned it, it was found then
			gone := deleted[i] && i < searchBoxSize-2999
			return !gone && strings.Contains(strings.ToLower(searchSubjects[i%11]), "invoice")
		})
		if !slices.Equal(got, w) {
			t.Errorf("found %d messages %v..., want %d %v...", len(got), head(got), len(w), head(w))
		}
		if steps != 4 {
			t.Errorf("took %d steps of 3000, want 4", steps)
		}
	})
}

// TestSearchCursorGone: when the message a search was to go on from is
// deleted, going on is a sync error, not a search from somewhere else.
func TestSearchCursorGone(t *testing.T) {
	srv, pop := startSearchBox(t, false)
	q := Query{Words: []string{"party"}}
	_, res, err := searchStep(t, pop, q, nil, SearchBounds{Messages: 100})
	if err != nil || res.Next == nil {
		t.Fatalf("first step: next %v, err %v", res.Next, err)
	}
	box := srv.Mailbox("ann")
	if !box.Delete(box.UIDs()[res.Next.Num-1]) {
		t.Fatal("could not delete the cursor's message")
	}
	_, _, err = searchStep(t, pop, q, res.Next, SearchBounds{Messages: 100})
	var se *SyncError
	if !errors.As(err, &se) || !errors.Is(err, ErrMessageGone) {
		t.Fatalf("got %v, want a SyncError with ErrMessageGone", err)
	}
}

// searchStep runs one Search from after and returns the generator's
// numbers of the messages found (from their Message-ID), newest first.
func searchStep(t *testing.T, pop *POP, q Query, after *Ref, b SearchBounds) ([]int, *SearchResult, error) {
	t.Helper()
	ctx := context.Background()
	s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int
	res, err := s.Search(ctx, q, after, b, func(m Summary) error {
		var i int
		if _, err := fmt.Sscanf(m.Envelope.MessageID, "<s%d@example.test>", &i); err != nil {
			t.Errorf("message %d: Message-ID %q", m.Ref.Num, m.Envelope.MessageID)
		}
		got = append(got, i)
		return nil
	})
	if res == nil {
		res = &SearchResult{}
	}
	return got, res, err
}

// TestSearchStreams checks that the first match is given while the scan
// has most of the mailbox still to read: counted by the TOP commands that
// reached the server when it is given.
func TestSearchStreams(t *testing.T) {
	_, pop := startSearchBox(t, false)
	var tops atomic.Int64
	pop.Server.Addr = countingProxy(t, pop.Server.Addr, []byte("TOP "), &tops)
	ctx := context.Background()
	s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var atFirst int64 = -1
	res, err := s.Search(ctx, Query{Words: []string{"muller"}, Field: SearchFrom}, nil, SearchBounds{Messages: searchBoxSize},
		func(Summary) error {
			if atFirst < 0 {
				atFirst = tops.Load()
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if res.Found == 0 || atFirst < 1 || atFirst > 2*searchWindow {
		t.Errorf("first match given after %d TOP commands (found %d), want 1..%d", atFirst, res.Found, 2*searchWindow)
	}
	if n := tops.Load(); n != searchBoxSize {
		t.Errorf("the whole scan sent %d TOP commands, want %d", n, searchBoxSize)
	}
}

// countingProxy forwards a TCP connection to addr, counting what the
// client sends that begins a line with prefix.
func countingProxy(t *testing.T, addr string, prefix []byte, n *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				return
			}
			go func() { io.Copy(c, up); c.Close() }()
			go func() {
				defer up.Close()
				buf := make([]byte, 32<<10)
				var partial []byte
				for {
					k, err := c.Read(buf)
					if k > 0 {
						data := append(partial, buf[:k]...)
						lines := bytes.Split(data, []byte("\n"))
						partial = append([]byte(nil), lines[len(lines)-1]...)
						for _, l := range lines[:len(lines)-1] {
							if bytes.HasPrefix(l, prefix) {
								n.Add(1)
							}
						}
						if _, werr := up.Write(buf[:k]); werr != nil {
							return
						}
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestSearchHeapBounded scans the whole mailbox with a query every
// message matches: the live heap, measured after a collection every 500
// matches, grows by far less than the headers read (15 MB), so no list
// of them is kept.
func TestSearchHeapBounded(t *testing.T) {
	_, pop := startSearchBox(t, false)
	ctx := context.Background()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := pop.Dial(ctx, Credentials{"ann", "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var peak uint64
	res, err := s.Search(ctx, Query{Words: []string{"example"}}, nil, SearchBounds{Messages: searchBoxSize}, func(m Summary) error {
		if m.Ref.Num%500 == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Found != searchBoxSize {
		t.Fatalf("found %d, want every one of %d", res.Found, searchBoxSize)
	}
	const limit = 4 << 20
	if grew := int64(peak) - int64(before.HeapAlloc); grew > limit {
		t.Errorf("live heap grew by %d bytes during the scan, want <= %d", grew, limit)
	}
}

// TestSearchBounds: a search stops after its bound in messages, or, once
// a window is read, when its clock passes Until; Next then names the
// oldest message scanned.
func TestSearchBounds(t *testing.T) {
	_, pop := startSearchBox(t, false)
	_, res, err := searchStep(t, pop, Query{}, nil, SearchBounds{Messages: 100})
	if err != nil || res.Scanned != 100 || res.Next == nil || res.Next.Num != searchBoxSize-99 {
		t.Fatalf("bound of 100: scanned %d, next %v, err %v", res.Scanned, res.Next, err)
	}
	// a clock past Until after the first window
	calls := 0
	clock := func() time.Time { calls++; return searchBase.Add(time.Duration(calls) * time.Minute) }
	_, res, err = searchStep(t, pop, Query{}, nil, SearchBounds{Until: searchBase.Add(90 * time.Second), Now: clock})
	if err != nil || res.Scanned != 2*searchWindow || res.Next == nil || res.Next.Num != searchBoxSize-2*searchWindow+1 {
		t.Fatalf("time bound: scanned %d, next %v, err %v; want %d", res.Scanned, res.Next, err, 2*searchWindow)
	}
}
