package web

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/record"
	"gomailcgi/internal/seal"
)

// The panel in the reader's language: its sentences come from the
// catalog like every page's, with the protocol's own lines, paths and
// names of docs/FLOW.md inside them as <code dir="ltr">, which no
// language changes. The record of the mail conversation holds no
// language (record.Said); it is put in words here.

// panelName is the panel's template set among a language's pages.
const panelName = "explain"

// panelIn is the panel's templates in l.
func (s *server) panelIn(l *locale.Locale) (*pageTemplate, error) {
	lp, ok := s.pages[l.Code]
	if !ok {
		return nil, fmt.Errorf("web: no pages in %q", l.Code)
	}
	return lp.get(panelName)
}

// panelFuncs are the panel's template functions besides a page's: th, a
// sentence of the catalog with markup in its arguments (the sentence
// escaped, its arguments placed in it), and the markup it takes.
func panelFuncs(l *locale.Locale) template.FuncMap {
	return template.FuncMap{
		"th":       func(key string, args ...any) template.HTML { return sentence(l, key, args...) },
		"code":     func(s string) template.HTML { return element(`<code dir="ltr">`, s, "</code>") },
		"codeAuto": func(s string) template.HTML { return element(`<code dir="auto">`, s, "</code>") },
		"strong":   func(s any) template.HTML { return element("<strong>", s, "</strong>") },
		// status is the HTTP status: its number, and the protocol's
		// reason phrase, English as HTTP writes it, and marked so.
		"status": func(code int, text string) template.HTML {
			return element(`<strong lang="en" dir="ltr">`, fmt.Sprint(code, " ", text), "</strong>")
		},
		"codes": func(names []string) template.HTML {
			parts := make([]string, len(names))
			for i, n := range names {
				parts[i] = string(element(`<code dir="ltr">`, n, "</code>"))
			}
			return template.HTML(strings.Join(parts, " "))
		},
	}
}

// element is s inside open and end, escaped unless it is markup already.
func element(open string, s any, end string) template.HTML {
	if h, ok := s.(template.HTML); ok {
		return template.HTML(open + string(h) + end)
	}
	return template.HTML(open + template.HTMLEscapeString(fmt.Sprint(s)) + end)
}

// sentence is the catalog's key in l with args, as HTML: the text is
// escaped, and each template.HTML argument goes in its place as it is.
// The markup is put in after the catalog formats the text, so that no
// catalog holds markup and a translation cannot add any.
func sentence(l *locale.Locale, key string, args ...any) template.HTML {
	var marks []string
	pass := make([]any, len(args))
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			// A private-use character stands for the markup; no
			// catalog text holds one, and escaping leaves it alone.
			pass[i] = string(rune(0xE000 + len(marks)))
			marks = append(marks, string(h))
			continue
		}
		pass[i] = a
	}
	out := template.HTMLEscapeString(l.T(key, pass...))
	for i, m := range marks {
		out = strings.ReplaceAll(out, string(rune(0xE000+i)), m)
	}
	return template.HTML(out)
}

// tokenProblem says why a token did not open, and what the page does.
func tokenProblem(err error, l *locale.Locale) string {
	switch {
	case errors.Is(err, seal.ErrExpired):
		return l.T("It has expired (%s): the page asks you to log in again.", sealReason(err, l))
	case errors.Is(err, seal.ErrInvalid):
		return l.T("It does not open with the server's key (%s): it was changed, cut, or sealed by another server. The page asks you to log in again.", sealReason(err, l))
	}
	return l.T("It does not open.")
}

// sealReason is the reason seal gives for a token that did not open, in
// words. Each key is written out, so the catalog test sees it used.
func sealReason(err error, l *locale.Locale) string {
	switch seal.ReasonOf(err) {
	case seal.ReasonEmpty:
		return l.T("empty")
	case seal.ReasonTooLong:
		return l.T("too long")
	case seal.ReasonBadCharacter:
		return l.T("bad character")
	case seal.ReasonBadEncoding:
		return l.T("bad encoding")
	case seal.ReasonTooShort:
		return l.T("too short")
	case seal.ReasonUnknownVersion:
		return l.T("unknown version")
	case seal.ReasonUnknownKey:
		return l.T("unknown key")
	case seal.ReasonForged:
		return l.T("authentication failed")
	case seal.ReasonMalformed:
		return l.T("malformed content")
	case seal.ReasonFuture:
		return l.T("sealed in the future")
	case seal.ReasonPastExpiry:
		return l.T("past its expiry")
	case seal.ReasonIdle:
		return l.T("idle too long")
	case seal.ReasonLoginTooOld:
		return l.T("login too old")
	}
	return l.T("no reason given")
}

// took is a reply's time: microseconds under a millisecond, else
// milliseconds with one decimal.
func took(d time.Duration, l *locale.Locale) string {
	if d < time.Millisecond {
		return l.T("%d µs", d.Microseconds())
	}
	return l.T("%.1f ms", float64(d.Microseconds())/1000)
}

// noteText puts a note of the record in words.
func noteText(said record.Said, f record.Facts, l *locale.Locale) string {
	switch said {
	case record.TLS:
		return l.T("TLS from here on: the rest of the conversation is encrypted.")
	case record.UIDLSame:
		return l.T("message %[1]d was listed with UIDL %[2]s; the server's UIDL for %[1]d is %[3]s: it is the same message.", f.Num, f.Want, f.Got)
	case record.UIDLNone:
		return l.T("message %[1]d was listed with UIDL %[2]s; the server gives no UIDL for %[1]d now: it is looked up by its UIDL.", f.Num, f.Want)
	case record.UIDLOther:
		return l.T("message %[1]d was listed with UIDL %[2]s; the server's UIDL for %[1]d is %[3]s: another message is at %[1]d now, so it is looked up by its UIDL.", f.Num, f.Want, f.Got)
	case record.UIDLPast:
		return l.T("message %[2]d was listed with UIDL %[3]s; the mailbox has %[1]d messages now: it is looked up by its UIDL.", f.Count, f.Num, f.Want)
	case record.UIDLMoved:
		return l.T("UIDL %[1]s is message %[2]d now: the same message, moved; it is used at %[2]d.", f.Want, f.At)
	case record.UIDLGone:
		return l.T("no message has UIDL %s now: it is gone, and nothing is done to another message in its place.", f.Want)
	case record.PrintPast:
		return l.T("message %[2]d was listed with header fingerprint %[3]s; the mailbox has %[1]d messages now: the inbox changed, and nothing is done.", f.Count, f.Num, f.Want)
	case record.PrintSame:
		return l.T("message %[1]d was listed with header fingerprint %[2]s; the headers at %[1]d give %[3]s: it is the same message.", f.Num, f.Want, f.Got)
	case record.PrintRefused:
		return l.T("message %[1]d was listed with header fingerprint %[2]s; the server refuses to show the headers at %[1]d: the inbox changed, and nothing is done.", f.Num, f.Want)
	case record.PrintOther:
		return l.T("message %[1]d was listed with header fingerprint %[2]s; the headers at %[1]d give %[3]s: another message, so nothing is done.", f.Num, f.Want, f.Got)
	}
	return l.T("a check of the conversation")
}

// wayKind is a way's kind in words.
func wayKind(kind string, l *locale.Locale) string {
	switch kind {
	case "link":
		return l.T("link")
	case "form":
		return l.T("form")
	case "frame":
		return l.T("frame")
	}
	return kind
}
