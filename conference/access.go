package conference

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// Editing policies of a session (Session.Policy).
const (
	// PolicyOpen lets everyone who can open the pad edit it (the default;
	// a session stored without a policy has it).
	PolicyOpen = "open"
	// PolicyLink lets only the holders of the session's edit link edit
	// it (its EditSecret); everyone else reads.
	PolicyLink = "link"
)

// ValidPolicy reports whether p is an editing policy a session may have:
// PolicyOpen, PolicyLink, or "" (the same as PolicyOpen).
func ValidPolicy(p string) bool {
	return p == "" || p == PolicyOpen || p == PolicyLink
}

// EditPolicy returns the session's editing policy: PolicyLink or
// PolicyOpen.
func (s Session) EditPolicy() string {
	if s.Policy == PolicyLink {
		return PolicyLink
	}
	return PolicyOpen
}

// CanEdit reports whether the holder of editSecret (possibly "") may edit
// the session's notes and add slide links while it is live: always under
// PolicyOpen; under PolicyLink only with the session's EditSecret
// (compared in constant time).
func (s Session) CanEdit(editSecret string) bool {
	if s.EditPolicy() == PolicyOpen {
		return true
	}
	return s.EditSecret != "" && subtle.ConstantTimeCompare([]byte(editSecret), []byte(s.EditSecret)) == 1
}

// NewSecret returns a new random secret: 43 base64url characters (256
// bits), the form of edit secrets and link tokens.
func NewSecret() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("conference: no randomness: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken returns what a Catalog stores of a slide link's capability
// token (Link.TokenHash): the hex SHA-256 of a domain and the token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte("confpad/link-token/v1\x00" + token))
	return hex.EncodeToString(sum[:])
}

// TokenMatches reports whether token is the capability token of l: l has
// a token hash and token hashes to it (compared in constant time).
func (l Link) TokenMatches(token string) bool {
	return l.TokenHash != "" && token != "" &&
		subtle.ConstantTimeCompare([]byte(HashToken(token)), []byte(l.TokenHash)) == 1
}
