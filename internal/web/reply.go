package web

import (
	"strings"
	"time"

	"gomailcgi/internal/locale"
	"gomailcgi/internal/mailmsg"
)

// replySubject adds "Re: " once, in every language: the prefix RFC 5322
// names, which every mail program threads by, where a translated one
// ("AW: ") would add a prefix per language and reply: "Re: Re: x" never happens, whatever the
// case or spacing of the prefixes already there.
func replySubject(s string) string {
	return "Re: " + stripPrefixes(s, "re:")
}

// forwardSubject adds "Fwd: " unless the subject is already a forward.
func forwardSubject(s string) string {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	if strings.HasPrefix(lower, "fwd:") || strings.HasPrefix(lower, "fw:") {
		return t
	}
	return "Fwd: " + t
}

// stripPrefixes removes every leading prefix (compared case-insensitively).
func stripPrefixes(s, prefix string) string {
	t := strings.TrimSpace(s)
	for len(t) >= len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) {
		t = strings.TrimSpace(t[len(prefix):])
	}
	return t
}

// maxQuoted bounds the original's text that a reply quotes or a forward
// carries, so that the form stays a form a browser sends back in one go.
const maxQuoted = 64 << 10

// quoteLimits keep of the original what a reply or forward can quote, so
// that a long text costs the form no more than a short one: its plain
// text a little past maxQuoted (line ends and charsets change its length
// on the way), of an HTML body, mostly markup, four times that, and of
// all its texts together no more.
var quoteLimits = mailmsg.Limits{MaxText: 4 * maxQuoted, MaxPlain: 2 * maxQuoted, MaxTotal: 4 * maxQuoted}

// quotable is the original's text as a reply or forward takes it: whole
// when short, else its start in whole lines and a line that says so. more
// tells that the text is already only the start (quoteLimits).
func quotable(l *locale.Locale, text string, more bool) string {
	if len(text) <= maxQuoted && !more {
		return text
	}
	cut := text[:min(len(text), maxQuoted)]
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i+1]
	}
	cut = strings.ToValidUTF8(cut, "")
	if cut != "" && !strings.HasSuffix(cut, "\n") {
		cut += "\n"
	}
	return cut + l.T("[…the rest of the original is not included here]") + "\n"
}

// quote prefixes every line with "> " (">" alone on empty lines), under
// an attribution line.
func quote(attribution, text string) string {
	var b strings.Builder
	b.WriteString(attribution)
	b.WriteString("\n")
	text = strings.TrimRight(normalizeNewlines(text), "\n")
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, ">") {
			b.WriteString(">")
		} else {
			b.WriteString("> ")
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	return b.String()
}

// attribution is the line above a quoted reply, in the writer's
// language: "On DATE, NAME wrote:".
func attribution(l *locale.Locale, env mailmsg.Envelope, zone *time.Location) string {
	who := l.T("someone")
	if len(env.From) > 0 && env.From[0].Display() != "" {
		who = env.From[0].Display()
	}
	if env.Date.IsZero() {
		return l.T("%s wrote:", who)
	}
	// In the site's zone, as the view showed the date, not the sender's.
	return l.T("On %s, %s wrote:", l.Date(env.Date.In(zone), "Mon, 2 Jan 2006 at 15:04"), who)
}

// forwardedBlock is the original's header block and text for a forward,
// in the writer's language.
func forwardedBlock(l *locale.Locale, env mailmsg.Envelope, text string) string {
	var b strings.Builder
	b.WriteString(l.T("---------- Forwarded message ----------") + "\n")
	field := func(name, value string) {
		if value != "" {
			b.WriteString(l.T("%s: %s", l.T(name), value) + "\n")
		}
	}
	field("From", mailmsg.FormatAddresses(env.From))
	field("Date", fullDate(l, env, env.Date.Location())) // as the original gave it
	field("Subject", env.Subject)
	field("To", mailmsg.FormatAddresses(env.To))
	field("Cc", mailmsg.FormatAddresses(env.Cc))
	b.WriteString("\n")
	b.WriteString(strings.TrimRight(normalizeNewlines(text), "\n"))
	b.WriteString("\n")
	return b.String()
}

// replyTo is who a reply goes to: Reply-To, else From.
func replyTo(env mailmsg.Envelope) []mailmsg.Address {
	if len(env.ReplyTo) > 0 {
		return env.ReplyTo
	}
	return env.From
}

// replyAllCc is everyone else the original went to: its To and Cc, less
// the user's own addresses, less those in to, each once.
func replyAllCc(env mailmsg.Envelope, to []mailmsg.Address, self ...string) []mailmsg.Address {
	seen := map[string]bool{}
	for _, s := range self {
		seen[strings.ToLower(s)] = true
	}
	for _, a := range to {
		seen[strings.ToLower(a.Addr)] = true
	}
	var cc []mailmsg.Address
	for _, a := range append(append([]mailmsg.Address{}, env.To...), env.Cc...) {
		key := strings.ToLower(a.Addr)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		cc = append(cc, a)
	}
	return cc
}

// addressField formats addresses for an address input, quoting names so
// that the list parses back the same.
func addressField(list []mailmsg.Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		if a.Addr == "" {
			continue
		}
		parts = append(parts, a.Field())
	}
	return strings.Join(parts, ", ")
}

// references is the References a reply carries: the original's, then its
// Message-ID.
func references(env mailmsg.Envelope) string {
	refs := append([]string{}, env.References...)
	if env.MessageID != "" {
		refs = append(refs, env.MessageID)
	}
	return strings.Join(refs, " ")
}
