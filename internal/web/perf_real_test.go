package web

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"gomailcgi/internal/mailtools"
	"gomailcgi/internal/testing/floorpop"
	"gomailcgi/internal/testing/mailstack"
)

var (
	perfRun      = flag.Bool("perf", false, "run TestPerf: the site against the floor POP3 client on the real Dovecot (make bench)")
	perfRounds   = flag.Int("perf.rounds", 0, "TestPerf latency rounds per case; 0 means 200 at 100 and 1,000 messages, 100 at 10,000 and for the view")
	perfLoad     = flag.Duration("perf.load", 5*time.Second, "how long each TestPerf load phase runs (per client kind and user count)")
	perfStrict   = flag.Bool("perf.strict", false, "make TestPerf fail when a target of the performance issue is missed")
	perfProfiles = flag.String("perf.profiles", "", "write a CPU profile of each TestPerf phase into this folder: list.prof, view.prof, large.prof, and load64.prof of the site's side of the 64-user load")
)

// The load phases run 1, 8 and perfMaxUsers users at once, each on a
// mailbox of perfLoadSize messages of its own, as that many people would.
const (
	perfMaxUsers = 64
	perfLoadSize = 1000
)

// TestPerf measures the site against the floor: floorpop, a raw POP3
// client that sends the same POP3 commands a page needs and does nothing
// else. Both run in this process against the run's own Dovecot, in turns,
// so that a ratio measured here compares like with like. It prints one
// table, ratios first. It fails on errors (a non-200 answer, a page
// without its rows, a floor error), and on missed targets only with
// -perf.strict. Without -perf it is skipped; with -perf and no mail stack
// it fails.
func TestPerf(t *testing.T) {
	start := time.Now()
	if !*perfRun {
		t.Skip("a measurement against the real mail stack: run with -perf (make bench)")
	}
	env, err := mailstack.Load(mailstack.Dir())
	if err != nil {
		t.Fatalf("-perf needs the real mail stack (make bench starts one of its own): %v", err)
	}
	// Plain POP3 like the floor's; no log kept, as a deployment at Info
	// level keeps next to none (the harness's Debug log in memory would be
	// most of the heap).
	h := newRealHarness(t, env, realServer(env, env.POP3, mailtools.SecurityInsecure),
		webOption(func(c *Config) { c.Logger = slog.New(slog.DiscardHandler) }))
	p := &perfSite{t: t, env: env, h: h, client: &http.Client{
		Timeout:       time.Minute,
		Transport:     &http.Transport{MaxIdleConnsPerHost: perfMaxUsers, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	t.Cleanup(p.client.CloseIdleConnections)
	var rep perfReport

	byCount := map[int]latencyRow{}
	for _, size := range []struct{ count, rounds int }{{100, 200}, {1000, 200}, {10000, 100}} {
		box := p.mailbox(fmt.Sprintf("webperf%d", size.count), size.count)
		var row latencyRow
		p.profile("list", size.count == 1000, func() {
			row = p.latency(fmt.Sprintf("list %s msgs", thousands(size.count)), p.rounds(size.rounds),
				box.floorList, box.ourList)
		})
		row.target = targetListRatio
		byCount[size.count] = row
		rep.latency = append(rep.latency, row)
	}
	rep.growth = growthRow{name: "list growth 10,000/100", small: byCount[100], large: byCount[10000]}
	t.Logf("list phase (mailboxes made, latency measured) took %v", time.Since(start).Round(time.Second))
	phase := time.Now()
	p.profile("view", true, func() { rep.latency = append(rep.latency, p.viewPhase(p.rounds(100))...) })
	t.Logf("view phase took %v", time.Since(phase).Round(time.Second))

	phase = time.Now()
	rep.large = p.largePhase()
	t.Logf("large message phase took %v", time.Since(phase).Round(time.Second))

	phase = time.Now()
	users := make([]*perfMailbox, perfMaxUsers)
	for i := range users {
		users[i] = p.mailbox(fmt.Sprintf("webperf-load%02d", i), perfLoadSize)
	}
	t.Logf("%d mailboxes of %s messages ready in %v", len(users), thousands(perfLoadSize), time.Since(phase).Round(time.Second))
	for _, n := range []int{1, 8, perfMaxUsers} {
		rep.load = append(rep.load, p.loadPhase(users[:n]))
	}
	t.Logf("TestPerf took %v", time.Since(start).Round(time.Second))

	t.Log("\n" + rep.table(*perfLoad))
	rep.check(t, *perfStrict)
}

// perfSite is the site under measurement and the client that asks it.
type perfSite struct {
	t      *testing.T
	env    mailstack.Env
	h      *harness
	client *http.Client // keep-alive, like a browser
}

// rounds is n unless -perf.rounds says otherwise.
func (p *perfSite) rounds(n int) int {
	if *perfRounds > 0 {
		return *perfRounds
	}
	return n
}

// perfMailbox is a user with a filled inbox, logged in to the site.
type perfMailbox struct {
	p        *perfSite
	user     string
	count    int
	listPath string // list page 1
}

// mailbox creates user with count generated messages, opens it once with
// the floor (Dovecot builds its index then) and logs in to the site.
func (p *perfSite) mailbox(user string, count int) *perfMailbox {
	p.t.Helper()
	p.env.LockUser(p.t, user)
	p.env.AddUser(p.t, user, realPass)
	p.env.Fill(p.t, user, count)
	b := &perfMailbox{p: p, user: user, count: count}
	if err := b.floorList(); err != nil {
		p.t.Fatalf("floor, first list of %s: %v", user, err)
	}
	tok := p.h.loginAs(user, realPass, "")
	b.listPath = "/list?t=" + url.QueryEscape(tok)
	if err := b.ourList(); err != nil {
		p.t.Fatalf("site, first list of %s: %v", user, err)
	}
	return b
}

// floorList is the floor's list page 1.
func (b *perfMailbox) floorList() error {
	return floorpop.ListPage(b.p.env.POP3, b.user, realPass, 1)
}

// ourList fetches the site's list page 1 and checks it shows its rows.
func (b *perfMailbox) ourList() error {
	body, err := b.p.get(b.listPath)
	if err != nil {
		return err
	}
	want := min(b.count, floorpop.PageSize)
	if got := bytes.Count(body, []byte(`<td class="subject">`)); got != want {
		return fmt.Errorf("list of %s shows %d rows, want %d", b.user, got, want)
	}
	return nil
}

// get fetches a site path, reads the whole answer and wants 200.
func (p *perfSite) get(path string) ([]byte, error) {
	res, err := p.client.Get(p.h.srv.URL + path)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		path, _, _ := strings.Cut(path, "?")
		return nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return body, nil
}

// timed runs f and returns how long it took.
func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}

// latency times rounds of one floor call and one of ours, each round
// starting with the other one.
func (p *perfSite) latency(name string, rounds int, floor, ours func() error) latencyRow {
	p.t.Helper()
	row := latencyRow{name: name}
	for i := range rounds {
		for k := range 2 {
			if (i+k)%2 == 0 {
				d, err := timed(floor)
				if err != nil {
					p.t.Fatalf("%s, round %d, floor: %v", name, i, err)
				}
				row.floor = append(row.floor, d)
			} else {
				d, err := timed(ours)
				if err != nil {
					p.t.Fatalf("%s, round %d, site: %v", name, i, err)
				}
				row.ours = append(row.ours, d)
			}
		}
	}
	return row.sorted()
}

// viewPhase puts a 1 MB HTML message in a mailbox and times, against
// the floor's RETR of it: the site's view page; the view page with its
// framed body, which is what a browser loads, against two RETRs (the page
// and its frame are a POP session each); and the frame's first byte
// against RETR's.
func (p *perfSite) viewPhase(rounds int) []latencyRow {
	t := p.t
	t.Helper()
	const subject = "Perf: a 1 MB HTML newsletter"
	raw := bigHTMLMessage(subject, 1<<20)
	file := filepath.Join(t.TempDir(), "big.eml")
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	b := p.mailbox("webperf-view", 100)
	p.env.Put(t, b.user, file)
	num := b.count + 1 // the newest message

	viewPath := p.h.page(b.listPath, http.StatusOK).viewLink(subject)
	frames := p.h.page(viewPath, http.StatusOK).all(func(n *html.Node) bool { return n.Data == "iframe" })
	if len(frames) != 1 {
		t.Fatalf("view of %q: %d iframes, want the framed HTML body", subject, len(frames))
	}
	framePath := attrOf(frames[0], "src")

	var firstRetr time.Duration
	floor := func() error {
		first, n, err := floorpop.RetrFirst(p.env.POP3, b.user, realPass, num)
		if err == nil && n < int64(len(raw)) {
			err = fmt.Errorf("RETR %d: %d bytes, want at least %d", num, n, len(raw))
		}
		firstRetr = first
		return err
	}
	ours := func() error {
		body, err := p.get(viewPath)
		if err == nil && !bytes.Contains(body, []byte(`<iframe class="htmlbody`)) {
			err = errors.New("the view page has no framed HTML body")
		}
		return err
	}
	var firstFrame time.Duration
	frame := func() error {
		first, body, err := p.getFirst(framePath)
		if err == nil && len(body) < len(raw)/4 {
			err = fmt.Errorf("the framed body has %d bytes", len(body))
		}
		firstFrame = first
		return err
	}
	view := latencyRow{name: "view 1 MB HTML", target: targetViewRatio}
	withFrame := latencyRow{name: "view+frame 1 MB HTML", target: targetViewFrameRatio,
		info: "what a browser loads, /view then /body, against two RETRs"}
	first := latencyRow{name: "frame first byte", target: targetFirstByte,
		info: "/body's first byte of content against RETR's first byte of the message"}
	for i := range rounds {
		var dv, df, dr1, dr2 time.Duration
		var fr1 time.Duration
		err := func() (err error) {
			steps := []func() error{
				func() (err error) { dr1, err = timed(floor); fr1 = firstRetr; return err },
				func() (err error) { dv, err = timed(ours); return err },
				func() (err error) { df, err = timed(frame); return err },
				func() (err error) { dr2, err = timed(floor); return err },
			}
			if i%2 == 1 { // the site first
				steps = []func() error{steps[1], steps[2], steps[0], steps[3]}
			}
			for _, step := range steps {
				if err = step(); err != nil {
					return err
				}
			}
			return nil
		}()
		if err != nil {
			t.Fatalf("view, round %d: %v", i, err)
		}
		view.ours = append(view.ours, dv)
		view.floor = append(view.floor, dr1)
		withFrame.ours = append(withFrame.ours, dv+df)
		withFrame.floor = append(withFrame.floor, dr1+dr2)
		first.ours = append(first.ours, firstFrame)
		first.floor = append(first.floor, fr1)
	}
	return []latencyRow{view.sorted(), withFrame.sorted(), first.sorted()}
}

// getFirst is get that also returns how long it took from the request to
// the first byte of the answer's body.
func (p *perfSite) getFirst(path string) (time.Duration, []byte, error) {
	start := time.Now()
	res, err := p.client.Get(p.h.srv.URL + path)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	br := bufio.NewReaderSize(res.Body, 64<<10)
	if _, err := br.Peek(1); err != nil {
		return 0, nil, err
	}
	first := time.Since(start)
	body, err := io.ReadAll(br)
	if err != nil {
		return first, nil, err
	}
	if res.StatusCode != http.StatusOK {
		path, _, _ := strings.Cut(path, "?")
		return first, nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return first, body, nil
}

// profile runs f, with a CPU profile of it in -perf.profiles/name.prof
// when that is set and on. The profile is of this process: the site and
// the floor's client, not Dovecot.
func (p *perfSite) profile(name string, on bool, f func()) {
	if *perfProfiles == "" || !on {
		f()
		return
	}
	file := filepath.Join(*perfProfiles, name+".prof")
	out, err := os.Create(file)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		p.t.Fatalf("-perf.profiles: %v (go test -cpuprofile may have the profiler already)", err)
	}
	f()
	pprof.StopCPUProfile()
	if err := out.Close(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("CPU profile of the %s phase: %s", name, file)
}

// loadPhase runs len(boxes) users at once, each on its own mailbox, for
// -perf.load with the site's list page, then as long with the floor's.
// The site's side of the phase at the most users is profiled as "load64".
func (p *perfSite) loadPhase(boxes []*perfMailbox) loadRow {
	row := loadRow{users: len(boxes)}
	p.profile("load64", len(boxes) == perfMaxUsers, func() {
		row.ours = runLoad(boxes, *perfLoad, (*perfMailbox).ourList)
	})
	row.floor = runLoad(boxes, *perfLoad, (*perfMailbox).floorList)
	return row
}

// runLoad has one goroutine per box call do in a loop for d, and counts.
func runLoad(boxes []*perfMailbox, d time.Duration, do func(*perfMailbox) error) loadResult {
	runtime.GC() // not the garbage of the phase before
	var done, failed atomic.Int64
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	stop := start.Add(d)
	var wg sync.WaitGroup
	var times []time.Duration
	for _, b := range boxes {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(stop) {
				took, err := timed(func() error { return do(b) })
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				done.Add(1)
				mine = append(mine, took)
			}
			mu.Lock()
			times = append(times, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(times)
	return loadResult{done: done.Load(), errors: failed.Load(), elapsed: elapsed, firstErr: firstErr, times: times}
}
