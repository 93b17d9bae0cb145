// Package locale holds the words of every page in every language the site
// offers: one catalog a language, embedded (catalogs/xx.json), English the
// source and the fallback. A message's key is its English text, a format
// string of package fmt; a translation may reorder its arguments
// (%[2]s). A message with a count has one text per CLDR plural form of the
// language, chosen by its first argument. Numbers are written in the
// language's conventions by golang.org/x/text/message, dates by layouts
// and month and day names from the catalog.
package locale

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Pseudo is the pseudo-locale: English with every text wrapped in ⟦…⟧, so
// a page shows at a glance any word that does not come from the catalog.
// It can be asked for by name (?lang=en-XA) but is never offered.
const Pseudo = "en-XA"

// Locale is one language: its words, numbers and dates.
type Locale struct {
	Code string // the code that names it in a link, "de", "pt-BR"
	Name string // its name in its own language, "Deutsch"
	RTL  bool   // written right to left
	tag  language.Tag

	// A language's catalog is read when a page first asks for it: a CGI
	// process answers one request, in one language. Its printer, which
	// x/text builds from every message, is made only when a text needs
	// formatting: most words are the catalog's text as it stands.
	en        func() messages // English, the fallback, read on first use
	load      func() messages // the language's own messages, read once; nil for English
	textsOnce sync.Once
	// texts are the language's catalog over English's, as the printer
	// falls back.
	texts messages
	once  sync.Once
	p     *message.Printer
	// digits are the language's digits 0 to 9 (Arabic's ٠ to ٩), for
	// dates, which time.Format writes in ASCII; nil for ASCII digits.
	digitsOnce sync.Once
	digits     *strings.Replacer
	// words holds T of each catalog key asked for without arguments:
	// x/text builds a catalog context for every Sprintf, and a list page
	// asks for the same few dozen words and month names again and again.
	// Only the catalog's keys are kept, so it never outgrows the catalog.
	words   sync.Map // key -> string
	layouts sync.Map // key -> []layoutPart, as words
	// sizes holds Size's texts of fewer than 1,024 bytes, kilobytes or
	// megabytes (at most 3,072), by unit and number.
	sizesMu sync.RWMutex
	sizes   map[int32]string
}

// printer is the language's printer, built on first use.
func (l *Locale) printer() *message.Printer {
	l.once.Do(l.build)
	return l.p
}

// catalog is the language's texts over English's, read on first use.
func (l *Locale) catalog() messages {
	l.textsOnce.Do(func() {
		all := l.en()
		if l.load == nil {
			l.texts = all
			return
		}
		l.texts = make(messages, len(all))
		maps.Copy(l.texts, all)
		maps.Copy(l.texts, l.load())
	})
	return l.texts
}

// build makes the language's printer from its catalog and English's. The
// tests check that every catalog builds (the catalogs are embedded, so
// they cannot change after); one that would not leaves the printer
// English.
func (l *Locale) build() {
	en := l.en().english()
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	en.addTo(b, language.English) //nolint:errcheck // checked by the tests
	if l.load != nil {
		if err := l.load().addTo(b, l.tag); err != nil {
			b = catalog.NewBuilder(catalog.Fallback(language.English))
			en.addTo(b, language.English) //nolint:errcheck // checked by the tests
		}
	}
	l.p = message.NewPrinter(l.tag, message.Catalog(b))
}

// localDigits is s, written by time.Format, in the language's digits.
// They are the digits its numbers are written in, which depend on the
// language alone, not on its catalog.
func (l *Locale) localDigits(s string) string {
	if d := l.digitReplacer(); d != nil {
		return d.Replace(s)
	}
	return s
}

// digitReplacer replaces ASCII digits with the language's; nil when they
// are ASCII.
func (l *Locale) digitReplacer() *strings.Replacer {
	l.digitsOnce.Do(func() {
		p := message.NewPrinter(l.tag)
		var pairs []string
		ascii := true
		for d := range 10 {
			ascii = ascii && p.Sprintf("%d", d) == strconv.Itoa(d)
			pairs = append(pairs, strconv.Itoa(d), p.Sprintf("%d", d))
		}
		if !ascii {
			l.digits = strings.NewReplacer(pairs...)
		}
	})
	return l.digits
}

// T is the text of key in the language, formatted with args.
func (l *Locale) T(key string, args ...any) string {
	if len(args) == 0 {
		return l.word(key)
	}
	if s, ok := l.withStrings(key, args); ok {
		return s
	}
	return l.printer().Sprintf(key, args...)
}

