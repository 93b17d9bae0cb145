package mailtools

import (
	"errors"
	"net/mail"
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

// Address is one mailbox: an optional display name and an addr-spec.
type Address struct {
	Name string
	Addr string
}

// String formats the address for a header or a page, e.g. `"Ann Lee" <ann@example.org>`.
func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	return (&mail.Address{Name: a.Name, Address: a.Addr}).String()
}

// Display is the friendliest short form: the name, or else the address.
func (a Address) Display() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Addr
}

// FormatAddresses joins a list for display: names with their addresses.
func FormatAddresses(list []Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		if a.Name != "" {
			parts[i] = a.Name + " <" + a.Addr + ">"
		} else {
			parts[i] = a.Addr
		}
	}
	return strings.Join(parts, ", ")
}

// ErrBadAddress means an address list a user typed does not parse.
var ErrBadAddress = errors.New("mailtools: not a valid address list")

// ParseAddressList parses a comma-separated list a user typed. An empty or
// blank string is an empty list. Encoded words are decoded.
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
		out[i] = Address{Name: a.Name, Addr: a.Address}
	}
	return out, nil
}

// addressesFromHeader reads an address header leniently: what parses is
// kept; a field that does not parse becomes one address holding its text.
func addressesFromHeader(h gomail.Header, key string) []Address {
	raw := h.Get(key)
	if strings.TrimSpace(raw) == "" {
		return nil
	}
	list, err := h.AddressList(key)
	if err == nil {
		out := make([]Address, len(list))
		for i, a := range list {
			out[i] = Address{Name: a.Name, Addr: a.Address}
		}
		return out
	}
	return []Address{{Name: DecodeHeaderText(raw)}}
}
