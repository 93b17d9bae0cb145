package locale

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// scanCatalog reads a catalog of the one shape catalogs have: a JSON
// object whose values are strings, or objects of strings for the plural
// forms. It reports false for anything else, and readCatalog then leaves
// the file to encoding/json, which decodes any JSON or says what is
// wrong. Under CGI every page is a process that reads its catalog, and
// encoding/json's reflection over the 600 messages took most of a login
// page's own work. A string without escapes is the file's own text; one
// with escapes is decoded by encoding/json. TestScanCatalogAsJSON and
// FuzzScanCatalog hold it to encoding/json.
func scanCatalog(s string) (messages, bool) {
	sc := scanner{s: s}
	m := make(messages, strings.Count(s, "\n"))
	ok := sc.object(func(key string) bool {
		if sc.peek() != '{' {
			text, ok := sc.str()
			m[key] = entry{text: text}
			return ok
		}
		forms := map[string]string{}
		ok := sc.object(func(form string) bool {
			text, ok := sc.str()
			forms[form] = text
			return ok
		})
		m[key] = entry{forms: forms}
		return ok
	})
	if sc.peek(); !ok || sc.i != len(sc.s) {
		return nil, false
	}
	return m, true
}

// scanner reads the JSON text s from i.
type scanner struct {
	s string
	i int
}

// peek is the next byte after white space, or 0 at the end (or a 0).
func (sc *scanner) peek() byte {
	for sc.i < len(sc.s) {
		switch c := sc.s[sc.i]; c {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return c
		}
	}
	return 0
}

// object reads {"key": value, ...}, calling value after each key to read
// what follows its colon.
func (sc *scanner) object(value func(key string) bool) bool {
	if sc.peek() != '{' {
		return false
	}
	sc.i++
	if sc.peek() == '}' {
		sc.i++
		return true
	}
	for {
		key, ok := sc.str()
		if !ok || sc.peek() != ':' {
			return false
		}
		sc.i++
		if !value(key) {
			return false
		}
		switch sc.peek() {
		case ',':
			sc.i++
		case '}':
			sc.i++
			return true
		default:
			return false
		}
	}
}

// str reads a JSON string.
func (sc *scanner) str() (string, bool) {
	if sc.peek() != '"' {
		return "", false
	}
	start := sc.i
	plain := true
	for sc.i++; sc.i < len(sc.s); sc.i++ {
		switch c := sc.s[sc.i]; {
		case c == '"':
			sc.i++
			quoted := sc.s[start:sc.i]
			if plain && utf8.ValidString(quoted) {
				return quoted[1 : len(quoted)-1], true
			}
			var text string
			if json.Unmarshal([]byte(quoted), &text) != nil {
				return "", false
			}
			return text, true
		case c == '\\':
			plain = false
			sc.i++ // the escaped byte cannot end the string
		case c < 0x20:
			return "", false // JSON has no raw control characters in a string
		}
	}
	return "", false
}
