package mailtools

import (
	"bytes"
)

// maxHeaderBytes bounds the header block read for a summary.
const maxHeaderBytes = 1 << 20

// splitHeader returns the header block of a raw message.
func splitHeader(raw []byte) []byte {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return raw[:i+2]
	}
	if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		return raw[:i+1]
	}
	return raw
}
