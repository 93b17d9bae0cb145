package web

import (
	"fmt"
	"strings"
	"time"

	"gomailcgi/internal/mailmsg"
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
func shortDate(d, now time.Time) string { // now is in the site's zone
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

// longDate is a date in full in loc, with the zone's name, or "".
func longDate(d time.Time, loc *time.Location) string {
	if d.IsZero() {
		return ""
	}
	return d.In(loc).Format("Mon, 2 Jan 2006 15:04 MST")
}

// fullDate is a message's date in full in loc; a date that cannot be read
// is said to be unknown, with the text as written.
func fullDate(env mailmsg.Envelope, loc *time.Location) string {
	switch {
	case !env.Date.IsZero():
		return longDate(env.Date, loc)
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

// zoneName names a time zone for a page: its IANA name, or for the
// process's unnamed local zone its abbreviation and offset at t.
func zoneName(loc *time.Location, t time.Time) string {
	if name := loc.String(); name != "Local" && name != "" {
		return name
	}
	abbr, _ := t.In(loc).Zone()
	return abbr + " (UTC" + t.In(loc).Format("-07:00") + ")"
}
