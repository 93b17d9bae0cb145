// Package smallfile reads the small files an operator names at start: a
// settings file, a key file. Anything else at that path is refused before
// a byte is read: a device that never ends (/dev/zero), a FIFO that would
// wait for a writer, a folder, or a file larger than the caller allows.
package smallfile

import (
	"fmt"
	"io"
	"os"
)

// Read returns the whole of the regular file at path, at most limit bytes.
func Read(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO waits for a writer.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, st, limit); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The path may have changed between the two looks: check what was opened.
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := check(path, st, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		clear(data)
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, nil
}

func check(path string, st os.FileInfo, limit int64) error {
	switch {
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s: not a regular file", path)
	case st.Size() > limit:
		return fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return nil
}
