package web

import (
	"fmt"
	"gomailcgi/internal/mailmsg"
	"strings"
	"time"
)

// subjectOrNone shows an empty subject as such.
func subjectOrNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no subject)"
	}
	return s
}

// unknownDate stands for a Date field that is missing or unreadable.
const unknownDate = "unknown date"

// shortDate is a date for the list: the time today, the day this year,
// else the full date.
func shortDate(d, now time.Time) string {
	if d.IsZero() {
		return unknownDate
	}
	local := d.In(now.Location())
	switch {
	case sameDay(local, now):
		return local.Format("15:04")
	case local.Year() == now.Year():
		return local.Format("Jan\u00a02") // no break inside the date
	}
	return local.Format("2006-01-02")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// longDate is a date in full, in the sender's own time zone, or "".
func longDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format("Mon, 2 Jan 2006 15:04 -0700")
}

// fullDate is a message's date in full; a date that cannot be read is
// said to be unknown, with the text as written.
func fullDate(env mailmsg.Envelope) string {
	switch {
	case !env.Date.IsZero():
		return longDate(env.Date)
	case env.DateRaw != "":
		return unknownDate + " (" + env.DateRaw + ")"
	}
	return unknownDate
}

// humanSize is a size in bytes for people: 512 B, 4 KB, 1.2 MB (binary
// units, as mail programs count).
func humanSize(n int64) string {
	const k, m = 1 << 10, 1 << 20
	switch {
	case n < k:
		return fmt.Sprintf("%d B", n)
	case n < m:
		return fmt.Sprintf("%d KB", (n+k/2)/k)
	case n < 10*m:
		return fmt.Sprintf("%.1f MB", float64(n)/m)
	}
	return fmt.Sprintf("%d MB", (n+m/2)/m)
}
