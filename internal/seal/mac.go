package seal

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
)

// MACSize is the length in bytes of a MAC.
const MACSize = sha256.Size

// macSalt separates the MAC keys from the sealing keys they derive from.
const macSalt = "gomailcgi-mac"

// MAC returns an HMAC-SHA256 of msg under the sealing key. The HMAC key is
// derived from the sealing key for purpose (HKDF-SHA256), so a MAC made for
// one purpose never passes for another, nor for a token.
func (ks *Keys) MAC(purpose string, msg []byte) ([]byte, error) {
	k, ok := ks.sealing()
	if !ok {
		return nil, ErrNoKeys
	}
	return k.mac(purpose, msg)
}

// VerifyMAC reports whether mac is MAC(purpose, msg) under any of the keys:
// a MAC made before a key rotation holds while its key is in the key file.
func (ks *Keys) VerifyMAC(purpose string, msg, mac []byte) bool {
	if ks == nil || len(mac) != MACSize {
		return false
	}
	ok := false
	for _, k := range ks.keys {
		want, err := k.mac(purpose, msg)
		if err == nil && hmac.Equal(want, mac) {
			ok = true
		}
	}
	return ok
}

// mac is HMAC-SHA256 of msg under this key's MAC key for purpose.
func (k key) mac(purpose string, msg []byte) ([]byte, error) {
	sub, err := hkdf.Expand(sha256.New, k.macPRK, purpose, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("seal: deriving a MAC key: %w", err)
	}
	defer clear(sub)
	h := hmac.New(sha256.New, sub)
	h.Write(msg)
	return h.Sum(nil), nil
}

// macPRK is the HKDF pseudorandom key the MAC keys of one sealing key are
// expanded from.
func macPRK(raw []byte) ([]byte, error) {
	prk, err := hkdf.Extract(sha256.New, raw, []byte(macSalt))
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return prk, nil
}
