package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// -fcgi unix:PATH replaces a socket an earlier run left at PATH, and
// refuses anything else there: the file stays as it was.
func TestFastCGISocketPath(t *testing.T) {
	dir := t.TempDir()
	handler := http.NotFoundHandler()
	serve := func(ctx context.Context, path string) error {
		return serveFastCGI(ctx, &Config{FastCGI: "unix:" + path}, handler, slog.New(slog.DiscardHandler), io.Discard)
	}

	regular := filepath.Join(dir, "precious")
	os.WriteFile(regular, []byte("not a socket\n"), 0o600)
	folder := filepath.Join(dir, "folder")
	os.Mkdir(folder, 0o700)
	for _, path := range []string{regular, folder} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			before, _ := os.Lstat(path)
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a server that did start would stop at once
			err := serve(ctx, path)
			if err == nil || !strings.Contains(err.Error(), path+": not a socket") {
				t.Errorf("got %v, want %q", err, path+": not a socket")
			}
			after, serr := os.Lstat(path)
			if serr != nil || after.Mode() != before.Mode() || !os.SameFile(before, after) {
				t.Errorf("%s is gone or changed: %v", path, serr)
			}
			if data, _ := os.ReadFile(regular); string(data) != "not a socket\n" {
				t.Errorf("%s now holds %q", regular, data)
			}
		})
	}

	t.Run("an old socket", func(t *testing.T) {
		sock := filepath.Join(dir, "old.sock")
		old, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		old.SetUnlinkOnClose(false)
		old.Close() // as a killed process leaves it
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- serve(ctx, sock) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
		for range 500 {
			if c, err := net.Dial("unix", sock); err == nil {
				c.Close()
				return
			}
			select {
			case err := <-done:
				t.Fatalf("serve ended: %v", err)
			case <-time.After(10 * time.Millisecond):
			}
		}
		t.Fatal("nobody listens on the replaced socket")
	})
}
