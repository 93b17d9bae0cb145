package mailmsg

import (
	"os"
	"path/filepath"
	"testing"
)

// fixture reads a message of testdata/render, the odd and damaged ones.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "render", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
