package render

import (
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// buildHeader decodes the header fields the view page shows.
func buildHeader(h header) Header {
	out := Header{
		Subject:   decodeHeaderText(h.get("Subject")),
		From:      addressList(h.get("From")),
		To:        addressList(h.get("To")),
		Cc:        addressList(h.get("Cc")),
		ReplyTo:   addressList(h.get("Reply-To")),
		DateRaw:   decodeHeaderText(h.get("Date")),
		MessageID: decodeHeaderText(h.get("Message-Id")),
	}
	if out.DateRaw != "" {
		out.Date = parseDate(out.DateRaw)
	}
	return out
}

// addressList parses an address header for display. When it does not
// parse, the decoded text is kept as one name so nothing is lost.
func addressList(raw string) []Address {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	s := raw
	if !utf8.ValidString(s) {
		s = latin1([]byte(s))
	}
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader}}
	list, err := p.ParseList(s)
	if err != nil || len(list) == 0 {
		return []Address{{Name: decodeHeaderText(raw)}}
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{
			Name: strings.Join(strings.FieldsFunc(a.Name, isControlOrSpace), " "),
			Addr: strings.Join(strings.FieldsFunc(a.Address, isControlOrSpace), ""),
		})
	}
	return out
}

// parseDate reads an RFC 5322 date, also in the looser forms seen in
// real mail; it returns the zero time when it cannot.
func parseDate(s string) time.Time {
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	s = strings.TrimSpace(commentRE.ReplaceAllString(s, ""))
	for _, layout := range []string{
		"Mon, 2 Jan 2006 15:04:05 -0700 MST",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 MST 2006",
		time.RFC3339,
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return t
	}
	return time.Time{}
}

// commentRE matches a trailing or embedded parenthesized comment.
var commentRE = regexp.MustCompile(`\([^()]*\)`)

// metaCharsetRE finds a charset declared in an HTML head.
var metaCharsetRE = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})`)

// sniffHTMLCharset reads the charset an HTML part declares in a <meta>
// element near its start, or "" when it declares none.
func sniffHTMLCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if m := metaCharsetRE.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}
