package render

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"
)

// The first pass may write four pieces ahead of the second: that is what
// lets the two run side by side (an io.Pipe blocks every write until it
// is read). What is read back is what was written, then the writer's end.
func TestPiecesRunAhead(t *testing.T) {
	p := newPieces(4)
	wrote := make(chan error, 1)
	go func() {
		for i := range 4 {
			if _, err := p.Write(bytes.Repeat([]byte{'a' + byte(i)}, 32<<10)); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fourth piece waited for a read")
	}
	p.close(nil)
	got, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Join([][]byte{
		bytes.Repeat([]byte{'a'}, 32<<10), bytes.Repeat([]byte{'b'}, 32<<10),
		bytes.Repeat([]byte{'c'}, 32<<10), bytes.Repeat([]byte{'d'}, 32<<10),
	}, nil)
	if !bytes.Equal(got, want) {
		t.Errorf("read back %d bytes, not the %d written in order", len(got), len(want))
	}
}

// A writer's error reaches the reader after the pieces before it, and a
// reader that stops frees a writer waiting on a full pipe.
func TestPiecesEnds(t *testing.T) {
	p := newPieces(1)
	boom := errors.New("boom")
	p.Write([]byte("x"))
	p.close(boom)
	b, err := io.ReadAll(p)
	if string(b) != "x" || !errors.Is(err, boom) {
		t.Errorf("read %q, %v; want \"x\", boom", b, err)
	}

	p = newPieces(1)
	p.Write([]byte("fills it"))
	wrote := make(chan error, 1)
	go func() { _, err := p.Write([]byte("waits")); wrote <- err }()
	p.stopReading()
	select {
	case err := <-wrote:
		if !errors.Is(err, errStopped) {
			t.Errorf("the waiting write got %v, want errStopped", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting write was not freed")
	}
}
