package web

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gomailcgi/internal/testing/floorpop"
)

// largeRounds is how often each large-message case runs; the median counts.
const largeRounds = 3

// largeRow is one way of reading the large message: the median time, and
// the bytes it took from POP.
type largeRow struct {
	name  string
	times []time.Duration
	bytes int64 // of the message, which each case reads from POP
}

// mbps is the rate at which the case read the message from POP.
func (r largeRow) mbps() float64 {
	d := pct(r.times, .5)
	if d <= 0 {
		return 0
	}
	return float64(r.bytes) / (1 << 20) / d.Seconds()
}

// largePhase reads the 100 MB message of TestRealLargeMessage (a short
// text and a 75 MB attachment) as RETR does, as the view does, and as the
// attachment's download does.
func (p *perfSite) largePhase() []largeRow {
	t := p.t
	t.Helper()
	file := filepath.Join(t.TempDir(), "large.eml")
	writeLargeMessage(t, file)
	b := p.mailbox("webperf-large", 0)
	p.env.Put(t, b.user, file)
	list := p.h.page(b.listPath, http.StatusOK)
	view := list.viewLink("Holiday photos, all of them")
	part := p.h.page(view, http.StatusOK).link("photos.tar")
	retr := largeRow{name: "raw RETR (floor)"}
	ours := largeRow{name: "view page"}
	down := largeRow{name: "attachment download"}
	p.profile("large", true, func() { p.largeRounds(b, view, part, &retr, &ours, &down) })
	ours.bytes, down.bytes = retr.bytes, retr.bytes
	for _, r := range []*largeRow{&retr, &ours, &down} {
		slices.Sort(r.times)
	}
	return []largeRow{retr, ours, down}
}

// largeRounds times the large message's RETR, view and download, in turns.
func (p *perfSite) largeRounds(b *perfMailbox, view, part string, retr, ours, down *largeRow) {
	t := p.t
	for range largeRounds {
		d, err := timed(func() error {
			n, err := floorpop.Retr(p.env.POP3, b.user, realPass, 1)
			retr.bytes = n
			return err
		})
		if err != nil {
			t.Fatalf("floor RETR: %v", err)
		}
		retr.times = append(retr.times, d)
		d, err = timed(func() error {
			body, err := p.get(view)
			if err == nil && !strings.Contains(string(body), "the photos are attached") {
				err = fmt.Errorf("the view does not show the text")
			}
			return err
		})
		if err != nil {
			t.Fatalf("view: %v", err)
		}
		ours.times = append(ours.times, d)
		d, err = timed(func() error {
			n, err := p.count(part)
			if err != nil {
				return err
			}
			if n != largeAttachment {
				return fmt.Errorf("download: %d bytes, want %d", n, largeAttachment)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		down.times = append(down.times, d)
	}
}

// largeTable is the large message's section of the report; rows after
// the first, raw RETR, have the target.
func largeTable(rows []largeRow) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "large message: %d MB, a 75 MB attachment\tMB/s ratio\ttarget\t\tMB/s\tmedian\trounds\t\n", rows[0].bytes>>20)
	for i, r := range rows {
		got := r.mbps() / rows[0].mbps()
		tgt, met := "-", "-"
		if i > 0 {
			tgt, met = fmt.Sprintf(">= %g", targetLargeRatio), verdict(got >= targetLargeRatio)
		}
		fmt.Fprintf(w, "%s\t%.2f\t%s\t%s\t%.1f\t%s\t%d\t\n", r.name, got, tgt, met, r.mbps(), ms(pct(r.times, .5)), len(r.times))
	}
	w.Flush()
	return b.String()
}

// count streams a site path to its end and returns the length of the body,
// doing no more with it than the floor does with RETR's (the content is
// checked by TestRealLargeMessage).
func (p *perfSite) count(path string) (int64, error) {
	res, err := p.client.Get(p.h.srv.URL + path)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		path, _, _ := strings.Cut(path, "?")
		return 0, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
	}
	return io.Copy(io.Discard, res.Body)
}
