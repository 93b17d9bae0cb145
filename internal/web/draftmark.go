package web

import (
	"encoding/base64"
	"encoding/binary"
	"strings"

	"gomailcgi/internal/mailmsg"
	"gomailcgi/internal/seal"
)

// A draft is a message in the user's own inbox, and anyone can mail the
// user a message that says it is one. So the site marks a draft it saves
// with a MAC of the fields Continue editing fills in (mailtools.DraftHeader:
// "v1 " and the MAC in unpadded base64url), under a key derived from the
// state key for this purpose and this user, and treats only a message
// whose mark checks as a draft. A rotated key keeps its drafts while it
// stays in the key file.

// draftMarkVersion starts every mark, for the day the fields change.
const draftMarkVersion = "v1 "

// draftPurpose binds a mark to its user: one user's draft, mailed to
// another, is an ordinary message there.
func draftPurpose(user string) string { return "gomailcgi-draft-v1\x00" + user }

// draftMark is the mark of a draft of user's with this header.
func (s *server) draftMark(user string, env mailmsg.Envelope) (string, error) {
	mac, err := s.cfg.Sealer.Keys.MAC(draftPurpose(user), draftFields(env))
	if err != nil {
		return "", err
	}
	return draftMarkVersion + base64.RawURLEncoding.EncodeToString(mac), nil
}

// isDraft reports whether env is the header of a draft the site saved for
// user: its mark is the MAC of its fields under one of the keys.
func (s *server) isDraft(user string, env mailmsg.Envelope) bool {
	enc, ok := strings.CutPrefix(env.DraftMark, draftMarkVersion)
	if !ok || len(enc) != base64.RawURLEncoding.EncodedLen(seal.MACSize) {
		return false
	}
	mac, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return false
	}
	return s.cfg.Sealer.Keys.VerifyMAC(draftPurpose(user), draftFields(env), mac)
}

// draftFields is what a mark vouches for: everything that identifies a
// draft and that Continue editing fills in from its header, each field
// length-prefixed so that no two headers give the same bytes.
func draftFields(env mailmsg.Envelope) []byte {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	addrs := func(list []mailmsg.Address) {
		b = binary.AppendUvarint(b, uint64(len(list)))
		for _, a := range list {
			str(a.Name)
			str(a.Addr)
		}
	}
	str(env.MessageID)
	str(env.DateRaw)
	addrs(env.From)
	addrs(env.To)
	addrs(env.Cc)
	addrs(env.DraftBcc)
	str(env.Subject)
	str(env.InReplyTo)
	b = binary.AppendUvarint(b, uint64(len(env.References)))
	for _, id := range env.References {
		str(id)
	}
	return b
}
