package mailtools

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"gomailcgi/internal/mailmsg"
)

// SearchField is where a search looks for its words.
type SearchField int

// The fields a search looks in.
const (
	SearchAny     SearchField = iota // From, To, Cc and Subject
	SearchFrom                       // the From field's names and addresses
	SearchTo                         // the To and Cc fields' names and addresses
	SearchSubject                    // the subject
)

// Query is what a search looks for: every word, in the field, in a
// message dated on or after After and before Before (a zero bound is no
// bound; a message without a readable date passes only when there is
// none).
type Query struct {
	Words         []string
	Field         SearchField
	After, Before time.Time
}

// matcher tells the messages a query finds, by their decoded header
// fields (mailmsg.Envelope, as every page shows them), ignoring case and
// accents. It is for one goroutine: its transformers keep state.
type matcher struct {
	q     Query
	words []string // folded, non-empty
	fold  transform.Transformer
	buf   strings.Builder
}

func newMatcher(q Query) *matcher {
	m := &matcher{q: q, fold: foldingTransformer()}
	for _, w := range q.Words {
		if f := m.folded(w); strings.TrimSpace(f) != "" {
			m.words = append(m.words, strings.TrimSpace(f))
		}
	}
	return m
}

// foldingTransformer takes accents off (NFD, then without the combining
// marks, as a reader who types "Muller" for "Müller" does) and folds case
// (cases.Fold: "ß" is "ss", "Σ" and "ς" are "σ").
func foldingTransformer() transform.Transformer {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC, cases.Fold())
}

func (m *matcher) folded(s string) string {
	if ascii(s) { // most headers: folding is lower case, and much cheaper
		return strings.ToLower(s)
	}
	out, _, err := transform.String(m.fold, s)
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// fields are the envelope fields the query reads.
func (m *matcher) fields() mailmsg.EnvelopeFields {
	var f mailmsg.EnvelopeFields
	if !m.q.After.IsZero() || !m.q.Before.IsZero() {
		f |= mailmsg.FieldDate
	}
	if len(m.words) == 0 {
		return f
	}
	switch m.q.Field {
	case SearchFrom:
		return f | mailmsg.FieldFrom
	case SearchTo:
		return f | mailmsg.FieldRecipients
	case SearchSubject:
		return f | mailmsg.FieldSubject
	}
	return f | mailmsg.FieldFrom | mailmsg.FieldRecipients | mailmsg.FieldSubject
}

// match reports whether env is one the query finds.
func (m *matcher) match(env mailmsg.Envelope) bool {
	if !m.q.After.IsZero() || !m.q.Before.IsZero() {
		if env.Date.IsZero() ||
			(!m.q.After.IsZero() && env.Date.Before(m.q.After)) ||
			(!m.q.Before.IsZero() && !env.Date.Before(m.q.Before)) {
			return false
		}
	}
	if len(m.words) == 0 {
		return true
	}
	m.buf.Reset()
	addrs := func(list []mailmsg.Address) {
		for _, a := range list {
			m.buf.WriteString(a.Name)
			m.buf.WriteByte(' ')
			m.buf.WriteString(a.Addr)
			m.buf.WriteByte('\n')
		}
	}
	switch m.q.Field {
	case SearchFrom:
		addrs(env.From)
	case SearchTo:
		addrs(env.To)
		addrs(env.Cc)
	case SearchSubject:
		m.buf.WriteString(env.Subject)
	default:
		addrs(env.From)
		addrs(env.To)
		addrs(env.Cc)
		m.buf.WriteString(env.Subject)
	}
	text := m.folded(m.buf.String())
	for _, w := range m.words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