// withStrings is T of a catalog key whose text has one %s verb an
// argument, every argument a string: fmt writes it as the printer does
// (TestStringArgumentsAsThePrinter), without the catalog context the
// printer builds for every call. A list page has such a text a row.
func (l *Locale) withStrings(key string, args []any) (string, bool) {
	e, ok := l.catalog()[key]
	if !ok || e.forms != nil || strings.Contains(e.text, "${") || !stringVerbs(e.text, len(args)) {
		return "", false
	}
	for _, a := range args {
		if _, ok := a.(string); !ok {
			return "", false
		}
	}
	return fmt.Sprintf(e.text, args...), true
}

// stringVerbs reports a format whose verbs are n of %s or %[i]s, each i
// at most n, and %%.
func stringVerbs(format string, n int) bool {
	verbs := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		switch {
		case i < len(format) && format[i] == '%':
			continue
		case i+3 < len(format) && format[i] == '[' && format[i+1] >= '1' && int(format[i+1]-'0') <= min(n, 9) &&
			format[i+2] == ']' && format[i+3] == 's':
			i += 3
		case i < len(format) && format[i] == 's':
		default:
			return false
		}
		verbs++
	}
	return verbs == n
}

// word is T of key without arguments, kept when key is in the catalog.
func (l *Locale) word(key string) string {
	if w, ok := l.words.Load(key); ok {
		return w.(string)
	}
	// A text with no verb (%) and no catalog variable ($) is what the
	// printer would write (TestWordsKept).
	e, ok := l.catalog()[key]
	var w string
	if ok && e.forms == nil && !strings.ContainsAny(e.text, "%$") {
		w = e.text
	} else {
		w = l.printer().Sprintf(key)
	}
	if ok {
		l.words.Store(key, w)
	}
	return w
}

// Dir is the page's writing direction: "rtl" or "ltr".
func (l *Locale) Dir() string {
	if l.RTL {
		return "rtl"
	}
	return "ltr"
}

// Date writes t by layout, a time.Format layout that is itself a catalog
// key: each language gives its own order, and the month and day names
// (Jan, Mon) come from the catalog.
func (l *Locale) Date(t time.Time, layout string) string {
	parts := l.layout(layout)
	if l.digitReplacer() == nil { // ASCII digits: the date is written once, in place
		var room [64]byte
		b := room[:0]
		for _, p := range parts {
			b = t.AppendFormat(b, p.layout)
			b = append(b, l.name(t, p.name)...)
		}
		return string(b)
	}
	if len(parts) == 1 && parts[0].name == "" {
		return l.localDigits(t.Format(parts[0].layout))
	}
	var b strings.Builder
	for _, p := range parts {
		if p.layout != "" {
			b.WriteString(l.localDigits(t.Format(p.layout)))
		}
		b.WriteString(l.name(t, p.name))
	}
	return b.String()
}

// name is t's month or day name in the language, for a layout's "Jan"
// or "Mon"; "" for "".
func (l *Locale) name(t time.Time, name string) string {
	switch name {
	case "Jan":
		return l.word(monthNames[t.Month()-1])
	case "Mon":
		return l.word(dayNames[t.Weekday()])
	}
	return ""
}

// layoutPart is a stretch of a date layout for time.Format, and the month
// or day name that follows it, if any.
type layoutPart struct{ layout, name string }

// layout is the language's layout for a layout key cut at its month and
// day names, kept with the words when the key is in the catalog.
func (l *Locale) layout(key string) []layoutPart {
	if p, ok := l.layouts.Load(key); ok {
		return p.([]layoutPart)
	}
	var parts []layoutPart
	for rest := l.word(key); ; {
		i, name := nextName(rest)
		if i < 0 {
			parts = append(parts, layoutPart{layout: rest})
			break
		}
		parts = append(parts, layoutPart{layout: rest[:i], name: name})
		rest = rest[i+len(name):]
	}
	if _, ok := l.en()[key]; ok {
		l.layouts.Store(key, parts)
	}
	return parts
}

