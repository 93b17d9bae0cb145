package seal

import "encoding/base64"

// tokenEncoding is unpadded URL-safe base64, strict so that every token has
// exactly one text form.
var tokenEncoding = base64.RawURLEncoding.Strict()

// encodedLen is the text length of a token of n bytes.
func encodedLen(n int) int { return tokenEncoding.EncodedLen(n) }

// decodeToken turns token text into bytes, refusing anything too long or
// outside the URL-safe alphabet before decoding (the base64 decoder would
// otherwise skip CR and LF).
func decodeToken(token string) ([]byte, error) {
	switch {
	case token == "":
		return nil, invalid(ReasonEmpty)
	case len(token) > MaxTokenLen:
		return nil, invalid(ReasonTooLong)
	}
	for i := 0; i < len(token); i++ {
		if !isTokenChar(token[i]) {
			return nil, invalid(ReasonBadCharacter)
		}
	}
	raw, err := tokenEncoding.DecodeString(token)
	if err != nil {
		return nil, invalid(ReasonBadEncoding)
	}
	return raw, nil
}

func isTokenChar(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
