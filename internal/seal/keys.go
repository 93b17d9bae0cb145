package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"gomailcgi/internal/smallfile"
)

// KeySize is the length in bytes of one sealing key (AES-256).
const KeySize = 32

// keyIDSize is how many bytes of the key's SHA-256 name it in a token.
const keyIDSize = 4

// maxKeyFileSize bounds LoadKeyFile: a key file is a few lines, never megabytes.
const maxKeyFileSize = 64 << 10

// ErrNoKeys reports a key file that holds no key at all.
var ErrNoKeys = errors.New("seal: no keys")

// KeyLineError reports a malformed line of a key file. It names the file,
// the line and the problem, never the line's content.
type KeyLineError struct {
	File   string // the key file's path; empty from ParseKeys
	Line   int    // 1-based line number
	Reason string // fixed text, free of key material
}

func (e *KeyLineError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("seal: key file line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("seal: %s:%d: %s", e.File, e.Line, e.Reason)
}

// key is one sealing key, ready to use.
type key struct {
	id     [keyIDSize]byte
	aead   cipher.AEAD
	macPRK []byte // what its MAC keys are derived from (see MAC)
}

// Keys is an ordered set of sealing keys: the first seals, every one opens.
// It is safe for concurrent use and never prints key material.
type Keys struct {
	keys []key
}

// ParseKeys reads keys, one a line, each 32 bytes in standard base64 (as
// `openssl rand -base64 32` prints them). Blank lines and lines starting
// with '#' are ignored.
func ParseKeys(data []byte) (*Keys, error) {
	var ks Keys
	firstLine := map[[keyIDSize]byte]int{}
	enc := base64.StdEncoding.Strict()
	// Work on bytes, not strings, so key material can be cleared after use.
	raw := make([]byte, enc.DecodedLen(len(data)))
	defer clear(raw)
	for i, line := range bytes.Split(data, []byte("\n")) {
		n := i + 1
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		m, err := enc.Decode(raw, line)
		if err != nil {
			return nil, &KeyLineError{Line: n, Reason: "not valid standard base64"}
		}
		if m != KeySize {
			return nil, &KeyLineError{Line: n, Reason: fmt.Sprintf("key is %d bytes, want %d", m, KeySize)}
		}
		if bytes.Count(raw[:m], raw[:1]) == m {
			// All zero, or a placeholder: no secret at all.
			return nil, &KeyLineError{Line: n, Reason: "every byte of the key is the same; make one with `openssl rand -base64 32`"}
		}
		k, err := newKey(raw[:m])
		if err != nil {
			return nil, err
		}
		if prev, dup := firstLine[k.id]; dup {
			// Same key id: a repeated key, or (with odds near 2^-32) a
			// different key with the same id. Either way, refuse.
			return nil, &KeyLineError{Line: n, Reason: fmt.Sprintf("same key id as line %d", prev)}
		}
		firstLine[k.id] = n
		ks.keys = append(ks.keys, k)
	}
	if len(ks.keys) == 0 {
		return nil, ErrNoKeys
	}
	return &ks, nil
}

// LoadKeyFile reads keys from a file in the format ParseKeys accepts. A
// path that is not a regular file, or a file over 64 KB, is refused.
func LoadKeyFile(path string) (*Keys, error) {
	data, err := smallfile.Read(path, maxKeyFileSize)
	if err != nil {
		return nil, fmt.Errorf("seal: key file %w", err)
	}
	defer clear(data)
	ks, err := ParseKeys(data)
	var le *KeyLineError
	switch {
	case errors.As(err, &le):
		le.File = path
		return nil, le
	case err != nil:
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return ks, nil
}

// RandomKeys returns one fresh random key. Tokens sealed with it die with the
// process, so callers use it only when no key file is configured.
func RandomKeys() (*Keys, error) {
	raw := make([]byte, KeySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("seal: random key: %w", err)
	}
	k, err := newKey(raw)
	if err != nil {
		return nil, err
	}
	return &Keys{keys: []key{k}}, nil
}

// newKey builds the AEAD and the id for one raw key.
func newKey(raw []byte) (key, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return key{}, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return key{}, fmt.Errorf("seal: %w", err)
	}
	prk, err := macPRK(raw)
	if err != nil {
		return key{}, err
	}
	sum := sha256.Sum256(raw)
	k := key{aead: aead, macPRK: prk}
	copy(k.id[:], sum[:keyIDSize])
	return k, nil
}

// Len is the number of keys.
func (ks *Keys) Len() int {
	if ks == nil {
		return 0
	}
	return len(ks.keys)
}

// IDs returns the key ids in hex, sealing key first. Ids are public: every
// token carries one.
func (ks *Keys) IDs() []string {
	if ks == nil {
		return nil
	}
	ids := make([]string, len(ks.keys))
	for i, k := range ks.keys {
		ids[i] = hex.EncodeToString(k.id[:])
	}
	return ids
}

// String describes the keys by id only, so a stray log line leaks nothing.
func (ks *Keys) String() string {
	return fmt.Sprintf("seal.Keys%v", ks.IDs())
}

// GoString is String, so %#v leaks nothing either.
func (ks *Keys) GoString() string { return ks.String() }

// sealing returns the key that seals, or false if there is none.
func (ks *Keys) sealing() (key, bool) {
	if ks.Len() == 0 {
		return key{}, false
	}
	return ks.keys[0], true
}

// byID returns the key with this id. ParseKeys refuses two keys with one id,
// and a key can only open what it sealed, so no other key need be tried.
func (ks *Keys) byID(id []byte) (key, bool) {
	for _, k := range ks.keys {
		if bytes.Equal(k.id[:], id) {
			return k, true
		}
	}
	return key{}, false
}
