package mailtools

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"gomailcgi/internal/mailmsg"
)

func TestOutgoingValidate(t *testing.T) {
	const inject = "x\r\nBcc: evil@example.com"
	for _, c := range []struct {
		name  string
		mod   func(m *Outgoing)
		field string // "" means valid
	}{
		{"minimal", func(m *Outgoing) {}, ""},
		{"cc only", func(m *Outgoing) { m.To = nil; m.Cc = []mailmsg.Address{{Addr: "c@example.com"}} }, ""},
		{"bcc only", func(m *Outgoing) { m.To = nil; m.Bcc = []mailmsg.Address{{Addr: "c@example.com"}} }, ""},
		{"unicode everywhere", func(m *Outgoing) {
			m.From.Name = "Zoë Ünal"
			m.Subject = "Grüße 👋"
			m.Body = "Body may hold \r\n anything \x00 at all."
			m.Attachments = []Attachment{{Filename: "résumé.pdf", ContentType: "application/pdf"}}
		}, ""},
		{"plus and dots in address", func(m *Outgoing) { m.To = []mailmsg.Address{{Addr: "first.last+tag@mail.example.co.uk"}} }, ""},
		{"single-label domain", func(m *Outgoing) { m.To = []mailmsg.Address{{Addr: "root@localhost"}} }, ""},
		{"tab in subject", func(m *Outgoing) { m.Subject = "a\tb" }, ""},
		{"reply ids", func(m *Outgoing) { m.InReplyTo = "<a@b>"; m.References = []string{"<x.y@z>", "<a@b>"} }, ""},
		{"content type with params", func(m *Outgoing) {
			m.Attachments = []Attachment{{Filename: "a.txt", ContentType: "text/plain; charset=utf-8"}}
		}, ""},

		{"no recipients", func(m *Outgoing) { m.To = nil }, "to"},
		{"no sender", func(m *Outgoing) { m.From = mailmsg.Address{} }, "from"},
		{"empty recipient", func(m *Outgoing) { m.Cc = []mailmsg.Address{{Name: "Nobody"}} }, "cc"},

		{"injection in subject", func(m *Outgoing) { m.Subject = inject }, "subject"},
		{"LF in subject", func(m *Outgoing) { m.Subject = "a\nb" }, "subject"},
		{"NUL in subject", func(m *Outgoing) { m.Subject = "a\x00b" }, "subject"},
		{"unicode line separator in subject", func(m *Outgoing) { m.Subject = "a\u2028b" }, "subject"},
		{"invalid utf-8 subject", func(m *Outgoing) { m.Subject = "a\xffb" }, "subject"},
		{"injection in from name", func(m *Outgoing) { m.From.Name = inject }, "from"},
		{"injection in from addr", func(m *Outgoing) { m.From.Addr = "a@b.c\r\nBcc: evil@example.com" }, "from"},
		{"injection in to name", func(m *Outgoing) { m.To[0].Name = inject }, "to"},
		{"injection in to addr", func(m *Outgoing) { m.To[0].Addr = "bob@example.net\r\nRCPT TO:<evil@x>" }, "to"},
		{"injection in cc name", func(m *Outgoing) { m.Cc = []mailmsg.Address{{Name: inject, Addr: "c@example.com"}} }, "cc"},
		{"injection in bcc addr", func(m *Outgoing) { m.Bcc = []mailmsg.Address{{Addr: "c@example.com\nx"}} }, "bcc"},
		{"injection in filename", func(m *Outgoing) { m.Attachments = []Attachment{{Filename: "a.txt\r\nBcc: evil@x"}} }, "attachment"},
		{"NUL in filename", func(m *Outgoing) { m.Attachments = []Attachment{{Filename: "a\x00.txt"}} }, "attachment"},
		{"injection in content type", func(m *Outgoing) {
			m.Attachments = []Attachment{{Filename: "a", ContentType: "text/plain\r\nBcc: evil@x"}}
		}, "attachment"},
		{"content type that does not parse", func(m *Outgoing) {
			m.Attachments = []Attachment{{Filename: "a", ContentType: "not a type"}}
		}, "attachment"},
		{"injection in in-reply-to", func(m *Outgoing) { m.InReplyTo = "<a@b>\r\nBcc: evil@x" }, "in-reply-to"},
		{"in-reply-to without brackets", func(m *Outgoing) { m.InReplyTo = "a@b" }, "in-reply-to"},
		{"injection in references", func(m *Outgoing) { m.References = []string{"<a@b>", "<c@d>\nBcc: evil@x"} }, "references"},
		{"space in reference", func(m *Outgoing) { m.References = []string{"<a b@c>"} }, "references"},

		{"subject too long", func(m *Outgoing) { m.Subject = strings.Repeat("s", 999) }, "subject"},
		{"name too long", func(m *Outgoing) { m.To[0].Name = strings.Repeat("n", 300) }, "to"},
		{"filename too long", func(m *Outgoing) { m.Attachments = []Attachment{{Filename: strings.Repeat("日", 100)}} }, "attachment"},
		{"message id too long", func(m *Outgoing) { m.InReplyTo = "<" + strings.Repeat("i", 1000) + "@x>" }, "in-reply-to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := baseOutgoing()
			c.mod(m)
			err := m.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *InputError", err)
			}
			if ie.Field != c.field {
				t.Errorf("Field: got %q, want %q", ie.Field, c.field)
			}
			if ie.Problem == "" || strings.ContainsAny(ie.Problem, "\r\n") {
				t.Errorf("Problem: got %q, want a one-line sentence", ie.Problem)
			}
		})
	}
}

