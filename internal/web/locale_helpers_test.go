package web

import (
	"testing"

	"gomailcgi/internal/locale"
)

// testLocales is every language the site offers, English the default.
func testLocales(t testing.TB) *locale.Set {
	t.Helper()
	set, err := locale.New("")
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// english is the English locale, for tests of words.
func english(t testing.TB) *locale.Locale {
	t.Helper()
	return testLocales(t).Default()
}

// testPages parses every page in every language of set.
func testPages(t testing.TB, set *locale.Set) map[string]*langPages {
	t.Helper()
	pseudo, _ := set.Lookup(locale.Pseudo)
	pages := parsePages(append(set.Offered(), pseudo))
	for code, lp := range pages {
		for name := range lp.pages {
			if _, err := lp.get(name); err != nil {
				t.Fatalf("%s: %v", code, err)
			}
		}
	}
	return pages
}