var (
	monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	dayNames   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

// nextName finds the first month or day name in a layout.
func nextName(layout string) (int, string) {
	i, name := -1, ""
	for _, n := range []string{"Jan", "Mon"} {
		if j := strings.Index(layout, n); j >= 0 && (i < 0 || j < i) {
			i, name = j, n
		}
	}
	return i, name
}

// Size is a size in bytes for people: 512 B, 4 KB, 1.2 MB (binary units,
// as mail programs count), with the language's decimal separator.
func (l *Locale) Size(n int64) string {
	const k, m = 1 << 10, 1 << 20
	switch {
	case n < 0:
		return l.printer().Sprintf("%d B", n)
	case n < k:
		return l.size(0, "%d B", n)
	case n < m:
		return l.size(1, "%d KB", (n+k/2)/k)
	case n < 10*m:
		return l.printer().Sprintf("%.1f MB", float64(n)/m)
	}
	return l.size(2, "%d MB", (n+m/2)/m)
}

// size is Size's text of v in a unit (0, 1, 2 for B, KB, MB), kept for
// the next row of the same size when v is below 1,024: a list page
// writes a size a row, and their texts are few.
func (l *Locale) size(unit int32, key string, v int64) string {
	if v >= 1<<10 {
		return l.printer().Sprintf(key, v)
	}
	i := unit<<10 | int32(v)
	l.sizesMu.RLock()
	s, ok := l.sizes[i]
	l.sizesMu.RUnlock()
	if ok {
		return s
	}
	s = l.printer().Sprintf(key, v)
	l.sizesMu.Lock()
	if l.sizes == nil {
		l.sizes = make(map[int32]string)
	}
	l.sizes[i] = s
	l.sizesMu.Unlock()
	return s
}

// Set is the languages a site offers, and its default.
type Set struct {
	offered []*Locale // English first
	byCode  map[string]*Locale
	def     *Locale
	// matcher is built when an Accept-Language header is first matched:
	// a page with a token is in the token's language.
	matcher func() language.Matcher
}

// New lists the languages there are catalogs of; each catalog, English's
// too, is read when a page first asks for its words: a CGI process
// answers one request, in one language. def names the site's default
// language (a code of Offered, or "" for English).
func New(def string) (*Set, error) {
	// English is every language's fallback. The catalogs are embedded and
	// the tests read each, so a read that fails leaves the keys, which are
	// the English texts.
	en := sync.OnceValue(func() messages {
		m, _ := readCatalog("en")
		return m
	})
	have, err := catalogCodes()
	if err != nil {
		return nil, err
	}
	s := &Set{byCode: map[string]*Locale{}}
	var tags []language.Tag
	for _, info := range languages {
		if !have[info.code] {
			continue
		}
		l := &Locale{Code: info.code, Name: info.name, RTL: info.rtl, tag: language.MustParse(info.code), en: en}
		if code := info.code; code != "en" {
			l.load = sync.OnceValue(func() messages {
				m, _ := readCatalog(code) // nil, and so English, if it cannot be read
				return m
			})
		}
		s.offered = append(s.offered, l)
		s.byCode[strings.ToLower(info.code)] = l
		tags = append(tags, l.tag)
	}
	if !have["en"] {
		return nil, errors.New("locale: no English catalog")
	}
	pseudo := &Locale{Code: Pseudo, Name: "⟦English⟧", tag: language.MustParse(Pseudo), en: en,
		load: sync.OnceValue(func() messages { return en().pseudo() })}
	s.byCode[strings.ToLower(Pseudo)] = pseudo
	s.matcher = sync.OnceValue(func() language.Matcher { return language.NewMatcher(tags) })
	s.def = s.offered[0]
	if def != "" {
		l, ok := s.Lookup(def)
		if !ok || l.Code == Pseudo {
			return nil, fmt.Errorf("locale: %q is not one of the languages offered (%s)", def, strings.Join(s.codes(), ", "))
		}
		s.def = l
	}
	return s, nil
}

func (s *Set) codes() []string {
	var codes []string
	for _, l := range s.offered {
		codes = append(codes, l.Code)
	}
	return codes
}

// Offered is every language offered, English first.
func (s *Set) Offered() []*Locale { return s.offered }

// Default is the site's default language.
func (s *Set) Default() *Locale { return s.def }

// Lookup is the language a link names by its code (any case), offered or
// the pseudo-locale.
func (s *Set) Lookup(code string) (*Locale, bool) {
	l, ok := s.byCode[strings.ToLower(code)]
	return l, ok
}

// Match is the offered language closest to an Accept-Language header:
// de-AT gets German, zh-TW the closest Chinese; a header that names none
// of them, or none at all, gets the site's default.
func (s *Set) Match(acceptLanguage string) *Locale {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return s.def
	}
	_, i, conf := s.matcher().Match(tags...)
	if conf == language.No {
		return s.def
	}
	return s.offered[i]
}
