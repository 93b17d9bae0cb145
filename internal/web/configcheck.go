package web

import (
	"errors"
	"fmt"
	"strings"
)

// CheckPageSize reports whether n messages can make a list page: 1 to
// MaxPageSize. New applies it to Config.PageSize once 0 is made
// DefaultPageSize; a command checks its flag with it too, to name the flag.
func CheckPageSize(n int) error {
	if n < 1 || n > MaxPageSize {
		return fmt.Errorf("want 1 to %d", MaxPageSize)
	}
	return nil
}

// errBasePath says what CheckBasePath wants.
var errBasePath = errors.New("want a path like /mail, without a trailing slash")

// CheckBasePath reports whether p can prefix every route: empty, or
// /seg/seg..., each segment neither empty nor . or .., of characters a URL
// path holds unescaped (not %, nor the braces of a route's wildcards).
func CheckBasePath(p string) error {
	if p == "" {
		return nil
	}
	if !strings.HasPrefix(p, "/") {
		return errBasePath
	}
	for _, seg := range strings.Split(p[1:], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return errBasePath
		}
		for _, r := range seg {
			if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune("-._~!$&'()*+,;=:@", r)) {
				return errBasePath
			}
		}
	}
	return nil
}
