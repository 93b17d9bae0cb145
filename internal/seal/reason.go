package seal

import "errors"

// Reason is the fixed reason an Open failed, beside ErrInvalid or
// ErrExpired. It never holds token or state content.
type Reason string

// The reasons Open and Seal give.
const (
	ReasonEmpty          Reason = "empty"
	ReasonTooLong        Reason = "too long"
	ReasonBadCharacter   Reason = "bad character"
	ReasonBadEncoding    Reason = "bad encoding"
	ReasonTooShort       Reason = "too short"
	ReasonUnknownVersion Reason = "unknown version"
	ReasonUnknownKey     Reason = "unknown key"
	ReasonForged         Reason = "authentication failed"
	ReasonMalformed      Reason = "malformed content"
	ReasonFuture         Reason = "sealed in the future"
	ReasonPastExpiry     Reason = "past its expiry"
	ReasonIdle           Reason = "idle too long"
	ReasonLoginTooOld    Reason = "login too old"
)

// reasonError is ErrInvalid or ErrExpired with its reason.
type reasonError struct {
	kind   error
	reason Reason
}

func (e *reasonError) Error() string { return e.kind.Error() + ": " + string(e.reason) }
func (e *reasonError) Unwrap() error { return e.kind }

// ReasonOf is the reason err gives, or "" when it gives none.
func ReasonOf(err error) Reason {
	var re *reasonError
	if errors.As(err, &re) {
		return re.reason
	}
	return ""
}

// invalid is ErrInvalid for a reason.
func invalid(r Reason) error { return &reasonError{kind: ErrInvalid, reason: r} }

// expired is ErrExpired for a reason.
func expired(r Reason) error { return &reasonError{kind: ErrExpired, reason: r} }
