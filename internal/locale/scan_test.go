package locale

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestScanCatalogAsJSON: every catalog reads as encoding/json reads it.
func TestScanCatalogAsJSON(t *testing.T) {
	codes, err := catalogCodes()
	if err != nil {
		t.Fatal(err)
	}
	for code := range codes {
		b, err := catalogFS.ReadFile("catalogs/" + code + ".json")
		if err != nil {
			t.Fatal(err)
		}
		got, ok := scanCatalog(string(b))
		if !ok {
			t.Errorf("%s: not read", code)
			continue
		}
		var want messages
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read differently from encoding/json", code)
		}
	}
}

// TestScanCatalogShapes: what the scanner reads, and what it leaves to
// encoding/json.
func TestScanCatalogShapes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"empty", `{}`, true},
		{"text", `{"a": "b"}`, true},
		{"white space", " \t\r\n{ \"a\" :\n\"b\" , \"c\":\"d\"\n}\n", true},
		{"escapes", `{"say \"hi\"": "tab\there \u00e9 \ud83d\ude00 \\ \/"}`, true},
		{"forms", `{"%d new": {"one": "%d new", "other": "%d new ones"}, "x": "y"}`, true},
		{"empty forms", `{"a": {}}`, true},
		{"duplicate key", `{"a": "1", "a": "2"}`, true},
		{"invalid UTF-8", "{\"a\": \"\xff\"}", true},
		{"unterminated", `{"a": "b`, false},
		{"escape at the end", `{"a": "b\`, false},
		{"control character", "{\"a\": \"b\nc\"}", false},
		{"bad escape", `{"a": "\q"}`, false},
		{"number", `{"a": 1}`, false},
		{"null", `{"a": null}`, false},
		{"array", `["a"]`, false},
		{"trailing comma", `{"a": "b",}`, false},
		{"missing colon", `{"a" "b"}`, false},
		{"after the object", `{"a": "b"} x`, false},
		{"two objects", `{}{}`, false},
		{"form not a string", `{"a": {"one": {}}}`, false},
		{"nothing", ``, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scanCatalog(tc.in)
			if ok != tc.ok {
				t.Fatalf("read %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			var want messages
			if err := json.Unmarshal([]byte(tc.in), &want); err != nil {
				t.Fatalf("read what encoding/json refuses: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v, want %#v", got, want)
			}
		})
	}
}

// FuzzScanCatalog: whatever the scanner reads, encoding/json reads the
// same.
func FuzzScanCatalog(f *testing.F) {
	for _, s := range []string{`{}`, `{"a": "b"}`, `{"a\n": {"one": "x", "other": "y\u00e9"}}`, "{\"a\": \"\xff\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, ok := scanCatalog(in)
		if !ok {
			return
		}
		var want messages
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("%q: read what encoding/json refuses: %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, want %#v", in, got, want)
		}
	})
}
