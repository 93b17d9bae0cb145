package mailtools

import (
	"context"
	"strconv"
	"strings"
)

// uidlState is what the session knows of unique ids.
type uidlState struct {
	probed bool
	has    bool
	all    map[string]int // uid -> message number, once listed in full
}

// hasUIDL reports whether the server gives unique ids: by CAPA, or, for a
// server without CAPA, by trying UIDL once.
func (s *Session) hasUIDL(ctx context.Context) (bool, error) {
	if s.uidl.probed {
		return s.uidl.has, nil
	}
	caps, err := s.capa(ctx)
	if err != nil {
		return false, err
	}
	has := caps.uidl
	if !caps.known {
		if err := s.stat(ctx); err != nil {
			return false, err
		}
		if s.count > 0 {
			err := s.exchange(ctx, false, command{line: "UIDL 1", reply: func(r reply) error {
				has = r.err == nil
				return nil
			}})
			if err != nil {
				return false, err
			}
		}
	}
	s.uidl.probed, s.uidl.has = true, has
	return has, nil
}

// parseUIDLine reads "NUM UID" as UIDL gives it, single- or multi-line.
func parseUIDLine(line string) (int, string, bool) {
	var room [3]string
	f := appendFields(room[:0], line)
	if len(f) != 2 {
		return 0, "", false
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || !validUID(f[1]) {
		return 0, "", false
	}
	return n, f[1], true
}

// appendFields appends the words of s to dst, as strings.Fields splits
// them. A reply as servers write it, printable ASCII words between single
// spaces, is cut in place, without the slice strings.Fields makes: a
// page reads a hundred such replies, a full UIDL listing one a message.
func appendFields(dst []string, s string) []string {
	n, start := len(dst), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && i > start && i < len(s)-1 {
			dst = append(dst, s[start:i])
			start = i + 1
			continue
		}
		if c <= ' ' || c > '~' {
			return append(dst[:n], strings.Fields(s)...)
		}
	}
	if start == len(s) {
		return dst
	}
	return append(dst, s[start:])
}

// validUID: RFC 1939 allows 1 to 70 characters from 0x21 to 0x7E.
func validUID(u string) bool {
	if len(u) < 1 || len(u) > 70 {
		return false
	}
	for i := 0; i < len(u); i++ {
		if u[i] < 0x21 || u[i] > 0x7e {
			return false
		}
	}
	return true
}

// uidCommand is "UIDL n": got is given message n's unique id, unless
// the server refuses it (-ERR).
func uidCommand(n int, got func(uid string)) command {
	return command{line: "UIDL " + strconv.Itoa(n), reply: func(r reply) error {
		if r.err != nil {
			return nil
		}
		m, uid, ok := parseUIDLine(r.text)
		if !ok || m != n {
			return &ProtocolError{Command: "UIDL", Reply: truncate(r.text, 80)}
		}
		got(uid)
		return nil
	}}
}

// uidIndex lists every unique id once per session, to find moved messages.
func (s *Session) uidIndex(ctx context.Context) (map[string]int, error) {
	if s.uidl.all != nil {
		return s.uidl.all, nil
	}
	all := make(map[string]int)
	whole := true
	err := s.exchange(ctx, false, command{line: "UIDL", multi: true, limit: 16 << 20, reply: func(r reply) error {
		if r.err != nil {
			return r.err
		}
		if whole = r.whole; !whole {
			return nil
		}
		for line := range strings.Lines(string(r.data)) {
			if n, uid, ok := parseUIDLine(strings.TrimRight(line, "\r\n")); ok {
				all[uid] = n
			}
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	if !whole {
		return nil, &ProtocolError{Command: "UIDL", Reply: "listing too large"}
	}
	s.uidl.all = all
	return all, nil
}
