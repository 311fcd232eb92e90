package protocol

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
)

// Domains of PublicID: what kind of secret an id is derived from.
const (
	// AuthorDomain derives public author ids from author secrets.
	AuthorDomain = "author"
	// ClientDomain derives the public author id of a join that sends no
	// author secret from its client id.
	ClientDomain = "client"
)

// PublicIDLen is the length of a public id: 128 bits in base64url.
const PublicIDLen = 22

// authorSecretPattern is what a join's "author" must look like: 16 to 64
// characters of A-Z, a-z, 0-9, '-' and '_' (a browser sends 32 random
// base64url characters).
var authorSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// PublicID returns the public id that others see for secret, a value only
// its owner knows: the first 128 bits of SHA-256 over "confpad/", domain,
// a NUL byte and secret, in unpadded base64url (PublicIDLen characters).
// The domain keeps ids of different kinds of secret apart, and nobody can
// find a secret from its public id, so nobody can act under another's id
// by copying it.
func PublicID(domain, secret string) string {
	sum := sha256.Sum256([]byte("confpad/" + domain + "\x00" + secret))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// parseAuthor sets msg.Author, the public author id of a join: derived
// from its "author" secret or, without one, from its client id.
func parseAuthor(raw *rawClientMessage, msg *ClientMessage) *Error {
	if raw.Author == nil {
		msg.Author = PublicID(ClientDomain, msg.Client)
		return nil
	}
	if !authorSecretPattern.MatchString(*raw.Author) {
		return Errorf(BadMessage, `"author" must be 16 to 64 characters of A-Z, a-z, 0-9, '-' and '_'`)
	}
	msg.Author = PublicID(AuthorDomain, *raw.Author)
	return nil
}
