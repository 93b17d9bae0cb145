package web

import (
	"mime"
	"strings"
)

// contentDisposition builds a Content-Disposition header value (RFC 6266):
// an ASCII filename for old clients and, when the name is not plain ASCII,
// filename* in UTF-8 (RFC 8187) for the rest.
func contentDisposition(kind, name string) string {
	fallback := asciiFilename(name)
	v := kind + `; filename="` + fallback + `"`
	if fallback != name {
		v += "; filename*=UTF-8''" + percentEncode(name)
	}
	return v
}

// asciiFilename replaces what cannot stand in a quoted ASCII filename.
func asciiFilename(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' || r == '%':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "download"
	}
	return b.String()
}

// percentEncode encodes a value for filename*: attr-chars stay, every
// other byte of the UTF-8 becomes %XX.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// isAttrChar is RFC 8187's attr-char.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

// downloadName is a part's file name, or a made-up one with an extension
// that fits its type.
func downloadName(filename, contentType, partID string) string {
	name := strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, filename))
	if name != "" && name != "." && name != ".." {
		return name
	}
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(contentType); len(exts) > 0 {
		ext = exts[0]
	}
	if contentType == "text/plain" {
		ext = ".txt"
	}
	return "part-" + partID + ext
}

// safeContentType is a part's media type if it parses, else
// application/octet-stream. Parameters are dropped.
func safeContentType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mt
}
