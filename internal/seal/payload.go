package seal

import (
	"encoding/binary"
	"errors"
	"math"
	"time"
)

// payload is the plaintext inside a token.
//
// Layout, all integers big-endian:
//
//	loginAt   int64  Unix seconds
//	sealedAt  int64  Unix seconds
//	expiresAt int64  Unix seconds
//	user      uint16 length, then bytes
//	password  uint16 length, then bytes
//	server    uint16 length, then bytes
//	name      uint16 length, then bytes: only when it or lang is not empty
//	lang      uint16 length, then bytes: only when not empty
//
// Nothing may follow the last field. The optional name and lang keep
// tokens of logins without them as they were, so replicas of either side
// of an upgrade open them. A name is written empty only before a lang.
type payload struct {
	loginAt, sealedAt, expiresAt int64
	user, password, server       string
	name                         string
	lang                         string // the page language's code, "de"
}

// payloadFixedSize is the size of a payload with three empty strings.
const payloadFixedSize = 3*8 + 3*2

var (
	errFieldTooLong = errors.New("field too long")
	errMalformed    = errors.New("malformed payload")
)

// appendPayload appends the encoding of p to b.
func appendPayload(b []byte, p payload) ([]byte, error) {
	fields := []string{p.user, p.password, p.server}
	if p.name != "" || p.lang != "" {
		fields = append(fields, p.name)
	}
	if p.lang != "" {
		fields = append(fields, p.lang)
	}
	for _, s := range fields {
		if len(s) > math.MaxUint16 {
			return nil, errFieldTooLong
		}
	}
	b = binary.BigEndian.AppendUint64(b, uint64(p.loginAt))
	b = binary.BigEndian.AppendUint64(b, uint64(p.sealedAt))
	b = binary.BigEndian.AppendUint64(b, uint64(p.expiresAt))
	for _, s := range fields {
		b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
		b = append(b, s...)
	}
	return b, nil
}

// decodePayload parses what appendPayload wrote. It rejects short input, a
// length running past the end, and trailing bytes.
func decodePayload(b []byte) (payload, error) {
	var p payload
	if len(b) < payloadFixedSize {
		return p, errMalformed
	}
	p.loginAt = int64(binary.BigEndian.Uint64(b[0:8]))
	p.sealedAt = int64(binary.BigEndian.Uint64(b[8:16]))
	p.expiresAt = int64(binary.BigEndian.Uint64(b[16:24]))
	b = b[24:]
	for i, dst := range []*string{&p.user, &p.password, &p.server, &p.name, &p.lang} {
		if i >= 3 && len(b) == 0 {
			break // no name, or no lang
		}
		if len(b) < 2 {
			return payload{}, errMalformed
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if len(b) < n {
			return payload{}, errMalformed
		}
		if (i == 3 && n == 0 && len(b) == 0) || (i == 4 && n == 0) {
			return payload{}, errMalformed // left out, never written empty, unless a lang follows
		}
		*dst = string(b[:n])
		b = b[n:]
	}
	if len(b) != 0 {
		return payload{}, errMalformed
	}
	return p, nil
}

// unix converts Unix seconds back to a time in UTC.
func unix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
