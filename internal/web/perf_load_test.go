package web

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gomailcgi/internal/devmail"
)

var loadFor = flag.Duration("load", 0, "run TestLoad for this long (make bench runs it for 60s)")

// TestLoad is the bounded load test of make bench: loadConns clients on
// loopback list, view and download for -load, against the site and its
// demo mail servers in this process. It wants zero 5xx answers, and heap
// and goroutines back where they were once the load stops. Without -load
// it is skipped.
func TestLoad(t *testing.T) {
	if *loadFor <= 0 {
		t.Skip("a load test: run with -load 60s (make bench)")
	}
	const loadConns, users = 64, 16
	h := newHarness(t, mailOption(func(c *devmail.Config) {
		for i := range users {
			c.Users[fmt.Sprintf("load%02d", i)] = "load-pw"
		}
	}), webOption(func(c *Config) {
		// The harness keeps its log in memory; here it would be the heap.
		c.Logger = slog.New(slog.DiscardHandler)
	}))
	files, _ := filepath.Glob("../../testdata/*.eml")
	var tokens []string
	var views [][]string // per user: view links
	for i := range users {
		u := fmt.Sprintf("load%02d", i)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			h.mail.Mailbox(u).Add(raw)
		}
		tok := h.loginAs(u, "load-pw", "")
		list, _ := h.list(tok, 1)
		var links []string
		for _, s := range list.subjects() {
			links = append(links, list.viewLink(s))
		}
		tokens = append(tokens, tok)
		views = append(views, links)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadConns}}
	get := func(path string) (int, error) {
		res, err := client.Get(h.srv.URL + path)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, err
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()

	var requests, errs, server5xx atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	var peakHeap uint64
	stop := time.Now().Add(*loadFor)
	var wg sync.WaitGroup
	for c := range loadConns {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			var mine []time.Duration
			for time.Now().Before(stop) {
				u := rng.IntN(users)
				path := "/list?t=" + tokens[u]
				if rng.IntN(2) == 0 {
					path = views[u][rng.IntN(len(views[u]))]
				}
				start := time.Now()
				status, err := get(path)
				mine = append(mine, time.Since(start))
				requests.Add(1)
				switch {
				case err != nil:
					errs.Add(1)
				case status >= 500:
					server5xx.Add(1)
				}
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		})
	}
	sampler := time.NewTicker(time.Second)
	go func() {
		for range sampler.C {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			peakHeap = max(peakHeap, m.HeapAlloc)
			mu.Unlock()
		}
	}()
	wg.Wait()
	sampler.Stop()
	client.CloseIdleConnections()
	h.client.CloseIdleConnections()

	time.Sleep(time.Second) // let the server's connections wind down
	runtime.GC()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	goroutinesAfter := goroutinesBefore
	for range 100 {
		if goroutinesAfter = runtime.NumGoroutine(); goroutinesAfter <= goroutinesBefore+2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(float64(len(latencies)-1)*p)] }
	n := requests.Load()
	t.Logf("%d requests in %v by %d clients: %.0f/s; latency p50 %v, p99 %v; errors %d, 5xx %d",
		n, *loadFor, loadConns, float64(n)/loadFor.Seconds(), pct(0.5), pct(0.99), errs.Load(), server5xx.Load())
	t.Logf("live heap: %.1f MB before, %.1f MB peak, %.1f MB after; goroutines %d before, %d after",
		mb(before.HeapAlloc), mb(peakHeap), mb(after.HeapAlloc), goroutinesBefore, goroutinesAfter)
	if server5xx.Load() != 0 || errs.Load() != 0 {
		t.Errorf("%d 5xx answers and %d failed requests, want none", server5xx.Load(), errs.Load())
	}
	if goroutinesAfter > goroutinesBefore+2 {
		t.Errorf("goroutines: %d before, %d after the load", goroutinesBefore, goroutinesAfter)
	}
	if after.HeapAlloc > before.HeapAlloc+8<<20 {
		t.Errorf("live heap: %.1f MB before, %.1f MB after the load", mb(before.HeapAlloc), mb(after.HeapAlloc))
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
