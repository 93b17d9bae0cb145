package locale

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// texts is every text of the entry.
func (e entry) texts() []string {
	if e.forms == nil {
		return []string{e.text}
	}
	var ts []string
	for _, t := range e.forms {
		ts = append(ts, t)
	}
	return ts
}

// catalogs reads every catalog, by code, and checks each builds.
func catalogs(t *testing.T) map[string]messages {
	t.Helper()
	codes, err := catalogCodes()
	if err != nil {
		t.Fatal(err)
	}
	cats := map[string]messages{}
	for code := range codes {
		m, err := readCatalog(code)
		if err != nil {
			t.Fatal(err)
		}
		if err := m.addTo(catalog.NewBuilder(), language.MustParse(code)); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		cats[code] = m
	}
	if cats["en"] == nil {
		t.Fatal("no English catalog")
	}
	return cats
}

// TestCatalogsComplete: every language has every English key and no
// other, each catalog is one of the languages, and every language is
// there.
func TestCatalogsComplete(t *testing.T) {
	cats := catalogs(t)
	en := cats["en"]
	known := map[string]bool{}
	for _, l := range languages {
		known[l.code] = true
	}
	for code, m := range cats {
		if !known[code] {
			t.Errorf("catalogs/%s.json is not a language of the list", code)
		}
		for key := range en {
			if _, ok := m[key]; !ok {
				t.Errorf("%s: no text for %q", code, key)
			}
		}
		for key, e := range m {
			if _, ok := en[key]; !ok {
				t.Errorf("%s: %q is not an English key", code, key)
			}
			for _, text := range e.texts() {
				if strings.TrimSpace(text) == "" {
					t.Errorf("%s: %q has an empty text", code, key)
				}
			}
		}
	}
}

// verbs is the fmt verb of each argument a text formats, by its index
// (from 1), as fmt counts them: %[n] sets the index.
func verbs(s string) map[int]string {
	v := map[int]string{}
	arg := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i < len(s) && s[i] == '%' {
			continue
		}
		for i < len(s) && strings.IndexByte("+-# 0.123456789", s[i]) >= 0 {
			i++
		}
		if i < len(s) && s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil
			}
			n, err := strconv.Atoi(s[i+1 : i+end])
			if err != nil {
				return nil
			}
			arg = n
			i += end + 1
			for i < len(s) && strings.IndexByte(".0123456789", s[i]) >= 0 {
				i++
			}
		}
		if i < len(s) {
			v[arg] = string(s[i])
			arg++
		}
	}
	return v
}

// TestPlaceholdersMatch: a translation formats the arguments English
// does, each with the same verb; a plural form may leave out the count
// (Arabic's "رسالتان", two messages).
func TestPlaceholdersMatch(t *testing.T) {
	cats := catalogs(t)
	en := cats["en"]
	for key, e := range en {
		want := verbs(key)
		for _, text := range e.texts() {
			if got := verbs(text); !maps.Equal(got, want) {
				t.Errorf("en: %q formats %v, its key %v", text, got, want)
			}
		}
	}
	for code, m := range cats {
		for key, e := range m {
			want := verbs(key)
			for _, text := range e.texts() {
				got := verbs(text)
				if e.forms != nil && got[1] == "" {
					got[1] = want[1]
				}
				if !maps.Equal(got, want) {
					t.Errorf("%s: %q formats %v, English %v", code, text, got, want)
				}
			}
		}
	}
}

// formsOf is the CLDR plural forms a language's integer counts take, and
// other.
func formsOf(tag language.Tag) []string {
	names := map[plural.Form]string{}
	for n, f := range pluralForms {
		names[f] = n
	}
	seen := map[string]bool{"other": true} // CLDR's every language has it (Russian's for fractions)
	for _, n := range append(rangeTo(1000), 1000000, 2000000) {
		seen[names[plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)]] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

func rangeTo(n int) []int {
	s := make([]int, n+1)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestPluralFormsComplete: a message with a count has exactly the plural
// forms its language's rules name, and only messages with a count have
// forms.
func TestPluralFormsComplete(t *testing.T) {
	cats := catalogs(t)
	for code, m := range cats {
		want := formsOf(language.MustParse(code))
		for key, e := range m {
			if e.forms == nil {
				if cats["en"][key].forms != nil {
					t.Errorf("%s: %q has one text, English counts", code, key)
				}
				continue
			}
			if got := slices.Sorted(maps.Keys(e.forms)); !slices.Equal(got, want) {
				t.Errorf("%s: %q has forms %v, want %v", code, key, got, want)
			}
		}
	}
}

// TestEveryKeyUsed: every English key is written, quoted, in the
// templates or the Go code that shows pages.
func TestEveryKeyUsed(t *testing.T) {
	var sources strings.Builder
	for _, pattern := range []string{"../../templates/*.html", "../web/*.go", "../render/*.go", "../mailtools/*.go", "*.go"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			sources.Write(b)
		}
	}
	all := sources.String()
	for key := range catalogs(t)["en"] {
		if !strings.Contains(all, strconv.Quote(key)) && !strings.Contains(all, `"`+key+`"`) && !strings.Contains(all, "`"+key+"`") {
			t.Errorf("%q is not used", key)
		}
	}
}

// TestEveryUsedKeyExists: every text the templates ({{t "…"}}, and the
// explain panel's {{th "…"}}) and the Go code (.T("…"), .Date(…, "…"),
// the error table, userErrors, the problems render and mailtools name)
// ask for is an English key, so none shows untranslated.
func TestEveryUsedKeyExists(t *testing.T) {
	en := catalogs(t)["en"]
	uses := []struct {
		glob string
		re   *regexp.Regexp
	}{
		{"../../templates/*.html", regexp.MustCompile(`\{\{th? "((?:[^"\\]|\\.)*)"`)},
		{"../web/*.go", regexp.MustCompile(`\.T\(("(?:[^"\\]|\\.)*")`)},
		{"../web/*.go", regexp.MustCompile(`\.Date\([^,]+, ("(?:[^"\\]|\\.)*")\)`)},
		// the error table, userErrors and the alerts, translated where the page is made
		{"../web/*.go", regexp.MustCompile(`(?:title|msg|cause|advice|sure|unsure):\s+("(?:[^"\\]|\\.)*")`)},
		{"../web/*.go", regexp.MustCompile(`(?:badRequest|unprocessable)\(("(?:[^"\\]|\\.)*")`)},
		{"../web/*.go", regexp.MustCompile(`\bsay\w*\s+= ("(?:[^"\\]|\\.)*")`)},
		{"../web/login.go", regexp.MustCompile(`return ("[A-Z][^"]*\.")`)},
		{"../render/view.go", regexp.MustCompile(`Problem\w+\s+= ("(?:[^"\\]|\\.)*")`)},
		{"../mailtools/outgoing.go", regexp.MustCompile(`Problem: ("(?:[^"\\]|\\.)*")`)},
	}
	n := 0
	for _, u := range uses {
		files, err := filepath.Glob(u.glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range u.re.FindAllStringSubmatch(string(b), -1) {
				key := m[1]
				if strings.HasPrefix(key, `"`) {
					if key, err = strconv.Unquote(key); err != nil {
						t.Fatalf("%s: %v", f, err)
					}
				}
				n++
				if _, ok := en[key]; !ok {
					t.Errorf("%s asks for %q, which the catalog lacks", f, key)
				}
			}
		}
	}
	if n < 150 {
		t.Errorf("found only %d uses of the catalog", n)
	}
}
