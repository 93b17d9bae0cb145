package mailmsg

import (
	"sort"
	"strconv"
	"strings"
)

// parseValueParams splits a Content-Type or Content-Disposition value into
// its lower-case main value and its parameters, leniently: stray
// semicolons, missing quotes and 8-bit bytes are accepted. Parameter names
// are lower-case; values are decoded (RFC 2231 continuations and charsets,
// RFC 2047 encoded words in quoted values).
func ParseValueParams(s string) (string, map[string]string) {
	main, rest, _ := strings.Cut(s, ";")
	main = strings.ToLower(strings.TrimSpace(main))
	type segment struct {
		n        int
		extended bool
		value    string
	}
	plain := map[string]string{}
	segs := map[string][]segment{}
	for rest != "" {
		var name, value string
		name, value, rest = nextParam(rest)
		if name == "" {
			continue
		}
		base, idx, extended := splitParamName(name)
		if idx < 0 && !extended {
			if _, dup := plain[base]; !dup {
				plain[base] = value
			}
			continue
		}
		if idx < 0 {
			idx = 0
		}
		segs[base] = append(segs[base], segment{n: idx, extended: extended, value: value})
	}
	params := make(map[string]string, len(plain)+len(segs))
	for k, v := range plain {
		params[k] = DecodeHeaderText(v)
	}
	for base, ss := range segs {
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].n < ss[j].n })
		cs := ""
		var raw []byte
		for i, sg := range ss {
			v := sg.value
			if sg.extended {
				if i == 0 {
					if p := strings.SplitN(v, "'", 3); len(p) == 3 {
						cs, v = p[0], p[2]
					}
				}
				raw = append(raw, percentDecode(v)...)
			} else {
				raw = append(raw, v...)
			}
		}
		text, _ := DecodeCharset(raw, cs)
		params[base] = strings.Join(strings.FieldsFunc(text, isControlOrSpace), " ")
	}
	return main, params
}

// nextParam reads one "name=value" from s and returns what follows.
func nextParam(s string) (name, value, rest string) {
	s = strings.TrimLeft(s, " \t\r\n;")
	i := strings.IndexAny(s, "=;")
	if i < 0 {
		return "", "", ""
	}
	if s[i] == ';' {
		return "", "", s[i+1:]
	}
	name = strings.ToLower(strings.TrimSpace(s[:i]))
	s = strings.TrimLeft(s[i+1:], " \t\r\n")
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		j := 1
		for ; j < len(s); j++ {
			c := s[j]
			if c == '\\' && j+1 < len(s) {
				j++
				b.WriteByte(s[j])
				continue
			}
			if c == '"' {
				j++
				break
			}
			b.WriteByte(c)
		}
		rest = s[j:]
		if k := strings.IndexByte(rest, ';'); k >= 0 {
			rest = rest[k+1:]
		} else {
			rest = ""
		}
		return name, b.String(), rest
	}
	value, rest, _ = strings.Cut(s, ";")
	return name, strings.TrimSpace(value), rest
}

// splitParamName splits "name*2*" into "name", 2, true; idx is -1 when
// the name has no section number.
func splitParamName(name string) (base string, idx int, extended bool) {
	if strings.HasSuffix(name, "*") {
		extended = true
		name = name[:len(name)-1]
	}
	idx = -1
	if i := strings.LastIndexByte(name, '*'); i >= 0 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil && n >= 0 && n < 1000 {
			return name[:i], n, extended
		}
	}
	return name, idx, extended
}

// percentDecode decodes %XX escapes, leaving malformed ones as they are.
func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if h, ok := unhex(s[i+1]); ok {
				if l, ok := unhex(s[i+2]); ok {
					out = append(out, h<<4|l)
					i += 2
					continue
				}
			}
		}
		out = append(out, s[i])
	}
	return out
}

// unhex decodes one hexadecimal digit.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// CleanFilename makes a decoded file name safe to show and to offer as a
// download name: no directories, no control characters, and no bidi
// controls, which could make "exe.txt" of "txt.exe" on the screen.
func CleanFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if IsBidiControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.Join(strings.FieldsFunc(name, isControlOrSpace), " ")
	name = strings.Trim(name, " .")
	if len(name) > 255 {
		name = truncateUTF8(name, 255)
	}
	return name
}

// IsBidiControl reports the characters that change the direction of the
// text around them: embeddings, overrides, isolates and marks.
func IsBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
		return true
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return true
	}
	return false
}
