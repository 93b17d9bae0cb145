package mailtools

import (
	"fmt"
	"strconv"
	"strings"
)

// Ref names one message as it was listed: its POP message number and a
// fingerprint that proves, later, that the number still names that message.
type Ref struct {
	Num int    // POP message number when listed (1-based)
	ID  string // fingerprint: "u" + UIDL, or "h" + hex header hash
}

// maxRefLen bounds a reference read from a request.
const maxRefLen = 200

// String encodes the reference for a URL or form field: "NUM.ID".
func (r Ref) String() string {
	return strconv.Itoa(r.Num) + "." + r.ID
}

// ParseRef decodes a reference made by Ref.String.
func ParseRef(s string) (Ref, error) {
	if len(s) > maxRefLen {
		return Ref{}, ErrBadRef
	}
	num, id, ok := strings.Cut(s, ".")
	if !ok {
		return Ref{}, ErrBadRef
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > 1<<30 {
		return Ref{}, ErrBadRef
	}
	if len(id) < 2 || (id[0] != 'u' && id[0] != 'h') {
		return Ref{}, ErrBadRef
	}
	for i := 1; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return Ref{}, ErrBadRef
		}
	}
	return Ref{Num: n, ID: id}, nil
}

// byUIDL reports whether the fingerprint is a UIDL (else a header hash).
func (r Ref) byUIDL() bool { return strings.HasPrefix(r.ID, "u") }

// SyncError says which reference failed its sync check, and how.
type SyncError struct {
	Ref Ref
	Err error // ErrInboxChanged or ErrMessageGone
}

func (e *SyncError) Error() string {
	return fmt.Sprintf("message %d: %v", e.Ref.Num, e.Err)
}

func (e *SyncError) Unwrap() error { return e.Err }
