package locale

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func set(t *testing.T, def string) *Set {
	t.Helper()
	s, err := New(def)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMatchAcceptLanguage: the Accept-Language header picks the closest
// offered language, and one naming none gets the site's default.
func TestMatchAcceptLanguage(t *testing.T) {
	s := set(t, "")
	offered := map[string]bool{}
	for _, l := range s.Offered() {
		offered[l.Code] = true
	}
	for _, tc := range []struct{ header, want, needs string }{
		{"", "en", ""},
		{"en-US,en;q=0.9", "en", ""},
		{"xx", "en", ""},
		{"tlh, x-klingon", "en", ""},
		{"*", "en", ""},
		{"not a header;;;q=", "en", ""},
		{"de-AT", "de", "de"},
		{"de-CH, en;q=0.5", "de", "de"},
		{"fr-CA;q=0.2, de;q=0.9", "de", "de"},
		{"ar-EG", "ar", "ar"},
		{"ja-JP", "ja", "ja"},
		{"fr-BE", "fr", "fr"},
		{"es-MX", "es", "es"},
		{"pt-PT", "pt-BR", "pt-BR"},
		{"zh-TW", "zh-Hans", "zh-Hans"},
		{"zh-CN", "zh-Hans", "zh-Hans"},
	} {
		if tc.needs != "" && !offered[tc.needs] {
			continue
		}
		if got := s.Match(tc.header).Code; got != tc.want {
			t.Errorf("Match(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

// TestDefaultLanguage: -language sets what a browser that says nothing
// gets; a browser that names an offered language still gets its own.
func TestDefaultLanguage(t *testing.T) {
	if _, err := New("tlh"); err == nil {
		t.Error("New(tlh) did not fail")
	}
	if _, err := New(Pseudo); err == nil {
		t.Error("New(en-XA) did not fail: the pseudo-locale is no site default")
	}
	offered := set(t, "").Offered()
	def := offered[len(offered)-1].Code
	if def == "en" {
		t.Skip("English is the only language")
	}
	s := set(t, def)
	if got := s.Match("").Code; got != def {
		t.Errorf("Match(\"\") with default %s = %s", def, got)
	}
	if got := s.Match("xx-YY").Code; got != def {
		t.Errorf("Match(xx-YY) with default %s = %s", def, got)
	}
	if got := s.Match("en").Code; got != "en" {
		t.Errorf("Match(en) with default %s = %s", def, got)
	}
}

// TestNumbersAndDates: sizes take the language's decimal separator, dates
// its month names and order.
func TestNumbersAndDates(t *testing.T) {
	s := set(t, "")
	d := time.Date(2026, time.March, 5, 14, 7, 0, 0, time.UTC)
	for _, tc := range []struct {
		code, size, date string
	}{
		{"en", "1.5 MB", "Thu, 5 Mar 2026 14:07 UTC"},
		{"de", "1,5 MB", "Do., 5. März 2026, 14:07 UTC"},
		{"ja", "1.5 MB", "2026年3月5日(木) 14:07 UTC"},
		{"ar", "١٫٥ م.ب", "الخميس، ٥ مارس ٢٠٢٦، ١٤:٠٧ UTC"},
	} {
		l, ok := s.Lookup(tc.code)
		if !ok {
			continue
		}
		if got := l.Size(3 << 19); got != tc.size {
			t.Errorf("%s: Size = %q, want %q", tc.code, got, tc.size)
		}
		if got := l.Date(d, "Mon, 2 Jan 2006 15:04 MST"); tc.date != "" && got != tc.date {
			t.Errorf("%s: Date = %q, want %q", tc.code, got, tc.date)
		}
	}
	ar, _ := s.Lookup("ar")
	for _, tc := range []struct {
		key  string
		n    int
		want string
	}{
		{"%d remote images were blocked.", 1, "حُظرت صورة خارجية واحدة."},
		{"%d remote images were blocked.", 2, "حُظرت صورتان خارجيتان."},
		{"%d remote images were blocked.", 3, "حُظرت ٣ صور خارجية."},
		{"%d remote images were blocked.", 11, "حُظرت ١١ صورة خارجية."},
		{"%d remote images were blocked.", 100, "حُظرت ١٠٠ صورة خارجية."},
	} {
		if got := ar.T(tc.key, tc.n); got != tc.want {
			t.Errorf("ar: T(%q, %d) = %q, want %q", tc.key, tc.n, got, tc.want)
		}
	}
	if got := ar.T("This message has %d recipients, and this site sends one message to at most %d. Nothing was sent.", 2, 100); !strings.Contains(got, "مستلمان") || !strings.Contains(got, "١٠٠") || strings.Contains(got, "%!") {
		t.Errorf("ar: a plural form without its count: %q", got)
	}
	p, _ := s.Lookup(Pseudo)
	if got := p.T("Inbox"); got != "⟦Inbox⟧" {
		t.Errorf("pseudo-locale: %q", got)
	}
	if got := p.Date(d, "Mon, 2 Jan 2006 15:04 MST"); !strings.HasPrefix(got, "⟦") || !strings.HasSuffix(got, "⟧") {
		t.Errorf("pseudo-locale date: %q", got)
	}
}

// TestFirstUseAtOnce: pages of one language asked for at the same time
// build its catalog once and all get its words (go test -race).
func TestFirstUseAtOnce(t *testing.T) {
	s := set(t, "")
	var wg sync.WaitGroup
	got := make([]string, 16)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, code := range []string{"de", "ar", "ja"} {
				l, _ := s.Lookup(code)
				got[i] += l.T("Inbox") + l.Date(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), "Jan\u00a02") + "|"
			}
		}()
	}
	wg.Wait()
	for i := range got {
		if got[i] != "Posteingang5.\u00a0März|البريد الوارد٥\u00a0مارس|受信トレイ3月5日|" {
			t.Errorf("goroutine %d: %q", i, got[i])
		}
	}
}

// TestWordsKept: a catalog key asked for without arguments is formatted
// once and kept, in every language, and T gives what the language's
// printer gives; a text outside the catalog is formatted but not kept,
// so what is kept never outgrows the catalog.
func TestWordsKept(t *testing.T) {
	s := set(t, "")
	langs := append(s.Offered(), func() *Locale { p, _ := s.Lookup(Pseudo); return p }())
	for _, l := range langs {
		for key := range l.en() {
			for range 2 {
				if got, want := l.T(key), l.printer().Sprintf(key); got != want {
					t.Fatalf("%s: T(%q) = %q, want %q", l.Code, key, got, want)
				}
			}
		}
		outside := "Re: not a key of the catalog, " + l.Code
		if got := l.T(outside); got != outside {
			t.Errorf("%s: T(%q) = %q", l.Code, outside, got)
		}
		if _, kept := l.words.Load(outside); kept {
			t.Errorf("%s: %q was kept", l.Code, outside)
		}
		if n := testing.AllocsPerRun(100, func() { l.T("Inbox") }); n != 0 {
			t.Errorf("%s: T(\"Inbox\") allocates %v times, want 0", l.Code, n)
		}
	}
}

// TestWordsWithoutPrinter: a page of words only, as the login page is,
// reads its catalog but does not build x/text's printer of every
// message, in any language; a date still has the language's digits.
func TestWordsWithoutPrinter(t *testing.T) {
	s := set(t, "")
	for _, l := range s.Offered() {
		for _, key := range []string{"Log in", "Inbox", "From", "Jan"} {
			if got := l.T(key); got == "" || got != l.catalog()[key].text {
				t.Errorf("%s: T(%q) = %q, want the catalog's %q", l.Code, key, got, l.catalog()[key].text)
			}
		}
		d := l.Date(time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC), "Mon, 2 Jan 2006 15:04 MST")
		if l.p != nil {
			t.Errorf("%s: the printer was built for words and a date", l.Code)
		}
		if want := dateByPrinter(l, time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC), "Mon, 2 Jan 2006 15:04 MST"); d != want {
			t.Errorf("%s: date %q, want the printer's %q", l.Code, d, want)
		}
	}
}

