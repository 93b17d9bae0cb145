package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
			if _, err := loadKeys(path, false, slog.New(slog.NewTextHandler(&logBuf, nil))); err != nil {
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

// Without a key file a real deployment is warned that logins will not
// outlive the process; the demo (make run) starts without a warning.
func TestRandomKeyWarnsOnlyOutsideTheDemo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		warn bool
	}{
		{"demo", []string{"-demo", "-demo-mail", "../../testdata", "-demo-pop", "127.0.0.1:0", "-demo-smtp", "127.0.0.1:0"}, false},
		{"deployment", []string{"-pop", "127.0.0.1:1", "-smtp", "127.0.0.1:1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(append(tt.args, "-listen", "127.0.0.1:0"), env(nil), &bytes.Buffer{})
			if err != nil {
				t.Fatal(err)
			}
			var out, logged syncWriter
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- run(ctx, cfg, slog.New(slog.NewTextHandler(&logged, nil)), &out) }()
			for i := 0; i < 500 && !strings.Contains(out.String(), "http://"); i++ {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("run: %v", err)
			}
			if !strings.Contains(out.String(), "http://") {
				t.Fatalf("the server never said where it listens: %q", out.String())
			}
			got := logged.String()
			if warned := strings.Contains(got, `level=WARN msg="no -key-file: using a random key`); warned != tt.warn {
				t.Errorf("log %q; want the random-key warning: %v", got, tt.warn)
			}
			if !tt.warn && strings.Contains(got, "level=WARN") {
				t.Errorf("the demo logged a warning: %q", got)
			}
		})
	}
}
