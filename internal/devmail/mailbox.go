package devmail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"sync"
)

// Mailbox is one user's in-memory maildrop, safe for concurrent use.
//
// The zero value is an empty mailbox ready to use.
type Mailbox struct {
	mu      sync.Mutex
	epoch   string // random per mailbox, so ids are not reused across restarts
	next    uint64
	entries []entry
}

// entry is one stored message. raw is never modified after Add, so
// sessions may share it without copying.
type entry struct {
	uid string
	raw []byte
}

// NewMailbox returns an empty mailbox.
func NewMailbox() *Mailbox {
	return &Mailbox{}
}

// Add appends a message and returns its unique id, which is also its UIDL.
//
// Line endings are normalized to CRLF (a bare LF becomes CRLF) and a final
// CRLF is added to a non-empty message that lacks one, so the stored bytes
// are exactly what POP3 serves and sizes are octets as served.
func (m *Mailbox) Add(raw []byte) string {
	data := normalizeCRLF(raw)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.epoch == "" {
		m.epoch = newEpoch()
	}
	m.next++
	uid := fmt.Sprintf("%s-%d", m.epoch, m.next)
	m.entries = append(m.entries, entry{uid: uid, raw: data})
	return uid
}

// Delete removes the message with the given id now, as another client
// would; it reports false if there is no such message.
func (m *Mailbox) Delete(uid string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.entries {
		if e.uid == uid {
			m.entries = append(m.entries[:i:i], m.entries[i+1:]...)
			return true
		}
	}
	return false
}

// Len returns the number of messages.
func (m *Mailbox) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Raw returns a copy of the stored message with the given id.
func (m *Mailbox) Raw(uid string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.entries {
		if e.uid == uid {
			return bytes.Clone(e.raw), true
		}
	}
	return nil, false
}

// UIDs returns the message ids in order: POP message number i is index i-1.
func (m *Mailbox) UIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	uids := make([]string, len(m.entries))
	for i, e := range m.entries {
		uids[i] = e.uid
	}
	return uids
}

// AddFS adds every *.eml file at the root of fsys, sorted by name, and
// returns how many it added.
func (m *Mailbox) AddFS(fsys fs.FS) (int, error) {
	names, err := fs.Glob(fsys, "*.eml")
	if err != nil {
		return 0, fmt.Errorf("devmail: list seed messages: %w", err)
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return n, fmt.Errorf("devmail: read seed message: %w", err)
		}
		m.Add(raw)
		n++
	}
	return n, nil
}

// snapshot returns the current messages; the caller must not modify them.
func (m *Mailbox) snapshot() []entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]entry(nil), m.entries...)
}

// deleteUIDs removes every message whose id is in uids; ids already gone
// are ignored. It returns how many messages remain.
func (m *Mailbox) deleteUIDs(uids map[string]bool) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.entries[:0:0]
	for _, e := range m.entries {
		if !uids[e.uid] {
			kept = append(kept, e)
		}
	}
	m.entries = kept
	return len(kept)
}

// newEpoch returns a short random hex string; ids made from it are
// printable ASCII and differ between runs.
func newEpoch() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		// crypto/rand does not fail on supported platforms; fall back
		// to a fixed epoch rather than panic.
		return "m0"
	}
	return hex.EncodeToString(b[:])
}

// normalizeCRLF returns a copy of raw with every bare LF turned into CRLF
// and, if raw is not empty, ending in CRLF.
func normalizeCRLF(raw []byte) []byte {
	out := make([]byte, 0, len(raw)+len(raw)/32+2)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	switch {
	case len(out) == 0 || bytes.HasSuffix(out, []byte("\r\n")):
	case out[len(out)-1] == '\r':
		out = append(out, '\n')
	default:
		out = append(out, '\r', '\n')
	}
	return out
}