// TestDateWork: a date in a language of ASCII digits is written in one
// buffer from the kept layout and month and day names: a list page
// writes two dates a row.
func TestDateWork(t *testing.T) {
	s := set(t, "")
	d := time.Date(2026, time.March, 5, 14, 7, 0, 0, time.UTC)
	for _, tc := range []struct {
		code, layout string
		allocs       float64
	}{
		{"en", "15:04", 1},
		{"en", "Jan\u00a02", 1},
		{"en", "Mon, 2 Jan 2006 15:04 MST", 1},
		{"de", "Mon, 2 Jan 2006 15:04 MST", 1},
	} {
		l, ok := s.Lookup(tc.code)
		if !ok {
			continue
		}
		l.Date(d, tc.layout)
		if n := testing.AllocsPerRun(100, func() { l.Date(d, tc.layout) }); n > tc.allocs {
			t.Errorf("%s: Date(%q) allocates %v times, want at most %v", tc.code, tc.layout, n, tc.allocs)
		}
	}
}

// TestStringArgumentsAsThePrinter: every text T writes with fmt, a catalog
// text of string arguments in any language, is what the language's
// printer writes; and a count, a number or a key outside the catalog
// still goes to the printer.
func TestStringArgumentsAsThePrinter(t *testing.T) {
	s := set(t, "")
	p, _ := s.Lookup(Pseudo)
	fast := 0
	for _, l := range append(s.Offered(), p) {
		for key := range l.catalog() {
			for n := 1; n <= 4; n++ {
				args := []any{"Ann %d <a@b>", "Betreff: ü & 日本", "ب", "%s"}[:n]
				got, ok := l.withStrings(key, args)
				if !ok {
					continue
				}
				fast++
				if want := l.printer().Sprintf(key, args...); got != want || l.T(key, args...) != want {
					t.Errorf("%s: T(%q, %q) = %q, want %q", l.Code, key, args, got, want)
				}
			}
		}
		for _, args := range [][]any{{3}, {"a", 2}, {int64(5)}} {
			if _, ok := l.withStrings("Page %d of %d", args); ok {
				t.Errorf("%s: %v written with fmt", l.Code, args)
			}
		}
		if _, ok := l.withStrings("not a key: %s", []any{"x"}); ok {
			t.Errorf("%s: a key outside the catalog written with fmt", l.Code)
		}
	}
	if fast == 0 {
		t.Error("no text of the catalog was written with fmt")
	}
	en, _ := s.Lookup("en")
	key := "Select the message from %s: %s"
	if n := testing.AllocsPerRun(100, func() { en.T(key, "Ann", "Hello") }); n > 2 {
		t.Errorf("T(%q) allocates %v times, want at most 2", key, n)
	}
}

