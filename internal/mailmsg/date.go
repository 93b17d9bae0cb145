package mailmsg

import (
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"
)

// dateLayouts are the forms of a Date field seen in real mail that
// net/mail does not read, tried after blanks are collapsed and comments
// removed.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 MST",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon, Jan 2 2006 15:04:05 -0700",
	"Monday, January 2, 2006 15:04:05 -0700",
	"Monday, 2 January 2006 15:04:05 -0700",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"02.01.2006 15:04:05",
	"1/2/2006 15:04:05",
}

// commentRE matches a parenthesized comment.
var commentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\([^()]*\)`) })

// ParseDate reads a Date field in RFC 5322 form and in the looser forms
// seen in real mail (asctime, ISO 8601, a missing day name, a zone name
// after the offset); ok is false when it cannot.
func ParseDate(s string) (t time.Time, ok bool) {
	// Most mail says it the one way RFC 5322 recommends; net/mail tries
	// its layouts in turn, building an error for each that fails, which
	// was a tenth of a list page's time.
	if t, err := time.Parse(time.RFC1123Z, s); err == nil {
		return t, true
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	s = strings.Join(strings.Fields(commentRE().ReplaceAllString(s, " ")), " ")
	s = strings.TrimSuffix(strings.TrimSpace(s), ",")
	if t, err := mail.ParseDate(s); err == nil {
		return t, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
