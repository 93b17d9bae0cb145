// Package seal makes and opens the sealed, expiring state token that carries
// a gomailcgi login from page to page in hidden fields and query parameters.
//
// A token is AES-256-GCM sealed under a server key and bound to a purpose by
// the AEAD's additional data. Its text is unpadded URL-safe base64 of
//
//	version (1 byte) | key id (4 bytes) | nonce (12) | ciphertext | tag (16)
//
// where the key id is the first 4 bytes of the key's SHA-256, so Open picks
// the key without trying all of them. The version and key id are
// authenticated too. The plaintext inside is the payload type: the login,
// its server and three times (login, sealing, expiry).
//
// A token expires when it has been idle too long (every page seals a fresh
// one, so idle expiry slides) or when the login itself is too old (absolute
// expiry, counted from LoginAt, which re-sealing keeps).
package seal

import (
	"errors"
	"fmt"
	"time"
)

// Defaults for a Sealer's zero durations.
const (
	DefaultIdle     = 30 * time.Minute
	DefaultAbsolute = 12 * time.Hour
)

// DefaultPurpose is the additional data a token is bound to when a Sealer
// names no Purpose.
const DefaultPurpose = "gomailcgi-state-v1"

// MaxClockSkew is how far in the future a token's seal time may lie (seen
// from the opening server's clock) before the token is refused.
const MaxClockSkew = time.Minute

// MaxTokenLen is the longest token text Open decodes and Seal produces.
const MaxTokenLen = 4096

// version is the token format written first in every token.
const version byte = 1

// headerSize is the version byte plus the key id.
const headerSize = 1 + keyIDSize

// Errors returned by Open. Web pages answer both with "please log in again".
var (
	// ErrExpired: the token was valid but its idle or absolute time is up.
	ErrExpired = errors.New("seal: token expired")
	// ErrInvalid: the token is not one this server sealed (tampered,
	// truncated, garbage, unknown key, other purpose or version).
	ErrInvalid = errors.New("seal: token invalid")
)

// ErrTooLarge is returned by Seal when the state does not fit in MaxTokenLen.
var ErrTooLarge = errors.New("seal: state too large for a token")

// State is what a token carries.
type State struct {
	User, Password string
	Name           string    // the display name the user gave at login for From; may be empty
	Lang           string    // the code of the language the pages are in, "de"; may be empty
	Server         string    // identity of the mail servers this login is for, e.g. "pop=host:995"
	LoginAt        time.Time // when the user logged in; zero means now (at Seal)
}

// String describes the state without its password, so a stray log line
// cannot leak it.
func (st State) String() string {
	return fmt.Sprintf("seal.State{User:%q Server:%q LoginAt:%s Password:[redacted]}",
		st.User, st.Server, st.LoginAt.Format(time.RFC3339))
}

// GoString is String, so %#v hides the password too.
func (st State) GoString() string { return st.String() }

// Sealer seals and opens tokens. Its zero durations mean the defaults; it is
// safe for concurrent use once set up.
type Sealer struct {
	Keys           *Keys
	Idle, Absolute time.Duration    // zero means DefaultIdle / DefaultAbsolute
	Now            func() time.Time // nil means time.Now
	Purpose        string           // AEAD additional data; empty means DefaultPurpose
}

