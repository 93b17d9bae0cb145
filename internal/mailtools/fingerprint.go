package mailtools

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
)

// volatileHeaders are fields servers add or rewrite after a message has
// been fetched; the fingerprint leaves them out (mailtools' lesson).
var volatileHeaders = [][]byte{[]byte("status"), []byte("x-status"), []byte("x-uid"), []byte("x-keywords")}

// headerFingerprint identifies a message by its header block as TOP n 0
// returns it, for servers without UIDL. Line endings and trailing blanks
// are normalized; the volatile fields are skipped with their continuations.
func headerFingerprint(header []byte) string {
	h := sha256.New()
	skipping := false
	for line := range bytes.Lines(header) {
		line = bytes.TrimRight(line, " \t\r\n")
		if len(line) == 0 {
			break // end of the header block
		}
		if line[0] == ' ' || line[0] == '\t' {
			if !skipping {
				h.Write(line)
				h.Write([]byte{'\n'})
			}
			continue
		}
		skipping = isVolatile(line)
		if !skipping {
			h.Write(line)
			h.Write([]byte{'\n'})
		}
	}
	return "h" + hex.EncodeToString(h.Sum(nil)[:16])
}

func isVolatile(line []byte) bool {
	name, _, ok := bytes.Cut(line, []byte{':'})
	if !ok {
		return false
	}
	name = bytes.ToLower(bytes.TrimSpace(name))
	for _, v := range volatileHeaders {
		if bytes.Equal(name, v) {
			return true
		}
	}
	return false
}