// TestSizesKept: a size below 1,024 of its unit is written once and kept,
// and every size is what the printer writes.
func TestSizesKept(t *testing.T) {
	s := set(t, "")
	for _, code := range []string{"en", "de", "ar"} {
		l, ok := s.Lookup(code)
		if !ok {
			continue
		}
		for _, tc := range []struct {
			n   int64
			key string
			arg any
		}{
			{-1, "%d B", int64(-1)}, {0, "%d B", int64(0)}, {1023, "%d B", int64(1023)}, {1024, "%d KB", int64(1)},
			{1 << 19, "%d KB", int64(512)}, {(1 << 20) - 1, "%d KB", int64(1024)}, {3 << 19, "%.1f MB", 1.5},
			{50 << 20, "%d MB", int64(50)}, {5000 << 20, "%d MB", int64(5000)},
		} {
			want := l.printer().Sprintf(tc.key, tc.arg)
			for range 2 {
				if got := l.Size(tc.n); got != want {
					t.Errorf("%s: Size(%d) = %q, want %q", code, tc.n, got, want)
				}
			}
		}
		if n := testing.AllocsPerRun(100, func() { l.Size(4 << 10) }); n != 0 {
			t.Errorf("%s: Size(4 KB) allocates %v times, want none", code, n)
		}
	}
}

// TestDateAsThePrinter: Date, from its kept layouts and names, writes
// what the printer's layout, names and digits write, in every language.
func TestDateAsThePrinter(t *testing.T) {
	s := set(t, "")
	p, _ := s.Lookup(Pseudo)
	layouts := []string{"15:04", "Jan\u00a02", "2006-01-02", "Mon, 2 Jan 2006 15:04 MST", "Mon, 2 Jan 2006 at 15:04"}
	dates := []time.Time{time.Date(2026, time.March, 5, 14, 7, 0, 0, time.UTC), time.Date(2025, time.December, 28, 0, 59, 0, 0, time.FixedZone("X", 3600))}
	for _, l := range append(s.Offered(), p) {
		for _, layout := range layouts {
			for _, d := range dates {
				if got, want := l.Date(d, layout), dateByPrinter(l, d, layout); got != want {
					t.Errorf("%s: Date(%v, %q) = %q, want %q", l.Code, d, layout, got, want)
				}
			}
		}
	}
}

// dateByPrinter is Date written by the printer alone, every time.
func dateByPrinter(l *Locale, d time.Time, layout string) string {
	digits := func(s string) string {
		for i := range 10 {
			s = strings.ReplaceAll(s, string(rune('0'+i)), l.printer().Sprintf("%d", i))
		}
		return s
	}
	layout = l.printer().Sprintf(layout)
	var b strings.Builder
	for layout != "" {
		i, name := nextName(layout)
		if i < 0 {
			b.WriteString(digits(d.Format(layout)))
			break
		}
		b.WriteString(digits(d.Format(layout[:i])))
		if name == "Jan" {
			b.WriteString(l.printer().Sprintf(monthNames[d.Month()-1]))
		} else {
			b.WriteString(l.printer().Sprintf(dayNames[d.Weekday()]))
		}
		layout = layout[i+len(name):]
	}
	return b.String()
}
