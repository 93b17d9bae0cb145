package locale

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message/catalog"
)

// languages is every language there may be a catalog of, in the order
// the login page lists them: English first. Only those with a catalog in
// catalogs/ are offered, and a catalog is there only when it is complete
// (TestCatalogsComplete).
var languages = []struct {
	code, name string
	rtl        bool
}{
	{code: "en", name: "English"},
	{code: "de", name: "Deutsch"},
	{code: "ar", name: "العربية", rtl: true},
	{code: "ja", name: "日本語"},
	{code: "fr", name: "Français"},
	{code: "es", name: "Español"},
	{code: "ru", name: "Русский"},
	{code: "pl", name: "Polski"},
	{code: "pt-BR", name: "Português (Brasil)"},
	{code: "it", name: "Italiano"},
	{code: "nl", name: "Nederlands"},
	{code: "zh-Hans", name: "简体中文"},
}

//go:embed catalogs/*.json
var catalogFS embed.FS

// entry is one message of a catalog: a text, or for a message with a
// count, one text per plural form ("one", "few", "other", …).
type entry struct {
	text  string
	forms map[string]string
}

func (e *entry) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		return json.Unmarshal(b, &e.forms)
	}
	// A string without escapes is its bytes between the quotes: the
	// decoder has checked it is valid JSON. Most are, and decoding each
	// again would take most of the time a page waits for its catalog.
	if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		e.text = string(b[1 : len(b)-1])
		return nil
	}
	return json.Unmarshal(b, &e.text)
}

// messages is one language's catalog, by English key.
type messages map[string]entry

// catalogCodes is the code of every catalog, from its file name.
func catalogCodes() (map[string]bool, error) {
	files, err := catalogFS.ReadDir("catalogs")
	if err != nil {
		return nil, err
	}
	codes := map[string]bool{}
	for _, f := range files {
		codes[strings.TrimSuffix(f.Name(), ".json")] = true
	}
	return codes, nil
}

// readCatalog reads the catalog of the language code.
func readCatalog(code string) (messages, error) {
	b, err := catalogFS.ReadFile(path.Join("catalogs", code+".json"))
	if err != nil {
		return nil, fmt.Errorf("locale: no catalog for %s: %w", code, err)
	}
	if m, ok := scanCatalog(string(b)); ok {
		return m, nil
	}
	var m messages
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("locale: catalog %s: %w", code, err)
	}
	return m, nil
}

// pluralForms are the CLDR plural form names, as catalogs write them.
var pluralForms = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// addTo adds the catalog's messages to b as tag's.
func (m messages) addTo(b *catalog.Builder, tag language.Tag) error {
	for key, e := range m {
		if e.forms == nil {
			if err := b.SetString(tag, key, e.text); err != nil {
				return fmt.Errorf("locale: %s %q: %w", tag, key, err)
			}
			continue
		}
		var cases []any
		for _, name := range []string{"zero", "one", "two", "few", "many", "other"} {
			if t, ok := e.forms[name]; ok {
				cases = append(cases, pluralForms[name], t)
			}
		}
		if err := b.Set(tag, key, plural.Selectf(1, "", cases...)); err != nil {
			return fmt.Errorf("locale: %s %q: %w", tag, key, err)
		}
	}
	return nil
}

// english is what the English catalog adds to a printer's: its plural
// forms, and any text that differs from its key. A printer writes a key
// it has no message for as its own text, so the rest need not be built.
func (m messages) english() messages {
	e := messages{}
	for key, msg := range m {
		if msg.forms != nil || msg.text != key {
			e[key] = msg
		}
	}
	return e
}

// pseudo is the catalog with every text wrapped in ⟦…⟧.
func (m messages) pseudo() messages {
	p := messages{}
	for key, e := range m {
		if e.forms == nil {
			p[key] = entry{text: "⟦" + e.text + "⟧"}
			continue
		}
		forms := map[string]string{}
		for f, t := range e.forms {
			forms[f] = "⟦" + t + "⟧"
		}
		p[key] = entry{forms: forms}
	}
	return p
}
