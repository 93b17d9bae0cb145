package smallfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("pop = a:1\n"), 0o600)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte(strings.Repeat("#\n", 33)), 0o600)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink(small, link)
	tests := []struct{ path, want, wantErr string }{
		{small, "pop = a:1\n", ""},
		{link, "pop = a:1\n", ""}, // a symbolic link to a regular file is fine
		{big, "", big + ": larger than 64 bytes"},
		{"/dev/zero", "", "/dev/zero: not a regular file"},
		{fifo, "", fifo + ": not a regular file"},
		{dir, "", dir + ": not a regular file"},
		{filepath.Join(dir, "missing"), "", "no such file"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			got, err := Read(tt.path, 64)
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.want {
					t.Errorf("got %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("got %q, %v; want an error with %q", got, err, tt.wantErr)
			}
		})
	}
}
