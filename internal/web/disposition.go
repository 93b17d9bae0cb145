package web

import (
	"mime"
	"strings"
	"unicode/utf8"

	"gomailcgi/internal/mailmsg"
)

// contentDisposition builds a Content-Disposition header value (RFC 6266)
// with mime.FormatMediaType. A name it must encode (RFC 2231 filename*:
// not ASCII, or control characters) also gets a plain ASCII filename
// before it, for old clients.
func contentDisposition(kind, name string) string {
	v := mime.FormatMediaType(kind, map[string]string{"filename": name})
	if rest, encoded := strings.CutPrefix(v, kind+"; filename*="); encoded {
		v = mime.FormatMediaType(kind, map[string]string{"filename": asciiFilename(name)}) + "; filename*=" + rest
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

// downloadName is a part's file name, or a made-up one with an extension
// that fits its type.
func downloadName(filename, contentType, partID string) string {
	name := strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || r == 0x7f || r == '/' || r == '\\':
			return '_'
		case mailmsg.IsBidiControl(r):
			return -1
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

// textFilename names a text saved from a message after its subject,
// made a safe file name (no path, control or bidi characters, at most
// 100 bytes), with .txt.
func textFilename(subject string) string {
	name := mailmsg.CleanFilename(strings.NewReplacer("/", "_", "\\", "_").Replace(subject))
	for len(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	name = strings.TrimRight(name, " .")
	if name == "" {
		name = "message"
	}
	return name + ".txt"
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
