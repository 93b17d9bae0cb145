package web

import (
	"strings"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
)

// subjectOrNone shows an empty subject as such.
func subjectOrNone(l *locale.Locale, s string) string {
	if strings.TrimSpace(s) == "" {
		return l.T("(no subject)")
	}
	return s
}

// unknownDate stands for a Date field that is missing or unreadable.
const unknownDate = "unknown date"

// shortDate is a date for the list: the time today, the day this year,
// else the full date.
func shortDate(l *locale.Locale, d, now time.Time) string { // now is in the site's zone
	if d.IsZero() {
		return l.T(unknownDate)
	}
	local := d.In(now.Location())
	switch {
	case sameDay(local, now):
		return l.Date(local, "15:04")
	case local.Year() == now.Year():
		return l.Date(local, "Jan\u00a02") // no break inside the date
	}
	return l.Date(local, "2006-01-02")
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// longDate is a date in full in loc, with the zone's name, or "".
func longDate(l *locale.Locale, d time.Time, loc *time.Location) string {
	if d.IsZero() {
		return ""
	}
	return l.Date(d.In(loc), "Mon, 2 Jan 2006 15:04 MST")
}

// fullDate is a message's date in full in loc; a date that cannot be read
// is said to be unknown, with the text as written.
func fullDate(l *locale.Locale, env mailmsg.Envelope, loc *time.Location) string {
	switch {
	case !env.Date.IsZero():
		return longDate(l, env.Date, loc)
	case env.DateRaw != "":
		return l.T("unknown date (%s)", env.DateRaw)
	}
	return l.T(unknownDate)
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