// Seal returns a token for st, stamped with the current time. The token
// expires at min(now+Idle, LoginAt+Absolute). Times are kept to the second.
// Sealing a login already past its absolute expiry returns ErrExpired.
func (s *Sealer) Seal(st State) (string, error) {
	idle, abs, err := s.durations()
	if err != nil {
		return "", err
	}
	k, ok := s.Keys.sealing()
	if !ok {
		return "", ErrNoKeys
	}
	now := s.now()
	login := st.LoginAt
	if login.IsZero() {
		login = now
	}
	if login.After(now.Add(MaxClockSkew)) {
		return "", errors.New("seal: login time is in the future")
	}
	exp := now.Add(idle)
	if capAt := login.Add(abs); capAt.Before(exp) {
		exp = capAt
	}
	if !now.Before(exp) {
		return "", expired(ReasonLoginTooOld)
	}

	plain, err := appendPayload(nil, payload{
		loginAt:   login.Unix(),
		sealedAt:  now.Unix(),
		expiresAt: exp.Unix(),
		user:      st.User,
		password:  st.Password,
		server:    st.Server,
		name:      st.Name,
		lang:      st.Lang,
	})
	if err != nil {
		return "", ErrTooLarge
	}
	defer clear(plain) // it holds the password

	header := make([]byte, headerSize, headerSize+k.aead.Overhead()+len(plain))
	header[0] = version
	copy(header[1:], k.id[:])
	sealed := k.aead.Seal(header, nil, plain, s.additionalData(header))
	if encodedLen(len(sealed)) > MaxTokenLen {
		return "", ErrTooLarge
	}
	return tokenEncoding.EncodeToString(sealed), nil
}

// Open checks a token and returns the state it carries. It fails with an
// error wrapping ErrInvalid or ErrExpired; the added reason never holds
// token or state content.
func (s *Sealer) Open(token string) (State, error) {
	p, err := s.open(token)
	if err != nil {
		return State{}, err
	}
	return p.state(), nil
}

// state is the State a payload carries.
func (p payload) state() State {
	return State{User: p.user, Password: p.password, Server: p.server, Name: p.name, Lang: p.lang, LoginAt: unix(p.loginAt)}
}

// open checks a token and returns its payload.
func (s *Sealer) open(token string) (payload, error) {
	idle, abs, err := s.durations()
	if err != nil {
		return payload{}, err
	}
	if s.Keys.Len() == 0 {
		return payload{}, ErrNoKeys
	}
	raw, err := decodeToken(token)
	if err != nil {
		return payload{}, err
	}
	if len(raw) < headerSize {
		return payload{}, invalid(ReasonTooShort)
	}
	if raw[0] != version {
		return payload{}, invalid(ReasonUnknownVersion)
	}
	k, ok := s.Keys.byID(raw[1:headerSize])
	if !ok {
		return payload{}, invalid(ReasonUnknownKey)
	}
	if len(raw) < headerSize+k.aead.Overhead()+payloadFixedSize {
		return payload{}, invalid(ReasonTooShort)
	}
	plain, err := k.aead.Open(nil, nil, raw[headerSize:], s.additionalData(raw[:headerSize]))
	if err != nil {
		return payload{}, invalid(ReasonForged)
	}
	defer clear(plain)
	p, err := decodePayload(plain)
	if err != nil {
		return payload{}, invalid(ReasonMalformed)
	}

	now := s.now()
	sealedAt, loginAt := unix(p.sealedAt), unix(p.loginAt)
	if sealedAt.After(now.Add(MaxClockSkew)) {
		return payload{}, invalid(ReasonFuture)
	}
	// The stored expiry holds what the sealer decided; the opener's own
	// durations apply too, so shortening them takes effect at once.
	switch {
	case !now.Before(unix(p.expiresAt)):
		return payload{}, expired(ReasonPastExpiry)
	case !now.Before(sealedAt.Add(idle)):
		return payload{}, expired(ReasonIdle)
	case !now.Before(loginAt.Add(abs)):
		return payload{}, expired(ReasonLoginTooOld)
	}
	return p, nil
}

func (s *Sealer) durations() (idle, abs time.Duration, err error) {
	idle, abs = s.Idle, s.Absolute
	if idle < 0 || abs < 0 {
		return 0, 0, errors.New("seal: negative Idle or Absolute")
	}
	if idle == 0 {
		idle = DefaultIdle
	}
	if abs == 0 {
		abs = DefaultAbsolute
	}
	return idle, abs, nil
}

func (s *Sealer) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// additionalData binds a token to the purpose and authenticates its header.
func (s *Sealer) additionalData(header []byte) []byte {
	purpose := s.Purpose
	if purpose == "" {
		purpose = DefaultPurpose
	}
	ad := make([]byte, 0, len(purpose)+len(header))
	return append(append(ad, purpose...), header...)
}
