package mailmsg

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
)

// Address is one mailbox: a display name and an addr-spec. A header field
// that does not parse gives one Address holding its decoded text as Name
// and no Addr, so nothing is lost.
type Address struct {
	Name string
	Addr string
}

// String formats the address for a page: `Ann Lee <ann@example.org>`, the
// name or the address alone when the other is empty.
func (a Address) String() string {
	switch {
	case a.Addr == "":
		return a.Name
	case a.Name == "":
		return a.Addr
	}
	return a.Name + " <" + a.Addr + ">"
}

// Field formats the address for an address input: the name quoted where
// it must be ("Lee, Ann" <ann@example.org>) so that the list parses back
// the same, and left in UTF-8 (RFC 6532) rather than encoded. An address
// without an addr-spec gives "".
func (a Address) Field() string {
	if a.Addr == "" {
		return ""
	}
	if a.Name == "" {
		return a.Addr
	}
	name := a.Name
	if strings.ContainsAny(name, "()<>[]:;@\\,.\"") {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + a.Addr + ">"
}

// Display is the friendliest short form: the name, or else the address.
// A name that looks like an address other than its own is shown with the
// real address beside it: "security@bank.example" <attacker@evil.test>
// must not pass for the bank.
func (a Address) Display() string {
	switch {
	case a.Name == "":
		return a.Addr
	case a.Addr != "" && strings.Contains(a.Name, "@") && !strings.EqualFold(strings.Trim(a.Name, "<> "), a.Addr):
		return a.String()
	}
	return a.Name
}

// FormatAddresses joins a list for a page, as String formats each.
func FormatAddresses(list []Address) string {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		if s := a.String(); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// ErrBadAddress means an address list a user typed does not parse.
var ErrBadAddress = errors.New("mailmsg: not a valid address list")

// ParseAddressList parses a comma-separated list a user typed, strictly.
// An empty or blank string is an empty list. Encoded words are decoded.
func ParseAddressList(s string) ([]Address, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if strings.ContainsAny(s, "\r\n\x00") {
		return nil, ErrBadAddress
	}
	parser := mail.AddressParser{WordDecoder: &wordDecoder}
	list, err := parser.ParseList(s)
	if err != nil {
		return nil, ErrBadAddress
	}
	out := make([]Address, len(list))
	for i, a := range list {
		out[i] = Address{Name: visibleName(a.Name), Addr: a.Address}
	}
	return out, nil
}

// addressList reads an address field leniently: raw 8-bit text in the
// fallback charset, encoded words in any charset. When the field does not
// parse, its decoded text is kept as one name.
func addressList(raw, fallback string) []Address {
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	s := raw8bit(raw, fallback)
	if strings.Contains(s, "=?") {
		s = languageTag().ReplaceAllString(s, "=?$1?")
	} else if name, addr, ok := simpleAddress(s); ok {
		return []Address{{Name: name, Addr: addr}}
	}
	p := mail.AddressParser{WordDecoder: &wordDecoder}
	list, err := p.ParseList(s)
	if err != nil || len(list) == 0 {
		if name := visibleName(decodeHeaderIn(raw, fallback)); name != "" {
			return []Address{{Name: name}}
		}
		return nil
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		// The decoder passes UTF-8 words through unchecked.
		name := strings.ToValidUTF8(a.Name, "\uFFFD")
		addr := strings.ToValidUTF8(a.Address, "\uFFFD")
		if !tidy(addr) || strings.Contains(addr, " ") {
			addr = strings.Join(strings.FieldsFunc(addr, isControlOrSpace), "")
		}
		if !tidy(name) {
			name = visibleName(strings.Join(strings.FieldsFunc(name, isControlOrSpace), " "))
		}
		out = append(out, Address{Name: name, Addr: addr})
	}
	return out
}

// simpleAddress reads the forms most address fields take, in printable
// ASCII: addr@host, <addr@host>, Some Words <addr@host> and "Quoted
// Name" <addr@host>, each word plain and each blank single, as net/mail
// and addressList read them: a list page reads fifty From fields, and
// net/mail's parser allocates a score of times for each. Anything else
// is not ok, and goes to net/mail. TestSimpleAddressIsNetMail and
// FuzzSimpleAddress hold the two equal.
func simpleAddress(s string) (name, addr string, ok bool) {
	if !tidy(s) || strings.Contains(s, "=?") { // no encoded words either
		return "", "", false
	}
	if !strings.HasSuffix(s, ">") {
		return "", s, isAddrSpec(s)
	}
	lt := strings.IndexByte(s, '<')
	if lt < 0 {
		return "", "", false
	}
	addr = s[lt+1 : len(s)-1]
	if !isAddrSpec(addr) {
		return "", "", false
	}
	if lt == 0 {
		return "", addr, true
	}
	phrase := strings.TrimSuffix(s[:lt], " ")
	if q, quoted := strings.CutPrefix(phrase, `"`); quoted {
		q, closed := strings.CutSuffix(q, `"`)
		return q, addr, closed && q != "" && tidy(q) && !strings.ContainsAny(q, `"\`)
	}
	for i := 0; i < len(phrase); i++ {
		if phrase[i] != ' ' && !isAtext(phrase[i]) {
			return "", "", false
		}
	}
	return phrase, addr, phrase != "" && tidy(phrase)
}

// isAddrSpec reports local@domain, each a dot-atom: atext runs joined by
// single dots.
func isAddrSpec(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && isDotAtom(local) && isDotAtom(domain)
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

// isAtext reports an RFC 5322 atext character of printable ASCII.
func isAtext(c byte) bool {
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`()<>[]:;@\,."`, rune(c))
}

// tidy reports text that collapsing blanks would leave as it is: printable
// ASCII without a blank at either end or two in a row, as most names and
// addresses are. Anything else is collapsed the careful way.
func tidy(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ')) {
			return false
		}
	}
	return true
}

// visibleName is a display name as every page shows it: runs of blanks
// (Hangul fillers and the Braille blank among them) made one space,
// invisible characters at either end trimmed, and no name at all when
// nothing visible is left. A name of fillers, zero-width characters or
// lone combining marks draws as nothing, and a long run of fillers after a
// name pushes the address beside it out of sight: the address must show.
func visibleName(s string) string {
	s = strings.TrimFunc(strings.Join(strings.FieldsFunc(s, blank), " "), invisible)
	for _, r := range s {
		if !invisible(r) && !unicode.In(r, unicode.Mn, unicode.Me) {
			return s
		}
	}
	return ""
}

// blank reports characters that draw as empty space: Unicode White_Space,
// the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, and the Braille
// blank U+2800.
func blank(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800':
		return true
	}
	return unicode.Is(unicode.White_Space, r)
}

// invisible reports characters that draw nothing or empty space: blanks,
// controls, format characters (zero-width, bidi, BOM), the other
// default-ignorable code points and variation selectors.
func invisible(r rune) bool {
	return blank(r) || unicode.In(r, unicode.Cc, unicode.Cf,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}
