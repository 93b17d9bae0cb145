package main

import (
	"flag"
	"go/parser"
	"go/token"
	"io"
	"os"
	"regexp"
	"testing"
)

// TestEveryFlagIsDocumented holds the package doc, the manual that go doc
// shows, to the flag set: every flag is named in it.
func TestEveryFlagIsDocumented(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if f.Doc == nil {
		t.Fatal("main.go has no package doc")
	}
	doc := f.Doc.Text()
	(&Config{}).flagSet(io.Discard).VisitAll(func(fl *flag.Flag) {
		// -pop is not named by -pop-security alone
		if !regexp.MustCompile(`(^|[^\w-])-` + regexp.QuoteMeta(fl.Name) + `($|[^\w-])`).MatchString(doc) {
			t.Errorf("the package doc in main.go does not name -%s (%s)", fl.Name, fl.Usage)
		}
	})
}

// TestDocsNameNewFlags checks that the settings a reader looks for in the
// README and docs/DEPLOY.md are there.
func TestDocsNameNewFlags(t *testing.T) {
	for _, file := range []string{"../../README.md", "../../docs/DEPLOY.md"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"time-zone", "keep-copy"} {
			if !regexp.MustCompile(`(^|[^\w-])-` + name + `($|[^\w-])`).Match(data) {
				t.Errorf("%s does not name -%s", file, name)
			}
		}
	}
}
