package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A key file every user of the machine can read is a warning at start;
// one the web server's group reads (0640) is the recommended setup.
func TestKeyFileModeWarning(t *testing.T) {
	const key = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=\n"
	tests := []struct {
		mode os.FileMode
		warn bool
	}{
		{0o600, false},
		{0o640, false},
		{0o644, true},
		{0o604, true},
		{0o606, true},
		{0o602, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys")
			os.WriteFile(path, []byte(key), 0o600)
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			var logBuf bytes.Buffer
			if _, err := loadKeys(path, slog.New(slog.NewTextHandler(&logBuf, nil))); err != nil {
				t.Fatal(err)
			}
			got := logBuf.String()
			want := "level=WARN msg=\"the key file is open to every user of this machine"
			if warned := strings.Contains(got, want) && strings.Contains(got, "file="+path); warned != tt.warn {
				t.Errorf("mode %v: log %q; want a warning: %v", tt.mode, got, tt.warn)
			}
			if strings.Count(got, "\n") > 1 {
				t.Errorf("log %q: want one line at most", got)
			}
		})
	}
}
