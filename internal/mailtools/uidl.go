package mailtools

import (
	"bufio"
	"context"
	"errors"
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
			_, err := s.simple(ctx, "UIDL", 1)
			var re *replyError
			if err != nil && !errors.As(err, &re) {
				return false, err
			}
			has = err == nil
		}
	}
	s.uidl.probed, s.uidl.has = true, has
	return has, nil
}

// parseUIDLine reads "NUM UID" as UIDL gives it, single- or multi-line.
func parseUIDLine(line string) (int, string, bool) {
	f := strings.Fields(line)
	if len(f) != 2 {
		return 0, "", false
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n < 1 || !validUID(f[1]) {
		return 0, "", false
	}
	return n, f[1], true
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

// uidOf asks for one message's unique id.
func (s *Session) uidOf(ctx context.Context, n int) (string, error) {
	text, err := s.simple(ctx, "UIDL", n)
	if err != nil {
		return "", err
	}
	got, uid, ok := parseUIDLine(text)
	if !ok || got != n {
		return "", s.outOfStep("UIDL", text)
	}
	return uid, nil
}

// uidIndex lists every unique id once per session, to find moved messages.
func (s *Session) uidIndex(ctx context.Context) (map[string]int, error) {
	if s.uidl.all != nil {
		return s.uidl.all, nil
	}
	d, err := s.multi(ctx, "UIDL")
	if err != nil {
		return nil, err
	}
	data, ok, err := s.readAll(ctx, d, 16<<20)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &ProtocolError{Command: "UIDL", Reply: "listing too large"}
	}
	all := make(map[string]int)
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		if n, uid, ok := parseUIDLine(sc.Text()); ok {
			all[uid] = n
		}
	}
	s.uidl.all = all
	return all, nil
}
