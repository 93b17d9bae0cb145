package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

// The targets of the performance issue, as ours/floor ratios (growth is
// ours at 10,000 messages over ours at 100).
const (
	targetListRatio = 1.2
	targetGrowth    = 2.0
	targetViewRatio = 1.2
	targetLoadRatio = 0.9 // at the most users, at least
)

// latencyRow is one case timed round by round: our times and the floor's,
// sorted.
type latencyRow struct {
	name        string
	info        string // a row without a target says what it shows
	ours, floor []time.Duration
}

func (r latencyRow) sorted() latencyRow {
	slices.Sort(r.ours)
	slices.Sort(r.floor)
	return r
}

// pct is the q-quantile of sorted times by nearest rank: with 100 rounds,
// p99 is the second slowest.
func pct(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(float64(len(ds))*q+0.999999) - 1
	return ds[min(max(i, 0), len(ds)-1)]
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// growthRow compares our list latency at the largest mailbox with that at
// the smallest.
type growthRow struct {
	name         string
	small, large latencyRow
}

// loadResult is one load phase of one kind of client.
type loadResult struct {
	done, errors int64
	elapsed      time.Duration
	firstErr     error
}

func (l loadResult) rps() float64 {
	if l.elapsed <= 0 {
		return 0
	}
	return float64(l.done) / l.elapsed.Seconds()
}

// loadRow is a load phase at one number of users, ours and the floor's.
type loadRow struct {
	users       int
	ours, floor loadResult
}

// perfReport is what TestPerf measured.
type perfReport struct {
	latency         []latencyRow // the list at each mailbox size
	growth          growthRow
	view, viewFrame latencyRow
	large           []largeRow
	load            []loadRow
}

// verdict is a target's cell: "ok", "MISSED", or "-" without one.
func verdict(met bool) string {
	if met {
		return "ok"
	}
	return "MISSED"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// table is the report: the latency cases, then the load phases, each row
// ratios first.
func (r *perfReport) table(loadFor time.Duration) string {
	var b strings.Builder
	b.WriteString("ours = the site over HTTP (keep-alive); floor = floorpop, a raw POP3 client; " +
		"both in this process, in turns, against this run's Dovecot on 127.0.0.1; ratio = ours/floor\n\n")
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "latency\tp50 ratio\tp99 ratio\ttarget\t\tours p50\tours p99\tfloor p50\tfloor p99\trounds\t")
	lat := func(row latencyRow, target float64) {
		r50 := ratio(pct(row.ours, .5), pct(row.floor, .5))
		r99 := ratio(pct(row.ours, .99), pct(row.floor, .99))
		tgt, met := "-", "-"
		if target > 0 {
			tgt, met = fmt.Sprintf("<= %.1f", target), verdict(r50 <= target && r99 <= target)
		}
		fmt.Fprintf(w, "%s\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", row.name, r50, r99, tgt, met,
			ms(pct(row.ours, .5)), ms(pct(row.ours, .99)), ms(pct(row.floor, .5)), ms(pct(row.floor, .99)),
			len(row.ours), row.info)
	}
	for _, row := range r.latency {
		lat(row, targetListRatio)
	}
	g50, g99 := r.growth.ratios()
	f50 := ratio(pct(r.growth.large.floor, .5), pct(r.growth.small.floor, .5))
	f99 := ratio(pct(r.growth.large.floor, .99), pct(r.growth.small.floor, .99))
	fmt.Fprintf(w, "%s\t%.2f\t%.2f\t<= %.1f\t%s\t\t\t(floor %.2f)\t(floor %.2f)\t\t%s\n",
		r.growth.name, g50, g99, targetGrowth, verdict(g50 <= targetGrowth && g99 <= targetGrowth), f50, f99,
		"ours at the most messages / ours at the fewest")
	lat(r.view, targetViewRatio)
	lat(r.viewFrame, 0)
	w.Flush()

	if len(r.large) > 0 {
		b.WriteString("\n" + largeTable(r.large))
	}
	b.WriteString("\n")
	w = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "load: list page, %s msgs per user\trps ratio\ttarget\t\tours rps\tours errors\tfloor rps\tfloor errors\tseconds each\t\n",
		thousands(perfLoadSize))
	for _, row := range r.load {
		rr := row.rpsRatio()
		clean := row.ours.errors == 0 && row.floor.errors == 0
		tgt, met := "0 errors", verdict(clean)
		if row.users == perfMaxUsers {
			tgt, met = fmt.Sprintf(">= %.1f, 0 errors", targetLoadRatio), verdict(rr >= targetLoadRatio && clean)
		}
		users := "users"
		if row.users == 1 {
			users = "user"
		}
		fmt.Fprintf(w, "%d %s at once\t%.2f\t%s\t%s\t%.1f\t%d\t%.1f\t%d\t%.0f\t\n", row.users, users, rr, tgt, met,
			row.ours.rps(), row.ours.errors, row.floor.rps(), row.floor.errors, loadFor.Seconds())
	}
	w.Flush()
	return b.String()
}

// rpsRatio is our requests per second over the floor's.
func (l loadRow) rpsRatio() float64 {
	if l.floor.rps() <= 0 {
		return 0
	}
	return l.ours.rps() / l.floor.rps()
}

func (g growthRow) ratios() (p50, p99 float64) {
	return ratio(pct(g.large.ours, .5), pct(g.small.ours, .5)), ratio(pct(g.large.ours, .99), pct(g.small.ours, .99))
}

// check fails the test on errors under load, and on missed targets when
// strict; otherwise it names the missed targets in the log.
func (r *perfReport) check(t *testing.T, strict bool) {
	t.Helper()
	var missed []string
	miss := func(format string, args ...any) { missed = append(missed, fmt.Sprintf(format, args...)) }
	for _, row := range append(r.latency, r.view) {
		target := targetListRatio
		if row.name == r.view.name {
			target = targetViewRatio
		}
		for _, q := range []float64{.5, .99} {
			if got := ratio(pct(row.ours, q), pct(row.floor, q)); got > target {
				miss("%s: p%.0f ratio %.2f, want <= %.1f", row.name, q*100, got, target)
			}
		}
	}
	g50, g99 := r.growth.ratios()
	if g50 > targetGrowth || g99 > targetGrowth {
		miss("%s: p50 %.2f, p99 %.2f, want <= %.1f", r.growth.name, g50, g99, targetGrowth)
	}
	for _, row := range r.load {
		for _, side := range []struct {
			who string
			res loadResult
		}{{"site", row.ours}, {"floor", row.floor}} {
			if side.res.errors != 0 {
				t.Errorf("load, %d users, %s: %d errors, want none; the first: %v",
					row.users, side.who, side.res.errors, side.res.firstErr)
			}
		}
		if row.users == perfMaxUsers {
			if got := row.rpsRatio(); got < targetLoadRatio {
				miss("load, %d users: rps ratio %.2f, want >= %.1f", row.users, got, targetLoadRatio)
			}
		}
	}
	switch {
	case len(missed) == 0:
		t.Log("every target met")
	case strict:
		for _, m := range missed {
			t.Errorf("target missed: %s", m)
		}
	default:
		t.Logf("targets missed (a failure only with -perf.strict):\n  %s", strings.Join(missed, "\n  "))
	}
}

// thousands writes n with commas, as the English pages do: 10000 is "10,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