func TestOutgoingBadAddresses(t *testing.T) {
	for _, addr := range []string{
		"plainaddress",
		"@example.com",
		"user@",
		"user@@example.com",
		"user@exa mple.com",
		"us er@example.com",
		`"quoted"@example.com`,
		"user@[192.0.2.1]",
		".user@example.com",
		"user.@example.com",
		"us..er@example.com",
		"user@-example.com",
		"user@example-.com",
		"user@example..com",
		"user@example.com.",
		"user@exam_ple.com",
		"jörg@example.com",
		"user@bücher.de",
		"<user@example.com>",
		"user@example.com>",
		strings.Repeat("l", 65) + "@example.com",
		"u@" + strings.Repeat("d", 64) + ".com",
		"u@" + strings.Repeat("abcdefghi.", 26) + "com",
	} {
		t.Run(addr, func(t *testing.T) {
			m := baseOutgoing()
			m.To = []mailmsg.Address{{Addr: addr}}
			var ie *InputError
			if err := m.Validate(); !errors.As(err, &ie) || ie.Field != "to" {
				t.Fatalf("got %v, want *InputError for field to", err)
			}
			if ie.Value != addr {
				t.Errorf("Value: got %q, want %q", ie.Value, addr)
			}
		})
	}
}

func TestOutgoingRecipients(t *testing.T) {
	m := &Outgoing{
		To:  []mailmsg.Address{{Addr: "a@x.org"}, {Name: "B", Addr: "b@x.org"}, {Addr: "A@X.org"}},
		Cc:  []mailmsg.Address{{Addr: "c@x.org"}, {Addr: "b@X.ORG"}},
		Bcc: []mailmsg.Address{{Addr: "d@x.org"}, {Addr: "C@x.org"}, {Addr: "e@x.org"}},
	}
	got := strings.Join(m.Recipients(), " ")
	want := "a@x.org b@x.org c@x.org d@x.org e@x.org"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if r := (&Outgoing{}).Recipients(); len(r) != 0 {
		t.Errorf("empty message: got %q, want none", r)
	}
}

func TestOutgoingNewMessageID(t *testing.T) {
	shape := regexp.MustCompile(`^<[a-z2-7]{20,}@([a-z0-9.-]+)>$`)
	for _, c := range []struct{ domain, want string }{
		{"example.org", "example.org"},
		{"", "localhost"},
		{"bad domain>", "localhost"},
		{"x\r\ny", "localhost"},
	} {
		t.Run(c.domain, func(t *testing.T) {
			id := NewMessageID(c.domain)
			sm := shape.FindStringSubmatch(id)
			if sm == nil {
				t.Fatalf("got %q, want <random@domain>", id)
			}
			if sm[1] != c.want {
				t.Errorf("domain: got %q, want %q", sm[1], c.want)
			}
			if !validMsgID(id) {
				t.Errorf("%q does not pass validMsgID", id)
			}
		})
	}
	if a, b := NewMessageID("x.org"), NewMessageID("x.org"); a == b {
		t.Errorf("two Message-IDs are equal: %q", a)
	}
	if got := messageIDDomain("ann@Mail.Example.org"); got != "Mail.Example.org" {
		t.Errorf("messageIDDomain: got %q, want %q", got, "Mail.Example.org")
	}
}
